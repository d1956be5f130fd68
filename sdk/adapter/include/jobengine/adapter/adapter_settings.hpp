// jobengine/adapter/adapter_settings.hpp — the config table every adapter plugin takes,
// [plugins.<plugin id>], parsed strictly: unknown keys are errors that list the allowed ones; a
// wrong type names the key and the expected type; out-of-range numbers name the range
// (sdk::SettingsReader words them all, starting "plugins.<plugin id>"). Defaults match the
// plugins' config.schema.json. Plain C++ (the SDK's header-only reader), so unit tests link it.
//
// Two things are easy to confuse, so they are named apart: the *raw-document store* is the
// plugin's table <schema>.raw_documents (every fetched document, verbatim, content-addressed; no
// setting), and an *input mirror* is a folder of upstream documents read through file://
// (demo_feed_mirror names the bundled one for the demo records).
#pragma once

#include <jobengine/settings_reader.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::adapter {

struct AdapterSettings {
  int fetch_timeout_seconds = 30;  // timeout of one upstream request
  int max_document_mib = 64;       // a larger upstream document is refused
  // An input mirror (a folder laid out like tests/fixtures/feeds); when set, start() registers
  // the plugin's demo records (one per format) of tenant demo_tenant reading it through file://
  // (`make run` sets it). Empty: no demo records.
  std::string demo_feed_mirror;
  std::string demo_tenant = "demo";
};

// Parses the config table of plugin `plugin_id` (a JSON object; the host strips "enabled").
// Throws sdk::SettingsError.
AdapterSettings parseAdapterSettings(const std::string& plugin_id, const nlohmann::json& config);

// The effective settings as JSON (what the plugin's /info route shows).
nlohmann::json toJson(const AdapterSettings& settings);

}  // namespace jobengine::adapter
