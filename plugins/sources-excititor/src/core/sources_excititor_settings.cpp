// Strict parsing of [plugins.sources-excititor]: known keys only, exact types, documented ranges.
// The rules and the error lines are the SDK's (jobengine/settings_reader.hpp); this file holds
// only what is this plugin's: its keys, their ranges and the JSON it shows.
#include "core/sources_excititor_settings.hpp"

namespace jobengine::excititor {

ExcititorSettings parseExcititorSettings(const nlohmann::json& config) {
  ExcititorSettings settings;
  const sdk::SettingsReader reader("sources-excititor", config,
                                   {"fetch_timeout_seconds", "mirror_dir"});
  reader.readInt("fetch_timeout_seconds", 1, 3600, settings.fetch_timeout_seconds);
  reader.readString("mirror_dir", settings.mirror_dir);
  return settings;
}

nlohmann::json toJson(const ExcititorSettings& settings) {
  return nlohmann::json{{"fetch_timeout_seconds", settings.fetch_timeout_seconds},
                        {"mirror_dir", settings.mirror_dir}};
}

}  // namespace jobengine::excititor
