// Strict parsing of [plugins.ratelimit]: known keys only, exact types, documented ranges.
// The rules and the error lines are the SDK's (jobengine/settings_reader.hpp); this file holds
// only what is this plugin's: its keys, their ranges and the JSON it shows.
#include "core/ratelimit_settings.hpp"

namespace jobengine::ratelimit {

RatelimitSettings parseRatelimitSettings(const nlohmann::json& config) {
  RatelimitSettings settings;
  const sdk::SettingsReader reader(
      "ratelimit", config,
      {"default_backlog_limit", "tenant_backlog_limit", "recheck_seconds", "breaker_failure_ratio",
       "breaker_min_completions", "breaker_window_seconds", "breaker_open_seconds",
       "breaker_half_open_probes", "outcome_flush_ms", "reservation_min_block",
       "reservation_seconds", "metrics_refresh_seconds"});
  reader.readInt("default_backlog_limit", 0, 100000000, settings.default_backlog_limit);
  reader.readInt("tenant_backlog_limit", 0, 100000000, settings.tenant_backlog_limit);
  reader.readInt("recheck_seconds", 1, 3600, settings.recheck_seconds);
  reader.readNumber("breaker_failure_ratio", 0.01, 1.0, settings.breaker_failure_ratio);
  reader.readInt("breaker_min_completions", 1, 1000000, settings.breaker_min_completions);
  reader.readInt("breaker_window_seconds", 12, 86400, settings.breaker_window_seconds);
  reader.readInt("breaker_open_seconds", 1, 86400, settings.breaker_open_seconds);
  reader.readInt("breaker_half_open_probes", 1, 1000, settings.breaker_half_open_probes);
  reader.readInt("outcome_flush_ms", 10, 10000, settings.outcome_flush_ms);
  reader.readInt("reservation_min_block", 0, 1000000, settings.reservation_min_block);
  reader.readInt("reservation_seconds", 1, 10, settings.reservation_seconds);
  reader.readInt("metrics_refresh_seconds", 1, 3600, settings.metrics_refresh_seconds);
  return settings;
}

BreakerConfig breakerConfigOf(const RatelimitSettings& settings) {
  return BreakerConfig{settings.breaker_failure_ratio, settings.breaker_min_completions,
                       settings.breaker_window_seconds, settings.breaker_open_seconds,
                       settings.breaker_half_open_probes};
}

nlohmann::json toJson(const RatelimitSettings& settings) {
  return nlohmann::json{{"default_backlog_limit", settings.default_backlog_limit},
                        {"tenant_backlog_limit", settings.tenant_backlog_limit},
                        {"recheck_seconds", settings.recheck_seconds},
                        {"breaker_failure_ratio", settings.breaker_failure_ratio},
                        {"breaker_min_completions", settings.breaker_min_completions},
                        {"breaker_window_seconds", settings.breaker_window_seconds},
                        {"breaker_open_seconds", settings.breaker_open_seconds},
                        {"breaker_half_open_probes", settings.breaker_half_open_probes},
                        {"outcome_flush_ms", settings.outcome_flush_ms},
                        {"reservation_min_block", settings.reservation_min_block},
                        {"reservation_seconds", settings.reservation_seconds},
                        {"metrics_refresh_seconds", settings.metrics_refresh_seconds}};
}

}  // namespace jobengine::ratelimit
