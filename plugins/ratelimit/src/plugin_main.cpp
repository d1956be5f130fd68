// Entry glue of the ratelimit plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); routes.cpp translates HTTP to it.
#include <jobengine/plugin.hpp>

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
      : settings_(parseRatelimitSettings(config)) {
    registerRoutes(host, {{"id", kId},
                          {"version", kVersion},
                          {"description", kDescription},
                          {"config", toJson(settings_)}});
  }
  void start() {}
  void stop() {}

 private:
  RatelimitSettings settings_;
};

}  // namespace jobengine::ratelimit

JE_PLUGIN(jobengine::ratelimit::RatelimitPlugin)
