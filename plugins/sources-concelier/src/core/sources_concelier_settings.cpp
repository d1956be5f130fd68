// Strict parsing of [plugins.sources-concelier]: known keys only, exact types, documented ranges.
// The rules and the error lines are the SDK's (jobengine/settings_reader.hpp); this file holds
// only what is this plugin's: its keys, their ranges and the JSON it shows.
#include "core/sources_concelier_settings.hpp"

#include "plugin_identity.hpp"

namespace jobengine::concelier {

ConcelierSettings parseConcelierSettings(const nlohmann::json& config) {
  ConcelierSettings settings;
  const sdk::SettingsReader reader(
      kPluginId, config,
      {"fetch_timeout_seconds", "max_document_mib", "demo_feed_mirror", "demo_tenant"});
  reader.readInt("fetch_timeout_seconds", 1, 3600, settings.fetch_timeout_seconds);
  reader.readInt("max_document_mib", 1, 1024, settings.max_document_mib);
  reader.readString("demo_feed_mirror", settings.demo_feed_mirror);
  reader.readString("demo_tenant", settings.demo_tenant);
  return settings;
}

nlohmann::json toJson(const ConcelierSettings& settings) {
  return nlohmann::json{{"fetch_timeout_seconds", settings.fetch_timeout_seconds},
                        {"max_document_mib", settings.max_document_mib},
                        {"demo_feed_mirror", settings.demo_feed_mirror},
                        {"demo_tenant", settings.demo_tenant}};
}

}  // namespace jobengine::concelier
