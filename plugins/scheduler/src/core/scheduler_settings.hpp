// SchedulerSettings: the [plugins.scheduler] table, parsed strictly.
//
// Unknown keys are errors that list the allowed ones; a wrong type names the key and the
// expected type; out-of-range numbers name the range (sdk::SettingsReader words them all).
// Defaults match config.schema.json. Plain C++ (no ABI types), so unit tests link it directly.
#pragma once

#include <jobengine/settings_reader.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::scheduler {

// A configuration error; what() is one line starting with "plugins.scheduler".
using SettingsError = sdk::SettingsError;

struct SchedulerSettings {
  int default_max_attempts = 5;  // attempts before a job is dead-lettered, when its type sets none
  int default_lease_seconds = 60;  // lease length granted on claim, when its type sets none
  int runner_threads = 4;          // in-process runner threads for plugin job handlers (0: none)
  int claim_batch_size = 32;       // most jobs one claim round trip leases
  int backoff_base_ms = 1000;      // first retry delay
  double backoff_factor = 2.0;     // growth of the delay per attempt
  int backoff_cap_ms = 300000;     // longest retry delay
  int poll_interval_ms = 100;      // the runner's first idle poll after work (runner.hpp)
  int idle_poll_max_ms = 2000;     // the idle poll's interval doubles up to this
  int sweep_interval_ms = 1000;    // expired-lease sweep period (one replica at a time)
  int backfill_window_minutes = 1440;  // a backfill's window size when the request gives none
  int backfill_priority = 1;           // priority of backfill jobs (live syncs: 5)
  int metrics_refresh_seconds = 5;     // leader's cluster gauge refresh period (docs/metrics.md)
  // Retention (SPEC §9, README "Retention"): terminal jobs finished more than retention_days
  // ago are pruned by the leader (0: kept forever), every retention_interval_seconds, at most
  // retention_batch_rows jobs per statement.
  double retention_days = 30;  // a decimal is allowed (0.0007 ≈ one minute: tests, benchmarks)
  int retention_interval_seconds = 60;
  int retention_batch_rows = 2000;
};

// Parses the plugin's config table (a JSON object; the host strips "enabled"). Throws
// SettingsError.
SchedulerSettings parseSchedulerSettings(const nlohmann::json& config);

// The effective settings as JSON (what the /info route shows).
nlohmann::json toJson(const SchedulerSettings& settings);

}  // namespace jobengine::scheduler
