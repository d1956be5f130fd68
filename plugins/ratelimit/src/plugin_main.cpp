// Entry glue of the ratelimit plugin: the plugin class and JE_PLUGIN, nothing else. Decisions
// live in src/core (no SDK types); the je.ratelimit service is ratelimit_service.cpp over the
// stores (admission_store, backlog_guard, outcome_recorder, upstream_store); routes*.cpp
// translate the operator routes over their *_store.cpp; cluster_gauges_store.cpp feeds the
// leader's cluster gauges (docs/metrics.md).
#include <jobengine/cluster_gauges.hpp>
#include <jobengine/plugin.hpp>

#include <chrono>

#include <memory>

#include "cluster_gauges_store.hpp"
#include "core/ratelimit_settings.hpp"
#include "limits_sweeper.hpp"
#include "plugin_meta.hpp"
#include "ratelimit_service.hpp"
#include "routes.hpp"

namespace jobengine::ratelimit {

class RatelimitPlugin {
 public:
  static constexpr const char* kId = "ratelimit";
  static constexpr const char* kVersion = kPluginVersion;
  static constexpr const char* kDescription =
      "Quotas, token buckets, throttles, circuit breakers and backpressure.";
  static constexpr const char* kConfigSchema = kPluginConfigSchema;

  RatelimitPlugin(sdk::Host& host, const nlohmann::json& config)
      : host_(host),
        settings_(parseRatelimitSettings(config)),
        service_(std::make_unique<RatelimitService>(host, settings_)),
        sweeper_(std::make_unique<LimitsSweeper>(host, settings_, service_->outcomes())),
        gauges_(std::make_unique<sdk::ClusterGaugeRefresher>(
            host, "rl-metrics", std::chrono::seconds(settings_.metrics_refresh_seconds),
            [counts = &service_->jobCounts()](sdk::Txn& txn, sdk::GaugeSnapshot& out) {
              collectRatelimitGauges(txn, *counts, out);
            })) {
    host.provide(JE_SERVICE_RATELIMIT, 1, service_->vtable());
    registerRoutes(
        host,
        {{"id", kId},
         {"version", kVersion},
         {"description", kDescription},
         {"config", toJson(settings_)}},
        [counts = &service_->jobCounts()]() -> const sdk::Jobs* { return counts->jobs(); },
        breakerConfigOf(settings_));
  }
  // je.jobs is plugin-provided (the scheduler): it exists only from start() on. Without it the
  // concurrency limits admit nothing and the quota summary answers 503.
  void start() {
    service_->jobCounts().attach(host_);
    sweeper_->start();
    service_->reservations().start();
    gauges_->start();
  }
  void stop() {
    gauges_->stop();                  // before je.jobs is detached: it counts through it
    service_->reservations().stop();  // releases its blocks while je.jobs is still there
    sweeper_->stop();
    service_->jobCounts().detach();
  }

 private:
  sdk::Host& host_;
  RatelimitSettings settings_;
  std::unique_ptr<RatelimitService> service_;
  std::unique_ptr<LimitsSweeper> sweeper_;
  std::unique_ptr<sdk::ClusterGaugeRefresher> gauges_;  // leader-only cluster gauges
};

}  // namespace jobengine::ratelimit

JE_PLUGIN(jobengine::ratelimit::RatelimitPlugin)
