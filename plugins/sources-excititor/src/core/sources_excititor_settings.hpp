// ExcititorSettings: the [plugins.sources-excititor] table, parsed strictly.
//
// Unknown keys are errors that list the allowed ones; a wrong type names the key and the
// expected type; out-of-range numbers name the range (sdk::SettingsReader words them all).
// Defaults match config.schema.json. Plain C++ (no ABI types), so unit tests link it directly.
//
// Two things are easy to confuse, so they are named apart: the *raw-document store* is the
// table excititor.raw_documents (every fetched document, verbatim, content-addressed; no
// setting), and an *input mirror* is a folder of upstream documents read through file:// URIs
// (demo_feed_mirror names the bundled one for the demo providers).
#pragma once

#include <jobengine/settings_reader.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::excititor {

// A configuration error; what() is one line starting with "plugins.sources-excititor".
using SettingsError = sdk::SettingsError;

struct ExcititorSettings {
  int fetch_timeout_seconds = 30;  // timeout of one upstream request
  int max_document_mib = 64;       // a larger upstream document is refused
  // An input mirror (a folder laid out like tests/fixtures/feeds); when set, start() registers
  // the demo providers demo-openvex, demo-csaf and demo-cyclonedx of tenant demo_tenant reading it
  // through file:// (`make run` sets it). Empty: no demo providers.
  std::string demo_feed_mirror;
  std::string demo_tenant = "demo";
};

// Parses the plugin's config table (a JSON object; the host strips "enabled"). Throws
// SettingsError.
ExcititorSettings parseExcititorSettings(const nlohmann::json& config);

// The effective settings as JSON (what the /info route shows).
nlohmann::json toJson(const ExcititorSettings& settings);

}  // namespace jobengine::excititor
