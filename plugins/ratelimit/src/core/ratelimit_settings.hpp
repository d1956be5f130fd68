// RatelimitSettings: the [plugins.ratelimit] table, parsed strictly.
//
// Unknown keys are errors that list the allowed ones; a wrong type names the key and the
// expected type; out-of-range numbers name the range (sdk::SettingsReader words them all).
// Defaults match config.schema.json. Plain C++ (no ABI types), so unit tests link it directly.
#pragma once

#include <jobengine/settings_reader.hpp>

#include "core/circuit_breaker.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace jobengine::ratelimit {

// A configuration error; what() is one line starting with "plugins.ratelimit".
using SettingsError = sdk::SettingsError;

struct RatelimitSettings {
  // Load shedding: jobs waiting (queued + throttled) per tenant and job type, unless the
  // type's quota sets backlogLimit, past which enqueue answers 429 (0: unlimited).
  int default_backlog_limit = 1000000;
  // The same across all of a tenant's job types (0: unlimited).
  int tenant_backlog_limit = 0;
  // When a refused job looks again at a limit with no known end (maxActive full, a pause
  // without expiry), seconds.
  int recheck_seconds = 1;
  // Circuit breakers (SPEC §3 defaults): open at >= ratio failures of >= min completions in
  // the window; open for open_seconds, then half_open with half_open_probes probes.
  double breaker_failure_ratio = 0.5;
  int breaker_min_completions = 20;
  int breaker_window_seconds = 60;
  int breaker_open_seconds = 30;
  int breaker_half_open_probes = 3;
  // Outcomes for the breakers are folded in memory and written at most this often, ms.
  int outcome_flush_ms = 250;
  // Local reservations (docs/reservations.md): a replica takes blocks of a quota that is far
  // from its limits, at least this many jobs (and tokens) each, and its claims spend them
  // without locking the quota. 0: never; every claim of a quota'd type locks it.
  int reservation_min_block = 256;
  // How long a block serves claims before it is renewed, and how long a job type nobody claims
  // keeps its block, seconds (at most 10: a block's row lives 30 s and is used only while it
  // has 15 s left).
  int reservation_seconds = 3;
  // How often the leader recomputes the cluster gauges (docs/metrics.md), seconds.
  int metrics_refresh_seconds = 5;
};

// Parses the plugin's config table (a JSON object; the host strips "enabled"). Throws
// SettingsError.
RatelimitSettings parseRatelimitSettings(const nlohmann::json& config);

// The circuit breakers' configuration these settings give (breaker_* keys).
BreakerConfig breakerConfigOf(const RatelimitSettings& settings);

// The effective settings as JSON (what the /info route shows).
nlohmann::json toJson(const RatelimitSettings& settings);

}  // namespace jobengine::ratelimit
