// TokenBucket: the plain-data token bucket behind quotas (max_per_hour / burst) and, with an
// adaptive rate on top, behind upstream hosts (upstream_bucket.hpp). SPEC §3.
//
// The state is four columns (capacity, refill_per_s, level, updated_at); the store loads it
// FOR UPDATE, calls these functions with the database's now() and writes it back. Tokens accrue
// continuously (level is fractional) but are granted whole. Invariants kept by every function:
// 0 <= level <= capacity after a refill, and updated_at never moves backwards: a clock that steps
// back changes nothing, refill resumes once `now` passes updated_at again.
#pragma once

#include "core/time_types.hpp"

namespace jobengine::ratelimit {

// Slack when comparing a fractional level with whole tokens, so that floating-point error in
// elapsed * rate (e.g. 3600 s at 1/3600 per s giving 0.9999999999) does not withhold a token at
// the time whenAvailable() promised it.
inline constexpr double kTokenEpsilon = 1e-9;

inline constexpr double kSecondsPerHour = 3600.0;

struct TokenBucket {
  double capacity = 0.0;      // most tokens the bucket holds (a quota's burst)
  double refill_per_s = 0.0;  // tokens added per second (a quota's max_per_hour / 3600)
  double level = 0.0;         // tokens held at updated_at, fractional
  TimePoint updated_at{};     // when level was last brought up to date
};

// A full quota bucket: capacity = burst, refill = max_per_hour / 3600 per second.
TokenBucket makeQuotaBucket(int max_per_hour, int burst, TimePoint now);

// Adds the tokens accrued since updated_at (elapsed * refill_per_s), capped at capacity, and
// sets updated_at = now. A `now` earlier than updated_at changes nothing.
void refill(TokenBucket& bucket, TimePoint now);

// Whole tokens the bucket holds as it stands (no refill), at most `at_most` (>= 0).
int wholeTokens(const TokenBucket& bucket, int at_most);

// Refills, then takes up to `requested` whole tokens; returns how many were granted (0 when
// requested <= 0 or fewer than one token is there).
int take(TokenBucket& bucket, int requested, TimePoint now);

// When the bucket will hold `tokens_needed` tokens if nobody takes any: `now` when it already
// does, kNever when tokens_needed > capacity or the bucket does not refill.
TimePoint whenAvailable(const TokenBucket& bucket, double tokens_needed, TimePoint now);

// When the n-th token (n >= 1) will be there for a queue of takers that each take one token as
// soon as it exists: now + (n - level) / refill_per_s. Unlike whenAvailable() the capacity does
// not cap this, since the queue drains the bucket as it fills; it spreads refused jobs over time.
// `now` when level already covers n; kNever when the bucket does not refill.
TimePoint whenNthAvailable(const TokenBucket& bucket, int n, TimePoint now);

}  // namespace jobengine::ratelimit
