// Read-only views of the stored limits for the operator routes (GET /quotas/summary,
// GET /circuit-breakers, GET /ratelimit/buckets): what a bucket holds now, when its next token
// comes, and what a breaker's window counts, all through the core's own arithmetic
// (token_bucket, upstream_bucket, circuit_breaker) at the database's `now`. Nothing is written
// back: a read never spends or moves a limit.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "core/circuit_breaker.hpp"
#include "core/time_types.hpp"
#include "core/token_bucket.hpp"
#include "core/upstream_bucket.hpp"

namespace jobengine::ratelimit {

struct BucketView {
  double level = 0.0;                      // tokens held at now (refilled, capped at capacity)
  std::optional<TimePoint> next_token_at;  // nullopt: a whole token is there, or no refill
};

// The bucket refilled to now; next_token_at = when one whole token is there (whenAvailable),
// nullopt when the bucket already holds one or does not refill.
BucketView bucketViewAt(const TokenBucket& bucket, TimePoint now);

// An upstream bucket's level at now: refilled from updated_at at the current (adaptive) rate,
// nothing during a cool-down (refill restarts at cooldown_until, kept in updated_at).
double upstreamLevelAt(const UpstreamBucket& bucket, TimePoint now);

// breakers.window_slots ([{"start": epoch seconds, "ok": n, "failed": n}, ...]) to the core's
// slots and back. Malformed entries are skipped (a window is advisory; a reset clears it); the
// JSON form keeps only slots that counted something.
std::vector<BreakerSlot> breakerSlotsFromJson(const nlohmann::json& slots);
nlohmann::json breakerSlotsToJson(const std::vector<BreakerSlot>& slots);

// "closed" | "open" | "half_open" (the table's CHECK) and back; unknown text reads as closed.
BreakerState breakerStateFromText(std::string_view text);
const char* breakerStateText(BreakerState state);

struct BreakerView {
  int completions = 0;
  int failures = 0;
  std::optional<double> failure_ratio;  // nullopt without completions
};

// The window's counts at now (windowCounts) and the failure ratio.
BreakerView breakerViewAt(const CircuitBreaker& breaker, const BreakerConfig& config,
                          TimePoint now);

}  // namespace jobengine::ratelimit
