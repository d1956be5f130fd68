// Token bucket arithmetic: continuous refill, whole-token grants, and "when will it be there".
#include "core/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace jobengine::ratelimit {

namespace {

// The bucket as seen at `now` (refilled on a copy), and the time refill counts from: updated_at
// when the clock stepped back, otherwise now.
struct View {
  TokenBucket bucket;
  TimePoint base;
};

View viewAt(const TokenBucket& bucket, TimePoint now) {
  View view{bucket, std::max(now, bucket.updated_at)};
  refill(view.bucket, now);
  return view;
}

TimePoint whenLevelReaches(const View& view, double tokens, TimePoint now) {
  const double missing = tokens - view.bucket.level;
  if (missing <= kTokenEpsilon) {
    return now;
  }
  if (view.bucket.refill_per_s <= 0.0) {
    return kNever;
  }
  return addSeconds(view.base, missing / view.bucket.refill_per_s);
}

}  // namespace

TokenBucket makeQuotaBucket(int max_per_hour, int burst, TimePoint now) {
  const double capacity = std::max(0.0, static_cast<double>(burst));
  return TokenBucket{capacity, std::max(0.0, static_cast<double>(max_per_hour)) / kSecondsPerHour,
                     capacity, now};
}

void refill(TokenBucket& bucket, TimePoint now) {
  if (now <= bucket.updated_at) {
    return;
  }
  const double accrued =
      secondsBetween(bucket.updated_at, now) * std::max(0.0, bucket.refill_per_s);
  bucket.level = std::clamp(bucket.level + accrued, 0.0, std::max(0.0, bucket.capacity));
  bucket.updated_at = now;
}

int wholeTokens(const TokenBucket& bucket, int at_most) {
  const double whole = std::floor(bucket.level + kTokenEpsilon);
  return static_cast<int>(std::clamp(whole, 0.0, static_cast<double>(std::max(at_most, 0))));
}

int take(TokenBucket& bucket, int requested, TimePoint now) {
  refill(bucket, now);
  const int granted = wholeTokens(bucket, requested);
  bucket.level = std::max(0.0, bucket.level - granted);
  return granted;
}

TimePoint whenAvailable(const TokenBucket& bucket, double tokens_needed, TimePoint now) {
  if (tokens_needed > bucket.capacity + kTokenEpsilon) {
    return kNever;
  }
  return whenLevelReaches(viewAt(bucket, now), tokens_needed, now);
}

TimePoint whenNthAvailable(const TokenBucket& bucket, int n, TimePoint now) {
  return whenLevelReaches(viewAt(bucket, now), static_cast<double>(std::max(n, 0)), now);
}

}  // namespace jobengine::ratelimit
