// Entry glue of the scheduler plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); job_service.cpp and job_{enqueue,claims,completion,
// sweeps,runs}.cpp are the data path, *_store.cpp the SQL of the other areas, runner.cpp the
// in-process runner, leader_duties.cpp the leader's sweeps, schedule fires and retention
// (job_retention.cpp), cluster_gauges_store.cpp the leader's cluster gauges (docs/metrics.md),
// routes_*.cpp the HTTP translation, cli_commands.cpp the `jobengine jobs|runs|status|schedules`
// commands (src/cli/).
#include <jobengine/cluster_gauges.hpp>
#include <jobengine/plugin.hpp>

#include <chrono>
#include <memory>

#include "api_doc_files.hpp"
#include "cli_commands.hpp"
#include "cluster_gauges_store.hpp"
#include "core/scheduler_settings.hpp"
#include "job_retention.hpp"
#include "job_service.hpp"
#include "leader_duties.hpp"
#include "plugin_meta.hpp"
#include "routes.hpp"
#include "routes_backfills.hpp"
#include "routes_deadletter.hpp"
#include "routes_packruns.hpp"
#include "routes_schedules.hpp"
#include "routes_sources.hpp"
#include "runner.hpp"
#include "schedule_firer.hpp"
#include "sources_service.hpp"

namespace jobengine::scheduler {

// The built-in no-op job type: succeeds at once. What benchmarks and smoke tests enqueue to
// measure the engine itself (enqueue -> claim -> complete) without any handler cost.
inline constexpr const char* kNoopJobType = "scheduler.noop";

class SchedulerPlugin {
 public:
  static constexpr const char* kId = "scheduler";
  static constexpr const char* kVersion = kPluginVersion;
  static constexpr const char* kDescription =
      "Sources, runs, jobs, DAGs, leases, worker bridge, schedules, backfills, watermarks, dead "
      "letters and pack runs.";
  static constexpr const char* kConfigSchema = kPluginConfigSchema;

  SchedulerPlugin(sdk::Host& host, const nlohmann::json& config)
      : host_(host),
        settings_(parseSchedulerSettings(config)),
        service_(std::make_unique<JobService>(host, settings_)),
        runner_(std::make_unique<Runner>(*service_)),
        leader_duties_(std::make_unique<LeaderDuties>(*service_)),
        schedule_firer_(std::make_unique<ScheduleFirer>(*service_)),
        sources_service_(std::make_unique<SourcesService>(*service_)),
        retention_(std::make_unique<JobRetention>(host, settings_)),
        gauges_(std::make_unique<sdk::ClusterGaugeRefresher>(
            host, "sched-metrics", std::chrono::seconds(settings_.metrics_refresh_seconds),
            &collectSchedulerGauges)) {
    leader_duties_->add([firer = schedule_firer_.get()](sdk::Txn& txn, int64_t epoch) {
      return firer->fireDue(txn, epoch) > 0;
    });
    leader_duties_->add([retention = retention_.get()](sdk::Txn& txn, int64_t /*epoch*/) {
      return retention->runIfDue(txn);  // README "Retention"; fenced by the round's epoch check
    });
    service_->setWake([this] {
      runner_->wake();
      host_.signal(kJobsSignal);  // the runners of the other replicas
    });
    service_->setThrottledWake([this] {
      leader_duties_->wake();
      host_.signal(kThrottledSignal);  // the leader may be another replica
    });
    service_->setHandoff({[runner = runner_.get()] { return runner->idleWorkers(); },
                          [runner = runner_.get()](std::vector<Grant> grants, int lease_seconds) {
                            runner->accept(std::move(grants), lease_seconds);
                          }});
    je_job_type_def noop{};
    noop.struct_size = sizeof(noop);
    noop.job_type = kNoopJobType;
    noop.handler = [](void* /*user*/, const je_job_context* /*ctx*/) noexcept -> je_status {
      return JE_OK;
    };
    service_->registerType(kId, noop);
    host.provide(JE_SERVICE_JOBS, 1, service_->vtable());
    host.provide(JE_SERVICE_SOURCES, 1, sources_service_->vtable());
    // Every route's description comes from openapi/ (embedded at build time); one left
    // undocumented, or one described but not registered, fails create().
    sdk::ApiDoc doc(kApiDocFiles);
    host.apiComponents(doc.components());
    registerRoutes(host, doc,
                   {{"id", kId},
                    {"version", kVersion},
                    {"description", kDescription},
                    {"config", toJson(settings_)}});
    registerJobRoutes(host, doc, *service_);
    registerRunRoutes(host, doc, *service_);
    registerWorkerRoutes(host, doc, *service_);
    registerSourceRoutes(host, doc, service_->syncDags());
    registerScheduleRoutes(host, doc, service_->syncDags());
    registerBackfillRoutes(host, doc, *service_);
    registerDeadLetterRoutes(host, doc);
    registerPackRunRoutes(host, doc);
    doc.requireAllUsed();
    registerCliCommands(host);
  }
  void start() {
    // Before the runner starts: from here on every lease asks je.ratelimit first.
    service_->setRateLimit(sdk::RateLimit::find(host_));
    host_.info(service_->hasRateLimit()
                   ? "je.ratelimit found: every lease is admitted through it"
                   : "je.ratelimit is absent: jobs are admitted without quotas or rate limits");
    if (host_.hasSignals()) {
      host_.watch(kJobsSignal, [runner = runner_.get()] { runner->wake(); });
      host_.watch(kThrottledSignal, [leader = leader_duties_.get()] { leader->wake(); });
    }
    runner_->start();
    leader_duties_->start();
    gauges_->start();
  }
  void stop() {
    gauges_->stop();
    leader_duties_->stop();
    runner_->stop();
  }

 private:
  sdk::Host& host_;
  SchedulerSettings settings_;
  std::unique_ptr<JobService> service_;
  std::unique_ptr<Runner> runner_;
  std::unique_ptr<LeaderDuties> leader_duties_;
  std::unique_ptr<ScheduleFirer> schedule_firer_;
  std::unique_ptr<SourcesService> sources_service_;
  std::unique_ptr<JobRetention> retention_;
  std::unique_ptr<sdk::ClusterGaugeRefresher> gauges_;  // leader-only cluster gauges
};

}  // namespace jobengine::scheduler

JE_PLUGIN(jobengine::scheduler::SchedulerPlugin)
