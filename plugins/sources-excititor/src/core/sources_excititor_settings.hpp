// ExcititorSettings: the [plugins.sources-excititor] table, parsed strictly.
//
// Unknown keys are errors that list the allowed ones; a wrong type names the key and the
// expected type; out-of-range numbers name the range (sdk::SettingsReader words them all).
// Defaults match config.schema.json. Plain C++ (no ABI types), so unit tests link it directly.
#pragma once

#include <jobengine/settings_reader.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::excititor {

// A configuration error; what() is one line starting with "plugins.sources-excititor".
using SettingsError = sdk::SettingsError;

struct ExcititorSettings {
  int fetch_timeout_seconds = 30;  // timeout of one upstream fetch
  std::string mirror_dir =
      "var/mirror/excititor";  // where fetched raw documents are kept (relative paths are relative
                               // to the working directory)
};

// Parses the plugin's config table (a JSON object; the host strips "enabled"). Throws
// SettingsError.
ExcititorSettings parseExcititorSettings(const nlohmann::json& config);

// The effective settings as JSON (what the /info route shows).
nlohmann::json toJson(const ExcititorSettings& settings);

}  // namespace jobengine::excititor
