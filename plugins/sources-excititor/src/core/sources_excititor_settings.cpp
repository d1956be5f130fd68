// Strict parsing of [plugins.sources-excititor]: known keys only, exact types, documented ranges.
// The rules and the error lines are the SDK's (jobengine/settings_reader.hpp); this file holds
// only what is this plugin's: its keys, their ranges and the JSON it shows.
#include "core/sources_excititor_settings.hpp"

namespace jobengine::excititor {

ExcititorSettings parseExcititorSettings(const nlohmann::json& config) {
  ExcititorSettings settings;
  const sdk::SettingsReader reader(
      "sources-excititor", config,
      {"fetch_timeout_seconds", "max_document_mib", "demo_feed_mirror", "demo_tenant"});
  reader.readInt("fetch_timeout_seconds", 1, 3600, settings.fetch_timeout_seconds);
  reader.readInt("max_document_mib", 1, 1024, settings.max_document_mib);
  reader.readString("demo_feed_mirror", settings.demo_feed_mirror);
  reader.readString("demo_tenant", settings.demo_tenant);
  return settings;
}

nlohmann::json toJson(const ExcititorSettings& settings) {
  return nlohmann::json{{"fetch_timeout_seconds", settings.fetch_timeout_seconds},
                        {"max_document_mib", settings.max_document_mib},
                        {"demo_feed_mirror", settings.demo_feed_mirror},
                        {"demo_tenant", settings.demo_tenant}};
}

}  // namespace jobengine::excititor
