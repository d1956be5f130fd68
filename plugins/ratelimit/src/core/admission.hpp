// Admission: the one decision the scheduler's claim path asks for. For a group of candidate jobs
// of one (tenant, job type, source), in priority order, it says how many may be leased now and,
// for the rest, why not (the job's `throttled` reason, SPEC §2) and when to look again.
//
// Every limit gives how many of the `requested` candidates it allows; admitted is the minimum and
// the reason is that of the tightest limit, ties going to the earlier one in this precedence:
//   quota_paused, source_paused, throttled (pause on the job type), circuit_open,
//   throttled (cap reached), quota_exhausted (max_active reached), rate_limited (bucket empty).
// Tokens are taken and breaker probes counted for the admitted jobs only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/circuit_breaker.hpp"
#include "core/throttle.hpp"
#include "core/time_types.hpp"
#include "core/token_bucket.hpp"

namespace jobengine::ratelimit {

// The reasons a refused job carries (SPEC §2); the strings are stored and shown as they are.
inline constexpr std::string_view kReasonQuotaPaused = "quota_paused";
inline constexpr std::string_view kReasonSourcePaused = "source_paused";
inline constexpr std::string_view kReasonThrottled = "throttled";
inline constexpr std::string_view kReasonCircuitOpen = "circuit_open";
inline constexpr std::string_view kReasonQuotaExhausted = "quota_exhausted";
inline constexpr std::string_view kReasonRateLimited = "rate_limited";

// The (tenant, job_type) quota row.
struct Quota {
  bool paused = false;
  std::optional<int> max_active;      // jobs leased or running at once; none: unlimited
  std::optional<TokenBucket> bucket;  // max_per_hour / burst; none: no rate limit
};

struct BreakerInput {
  CircuitBreaker state;
  BreakerConfig config;
};

struct AdmissionRequest {
  int requested = 0;  // candidates in the group, in priority order
  int active = 0;     // jobs of this tenant + job type leased or running (scheduler's count)
  // Jobs of this source leased or running, for a cap on the source; none: `active` is used
  // (right when the group's job type is the only one fetching from the source).
  std::optional<int> source_active;
  std::string job_type;
  std::string source_id;  // empty when the jobs have no source
  std::optional<Quota> quota;
  std::vector<Throttle> throttles;  // inactive or non-applying ones are skipped
  std::optional<BreakerInput> breaker;
  // When to look again at a limit with no known end (max_active full, a pause without expiry,
  // anything that would otherwise be kNever).
  std::chrono::seconds recheck{30};
};

struct AdmissionDecision {
  int admitted = 0;                         // the first `admitted` candidates may be leased
  std::string reason;                       // for the others; empty when all are admitted
  std::vector<TimePoint> next_eligible_at;  // one per refused candidate, in order
  std::optional<TokenBucket> bucket;        // the quota bucket to write back (refilled, taken)
  std::optional<CircuitBreaker> breaker;    // the breaker to write back (probes counted)
};

// Decides admission at `now`. next_eligible_at per refused candidate, by reason:
//   rate_limited: the i-th (0-based) refused job gets the time the bucket has refilled i + 1
//     more tokens (whenNthAvailable), so they are spread at the refill rate;
//   circuit_open: the breaker's next_eligible_at (opened_until; in half_open with no probe left,
//     now + open_seconds);
//   source_paused / throttled by a pause: the latest expiry of the applicable pauses;
//   quota_exhausted, throttled by a cap, quota_paused, a pause without expiry, and any kNever:
//     now + recheck.
AdmissionDecision decideAdmission(const AdmissionRequest& request, TimePoint now);

}  // namespace jobengine::ratelimit
