// AIMD upstream bucket: a TokenBucket at the current (adaptive) rate plus a cool-down.
#include "core/upstream_bucket.hpp"

#include <algorithm>

#include "core/token_bucket.hpp"

namespace jobengine::ratelimit {

namespace {

// The current rate kept inside [floor, configured] (the configuration may have changed since
// the row was written).
double clampedRate(const UpstreamBucket& bucket) {
  const double configured = configuredRatePerS(bucket);
  return std::clamp(bucket.current_per_s, configured / kMinRateDivisor, configured);
}

TokenBucket asTokenBucket(const UpstreamBucket& bucket) {
  return TokenBucket{static_cast<double>(std::max(bucket.burst, 0)), clampedRate(bucket),
                     bucket.level, bucket.updated_at};
}

}  // namespace

double configuredRatePerS(const UpstreamBucket& bucket) {
  return static_cast<double>(std::max(bucket.rpm, 0)) / 60.0;
}

UpstreamBucket makeUpstreamBucket(int rpm, int burst, int cooldown_seconds, TimePoint now) {
  UpstreamBucket bucket{rpm, burst, cooldown_seconds, 0.0, 0.0, now, now};
  bucket.current_per_s = configuredRatePerS(bucket);
  bucket.level = static_cast<double>(std::max(burst, 0));
  return bucket;
}

AcquireResult acquire(UpstreamBucket& bucket, TimePoint now) {
  if (configuredRatePerS(bucket) <= 0.0) {
    return AcquireResult{false, kNever};
  }
  TokenBucket tokens = asTokenBucket(bucket);
  if (now < bucket.cooldown_until) {
    return AcquireResult{false, std::max(bucket.cooldown_until, whenAvailable(tokens, 1.0, now))};
  }
  const int granted = take(tokens, 1, now);
  bucket.current_per_s = tokens.refill_per_s;
  bucket.level = tokens.level;
  bucket.updated_at = tokens.updated_at;
  if (granted == 1) {
    return AcquireResult{true, now};
  }
  return AcquireResult{false, whenAvailable(tokens, 1.0, now)};
}

void reportThrottled(UpstreamBucket& bucket, TimePoint now,
                     std::optional<std::chrono::seconds> retry_after) {
  const bool already_cooling = now < bucket.cooldown_until;
  const std::chrono::seconds wait = std::max(
      retry_after.value_or(std::chrono::seconds(bucket.cooldown_seconds)), std::chrono::seconds(0));
  bucket.cooldown_until = std::max(bucket.cooldown_until, now + wait);
  bucket.level = 0.0;
  bucket.updated_at = bucket.cooldown_until;
  const double rate = clampedRate(bucket);
  bucket.current_per_s = already_cooling ? rate
                                         : std::max(rate / kRateDecreaseFactor,
                                                    configuredRatePerS(bucket) / kMinRateDivisor);
}

void reportSuccess(UpstreamBucket& bucket, TimePoint now) {
  if (now < bucket.cooldown_until) {
    return;
  }
  const double configured = configuredRatePerS(bucket);
  bucket.current_per_s =
      std::min(configured, clampedRate(bucket) + configured / kRateIncreaseDivisor);
}

}  // namespace jobengine::ratelimit
