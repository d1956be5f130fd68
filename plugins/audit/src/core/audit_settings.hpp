// AuditSettings: the [plugins.audit] table, parsed strictly.
//
// Unknown keys are errors that list the allowed ones; a wrong type names the key and the
// expected type; out-of-range numbers name the range (sdk::SettingsReader words them all).
// Defaults match config.schema.json. Plain C++ (no ABI types), so unit tests link it directly.
#pragma once

#include <jobengine/settings_reader.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::audit {

// A configuration error; what() is one line starting with "plugins.audit".
using SettingsError = sdk::SettingsError;

struct AuditSettings {
  std::string signing_key_file = "";  // Ed25519 private key (PEM or hex seed) used to sign export
                                      // bundles; empty: <host.data_dir>/audit/signing_key.pem,
                                      // generated on first start (never unsigned)
  // Days ledger entries are kept before they may be pruned, and then only once a succeeded
  // export covers them (docs/ledger.md "Retention"); 0: keep forever. Fractional days are
  // allowed (0.5 is twelve hours; tests use a few seconds).
  double retention_days = 0;
  int prune_interval_seconds = 3600;  // how often the leader looks for entries to prune
  int metrics_refresh_seconds = 5;    // how often the leader recomputes the cluster gauges
};

// Parses the plugin's config table (a JSON object; the host strips "enabled"). Throws
// SettingsError.
AuditSettings parseAuditSettings(const nlohmann::json& config);

// The effective settings as JSON (what the /info route shows).
nlohmann::json toJson(const AuditSettings& settings);

}  // namespace jobengine::audit
