// UpstreamBucket: the adaptive (AIMD) token bucket per (tenant, upstream host) that paces
// source fetches. SPEC §3.
//
// Configured: rpm (requests per minute), burst (capacity), cooldown_seconds. Adaptive part: an
// upstream 429/503 empties the bucket, starts a cool-down (Retry-After when the upstream sent
// one) and halves the current rate (multiplicative decrease); every success adds a tenth of the
// configured rate (additive increase) until the configured rate is back. Plain data, one column
// per field; the store loads it FOR UPDATE and writes it back after each call.
#pragma once

#include <chrono>
#include <optional>

#include "core/time_types.hpp"

namespace jobengine::ratelimit {

// Multiplicative decrease: a throttle report divides the current rate by this.
inline constexpr double kRateDecreaseFactor = 2.0;
// The rate never drops below configured / kMinRateDivisor (six halvings): a badly throttled host
// is still probed about once per 64 configured intervals, so it can recover without an operator.
inline constexpr double kMinRateDivisor = 64.0;
// Additive increase: each success adds configured / kRateIncreaseDivisor, so ten successes take a
// host from the floor back to the configured rate at most.
inline constexpr double kRateIncreaseDivisor = 10.0;

struct UpstreamBucket {
  int rpm = 0;                 // configured requests per minute (0: never grants)
  int burst = 1;               // bucket capacity in requests
  int cooldown_seconds = 60;   // cool-down after a 429/503 without Retry-After
  double current_per_s = 0.0;  // adaptive refill rate, in [configured / 64, configured]
  double level = 0.0;          // tokens held at updated_at
  TimePoint updated_at{};      // refill counts from here (set to cooldown_until on a throttle)
  TimePoint cooldown_until{};  // no request before this
};

struct AcquireResult {
  bool granted = false;
  TimePoint retry_at{};  // when denied: the earliest time a request can be granted (or kNever)
};

// The configured rate in requests per second (rpm / 60).
double configuredRatePerS(const UpstreamBucket& bucket);

// A fresh bucket: full, at the configured rate, not cooling down.
UpstreamBucket makeUpstreamBucket(int rpm, int burst, int cooldown_seconds, TimePoint now);

// Takes one token for a request. rpm <= 0: always denied, retry_at = kNever. During a cool-down:
// denied, retry_at = when the first token after the cool-down is there (the bucket refills from
// cooldown_until, so that is cooldown_until + 1 / current_per_s, never earlier than
// cooldown_until). Otherwise refills at the current rate and grants when a whole token is there,
// else retry_at = when it will be.
AcquireResult acquire(UpstreamBucket& bucket, TimePoint now);

// The upstream answered 429/503: level = 0, cooldown_until = now + (retry_after or
// cooldown_seconds) (never moved earlier), refill restarts at cooldown_until, and the current
// rate is halved down to the floor configured / 64. A report that arrives while a cool-down is
// already running only extends it: requests in flight when the first throttle came back carry no
// new information, and halving once per cool-down keeps a burst of 429s from collapsing the rate.
void reportThrottled(UpstreamBucket& bucket, TimePoint now,
                     std::optional<std::chrono::seconds> retry_after);

// The upstream answered a request: the current rate grows by configured / 10, capped at the
// configured rate. Ignored during a cool-down, for the same reason as above.
void reportSuccess(UpstreamBucket& bucket, TimePoint now);

}  // namespace jobengine::ratelimit
