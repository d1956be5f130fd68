// Strict parsing of [plugins.scheduler]: known keys only, exact types, documented ranges.
// The rules and the error lines are the SDK's (jobengine/settings_reader.hpp); this file holds
// only what is this plugin's: its keys, their ranges and the JSON it shows.
#include "core/scheduler_settings.hpp"

namespace jobengine::scheduler {

SchedulerSettings parseSchedulerSettings(const nlohmann::json& config) {
  SchedulerSettings settings;
  const sdk::SettingsReader reader(
      "scheduler", config,
      {"default_max_attempts", "default_lease_seconds", "runner_threads", "claim_batch_size",
       "backoff_base_ms", "backoff_factor", "backoff_cap_ms", "poll_interval_ms",
       "idle_poll_max_ms", "sweep_interval_ms", "backfill_window_minutes", "backfill_priority",
       "metrics_refresh_seconds", "retention_days", "retention_interval_seconds",
       "retention_batch_rows"});
  reader.readInt("default_max_attempts", 1, 100, settings.default_max_attempts);
  reader.readInt("default_lease_seconds", 1, 86400, settings.default_lease_seconds);
  reader.readInt("runner_threads", 0, 256, settings.runner_threads);
  reader.readInt("claim_batch_size", 1, 1000, settings.claim_batch_size);
  reader.readInt("backoff_base_ms", 1, 86400000, settings.backoff_base_ms);
  reader.readNumber("backoff_factor", 1.0, 100.0, settings.backoff_factor);
  reader.readInt("backoff_cap_ms", 1, 86400000, settings.backoff_cap_ms);
  reader.readInt("poll_interval_ms", 10, 60000, settings.poll_interval_ms);
  reader.readInt("idle_poll_max_ms", 10, 600000, settings.idle_poll_max_ms);
  reader.readInt("sweep_interval_ms", 50, 600000, settings.sweep_interval_ms);
  reader.readInt("backfill_window_minutes", 1, 525600, settings.backfill_window_minutes);
  reader.readInt("backfill_priority", 0, 9, settings.backfill_priority);
  reader.readInt("metrics_refresh_seconds", 1, 3600, settings.metrics_refresh_seconds);
  reader.readNumber("retention_days", 0, 36500, settings.retention_days);
  reader.readInt("retention_interval_seconds", 1, 86400, settings.retention_interval_seconds);
  reader.readInt("retention_batch_rows", 100, 100000, settings.retention_batch_rows);
  return settings;
}

nlohmann::json toJson(const SchedulerSettings& settings) {
  return nlohmann::json{{"default_max_attempts", settings.default_max_attempts},
                        {"default_lease_seconds", settings.default_lease_seconds},
                        {"runner_threads", settings.runner_threads},
                        {"claim_batch_size", settings.claim_batch_size},
                        {"backoff_base_ms", settings.backoff_base_ms},
                        {"backoff_factor", settings.backoff_factor},
                        {"backoff_cap_ms", settings.backoff_cap_ms},
                        {"poll_interval_ms", settings.poll_interval_ms},
                        {"idle_poll_max_ms", settings.idle_poll_max_ms},
                        {"sweep_interval_ms", settings.sweep_interval_ms},
                        {"backfill_window_minutes", settings.backfill_window_minutes},
                        {"backfill_priority", settings.backfill_priority},
                        {"metrics_refresh_seconds", settings.metrics_refresh_seconds},
                        {"retention_days", settings.retention_days},
                        {"retention_interval_seconds", settings.retention_interval_seconds},
                        {"retention_batch_rows", settings.retention_batch_rows}};
}

}  // namespace jobengine::scheduler
