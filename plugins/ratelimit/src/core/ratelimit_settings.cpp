// Strict parsing of [plugins.ratelimit]: known keys only, exact types, documented ranges.
// The rules and the error lines are the SDK's (jobengine/settings_reader.hpp); this file holds
// only what is this plugin's: its keys, their ranges and the JSON it shows.
#include "core/ratelimit_settings.hpp"

namespace jobengine::ratelimit {

RatelimitSettings parseRatelimitSettings(const nlohmann::json& config) {
  RatelimitSettings settings;
  const sdk::SettingsReader reader("ratelimit", config, {"default_backlog_limit"});
  reader.readInt("default_backlog_limit", 0, 100000000, settings.default_backlog_limit);
  return settings;
}

nlohmann::json toJson(const RatelimitSettings& settings) {
  return nlohmann::json{{"default_backlog_limit", settings.default_backlog_limit}};
}

}  // namespace jobengine::ratelimit
