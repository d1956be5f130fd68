// Entry glue of the sources-concelier plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); routes.cpp translates HTTP to it.
#include <jobengine/plugin.hpp>

#include "core/sources_concelier_settings.hpp"
#include "plugin_meta.hpp"
#include "routes.hpp"

namespace jobengine::concelier {

class ConcelierPlugin {
 public:
  static constexpr const char* kId = "sources-concelier";
  static constexpr const char* kVersion = kPluginVersion;
  static constexpr const char* kDescription =
      "Advisory feed adapters (OSV, NVD, KEV): fetch, parse, map.";
  static constexpr const char* kConfigSchema = kPluginConfigSchema;

  ConcelierPlugin(sdk::Host& host, const nlohmann::json& config)
      : settings_(parseConcelierSettings(config)) {
    registerRoutes(host, {{"id", kId},
                          {"version", kVersion},
                          {"description", kDescription},
                          {"config", toJson(settings_)}});
  }
  void start() {}
  void stop() {}

 private:
  ConcelierSettings settings_;
};

}  // namespace jobengine::concelier

JE_PLUGIN(jobengine::concelier::ConcelierPlugin)
