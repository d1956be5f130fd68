// Entry glue of the sources-excititor plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); routes.cpp translates HTTP to it.
#include <jobengine/plugin.hpp>

#include "core/sources_excititor_settings.hpp"
#include "plugin_meta.hpp"
#include "routes.hpp"

namespace jobengine::excititor {

class ExcititorPlugin {
 public:
  static constexpr const char* kId = "sources-excititor";
  static constexpr const char* kVersion = kPluginVersion;
  static constexpr const char* kDescription =
      "VEX feed adapters (OpenVEX, CSAF, CycloneDX): fetch and normalize.";
  static constexpr const char* kConfigSchema = kPluginConfigSchema;

  ExcititorPlugin(sdk::Host& host, const nlohmann::json& config)
      : settings_(parseExcititorSettings(config)) {
    registerRoutes(host, {{"id", kId},
                          {"version", kVersion},
                          {"description", kDescription},
                          {"config", toJson(settings_)}});
  }
  void start() {}
  void stop() {}

 private:
  ExcititorSettings settings_;
};

}  // namespace jobengine::excititor

JE_PLUGIN(jobengine::excititor::ExcititorPlugin)
