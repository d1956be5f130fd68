// RatelimitSettings: the [plugins.ratelimit] table, parsed strictly.
//
// Unknown keys are errors that list the allowed ones; a wrong type names the key and the
// expected type; out-of-range numbers name the range (sdk::SettingsReader words them all).
// Defaults match config.schema.json. Plain C++ (no ABI types), so unit tests link it directly.
#pragma once

#include <jobengine/settings_reader.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::ratelimit {

// A configuration error; what() is one line starting with "plugins.ratelimit".
using SettingsError = sdk::SettingsError;

struct RatelimitSettings {
  int default_backlog_limit =
      10000;  // queued jobs per tenant and job type before admission refuses more (0: unlimited)
};

// Parses the plugin's config table (a JSON object; the host strips "enabled"). Throws
// SettingsError.
RatelimitSettings parseRatelimitSettings(const nlohmann::json& config);

// The effective settings as JSON (what the /info route shows).
nlohmann::json toJson(const RatelimitSettings& settings);

}  // namespace jobengine::ratelimit
