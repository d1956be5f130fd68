// Strict parsing of [plugins.audit]: known keys only, exact types, documented ranges.
// The rules and the error lines are the SDK's (jobengine/settings_reader.hpp); this file holds
// only what is this plugin's: its keys, their ranges and the JSON it shows.
#include "core/audit_settings.hpp"

namespace jobengine::audit {

AuditSettings parseAuditSettings(const nlohmann::json& config) {
  AuditSettings settings;
  const sdk::SettingsReader reader(
      "audit", config,
      {"signing_key_file", "retention_days", "prune_interval_seconds", "metrics_refresh_seconds"});
  reader.readString("signing_key_file", settings.signing_key_file);
  reader.readNumber("retention_days", 0, 36500, settings.retention_days);
  reader.readInt("prune_interval_seconds", 1, 604800, settings.prune_interval_seconds);
  reader.readInt("metrics_refresh_seconds", 1, 3600, settings.metrics_refresh_seconds);
  return settings;
}

nlohmann::json toJson(const AuditSettings& settings) {
  return nlohmann::json{{"signing_key_file", settings.signing_key_file},
                        {"retention_days", settings.retention_days},
                        {"prune_interval_seconds", settings.prune_interval_seconds},
                        {"metrics_refresh_seconds", settings.metrics_refresh_seconds}};
}

}  // namespace jobengine::audit
