// Entry glue of the ratelimit plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); routes.cpp translates HTTP to it.
#include <jobengine/jobs.hpp>
#include <jobengine/plugin.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "core/ratelimit_settings.hpp"
#include "plugin_meta.hpp"
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
      : host_(host), settings_(parseRatelimitSettings(config)) {
    registerRoutes(host,
                   {{"id", kId},
                    {"version", kVersion},
                    {"description", kDescription},
                    {"config", toJson(settings_)}},
                   [this]() -> const sdk::Jobs* { return jobs_.load(); });
  }
  void start() {
    // je.jobs is plugin-provided (the scheduler): it exists only from start() on. Without it the
    // routes that need job counts answer 503.
    try {
      jobs_owner_ = std::make_unique<sdk::Jobs>(host_);
      jobs_.store(jobs_owner_.get());
    } catch (const sdk::Error& e) {
      host_.warn(std::string("ratelimit: je.jobs unavailable, quota summaries answer 503: ") +
                 e.what());
    }
  }
  void stop() { jobs_.store(nullptr); }

 private:
  sdk::Host& host_;
  RatelimitSettings settings_;
  std::unique_ptr<sdk::Jobs> jobs_owner_;
  std::atomic<const sdk::Jobs*> jobs_{nullptr};
};

}  // namespace jobengine::ratelimit

JE_PLUGIN(jobengine::ratelimit::RatelimitPlugin)
