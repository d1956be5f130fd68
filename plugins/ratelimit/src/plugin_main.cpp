// Entry glue of the ratelimit plugin: the plugin class and JE_PLUGIN, nothing else. Decisions
// live in src/core (no SDK types); the je.ratelimit service is ratelimit_service.cpp over the
// stores (admission_store, backlog_guard, outcome_recorder, upstream_store); routes*.cpp
// translate the operator routes over their *_store.cpp.
#include <jobengine/plugin.hpp>

#include <memory>

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
        sweeper_(std::make_unique<LimitsSweeper>(host, settings_, service_->outcomes())) {
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
  }
  void stop() {
    service_->reservations().stop();  // releases its blocks while je.jobs is still there
    sweeper_->stop();
    service_->jobCounts().detach();
  }

 private:
  sdk::Host& host_;
  RatelimitSettings settings_;
  std::unique_ptr<RatelimitService> service_;
  std::unique_ptr<LimitsSweeper> sweeper_;
};

}  // namespace jobengine::ratelimit

JE_PLUGIN(jobengine::ratelimit::RatelimitPlugin)
