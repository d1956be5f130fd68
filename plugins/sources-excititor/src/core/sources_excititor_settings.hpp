// ExcititorSettings: the [plugins.sources-excititor] table, parsed strictly — the adapter kit's
// settings (jobengine/adapter/adapter_settings.hpp: fetch_timeout_seconds, max_document_mib,
// demo_feed_mirror, demo_tenant; unknown keys, wrong types and ranges refused naming the key),
// under this plugin's id. A setting only this plugin takes would go here, beside the kit's.
#pragma once

#include <jobengine/adapter/adapter_settings.hpp>

#include <nlohmann/json.hpp>

namespace jobengine::excititor {

// A configuration error; what() is one line starting with "plugins.sources-excititor".
using SettingsError = sdk::SettingsError;

using ExcititorSettings = adapter::AdapterSettings;

// Parses the plugin's config table (a JSON object; the host strips "enabled"). Throws
// SettingsError.
ExcititorSettings parseExcititorSettings(const nlohmann::json& config);

// The effective settings as JSON (what the /info route shows).
using adapter::toJson;

}  // namespace jobengine::excititor
