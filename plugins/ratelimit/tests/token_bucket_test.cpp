// Unit tests of the token bucket: refill over time, the cap, a clock stepping back, fractional
// levels with whole grants, and when tokens will be there (including never).
#include "core/token_bucket.hpp"

#include <gtest/gtest.h>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using testing::at;
using testing::atMs;
using testing::kT0;

TokenBucket bucket(double capacity, double refill_per_s, double level) {
  return TokenBucket{capacity, refill_per_s, level, kT0};
}

TEST(TokenBucketTest, QuotaBucketIsFullWithHourlyRefill) {
  const TokenBucket quota = makeQuotaBucket(7200, 10, kT0);
  EXPECT_EQ(quota.capacity, 10.0);
  EXPECT_EQ(quota.refill_per_s, 2.0);
  EXPECT_EQ(quota.level, 10.0);
  EXPECT_EQ(quota.updated_at, kT0);
}

TEST(TokenBucketTest, RefillGrowsWithElapsedTime) {
  TokenBucket b = bucket(10, 2, 0);
  refill(b, at(3));
  EXPECT_EQ(b.level, 6.0);
  EXPECT_EQ(b.updated_at, at(3));
  refill(b, atMs(3500));
  EXPECT_EQ(b.level, 7.0);
}

TEST(TokenBucketTest, RefillIsCappedAtCapacity) {
  TokenBucket b = bucket(10, 2, 9);
  refill(b, at(100));
  EXPECT_EQ(b.level, 10.0);
  EXPECT_EQ(b.updated_at, at(100));
}

TEST(TokenBucketTest, ClockSteppingBackChangesNothing) {
  TokenBucket b = bucket(10, 2, 1);
  refill(b, at(-5));
  EXPECT_EQ(b.level, 1.0);
  EXPECT_EQ(b.updated_at, kT0);
  // Refill resumes from updated_at, not from the earlier time.
  refill(b, at(1));
  EXPECT_EQ(b.level, 3.0);
}

TEST(TokenBucketTest, TakeGrantsWholeTokensUpToRequested) {
  TokenBucket b = bucket(10, 0, 10);
  EXPECT_EQ(take(b, 3, kT0), 3);
  EXPECT_EQ(b.level, 7.0);
  EXPECT_EQ(take(b, 20, kT0), 7);
  EXPECT_EQ(b.level, 0.0);
  EXPECT_EQ(take(b, 1, kT0), 0);
}

TEST(TokenBucketTest, WholeTokensFloorsAndCaps) {
  EXPECT_EQ(wholeTokens(bucket(10, 1, 3.75), 10), 3);
  EXPECT_EQ(wholeTokens(bucket(10, 1, 3.75), 2), 2);
  EXPECT_EQ(wholeTokens(bucket(10, 1, 3.75), -1), 0);
  EXPECT_EQ(wholeTokens(bucket(10, 1, 0.5), 10), 0);
}

TEST(TokenBucketTest, TakeOfNothingOrNegativeGrantsNothing) {
  TokenBucket b = bucket(10, 0, 5);
  EXPECT_EQ(take(b, 0, kT0), 0);
  EXPECT_EQ(take(b, -2, kT0), 0);
  EXPECT_EQ(b.level, 5.0);
}

TEST(TokenBucketTest, FractionalLevelIsKeptButNeverGranted) {
  TokenBucket b = bucket(10, 0.5, 0);
  EXPECT_EQ(take(b, 1, at(1)), 0);
  EXPECT_EQ(b.level, 0.5);
  EXPECT_EQ(take(b, 5, at(3)), 1);
  EXPECT_EQ(b.level, 0.5);
  EXPECT_EQ(b.updated_at, at(3));
}

TEST(TokenBucketTest, TakeRefillsFirst) {
  TokenBucket b = bucket(4, 1, 0);
  EXPECT_EQ(take(b, 10, at(10)), 4);
  EXPECT_EQ(b.level, 0.0);
}

TEST(TokenBucketTest, WhenAvailableIsNowWhenTokensAreThere) {
  const TokenBucket b = bucket(10, 1, 3);
  EXPECT_EQ(whenAvailable(b, 3, at(0)), kT0);
  EXPECT_EQ(whenAvailable(b, 5, at(2)), at(2));
}

TEST(TokenBucketTest, WhenAvailableCountsTheMissingTokens) {
  const TokenBucket b = bucket(10, 0.5, 0.5);
  EXPECT_EQ(whenAvailable(b, 2, kT0), at(3));
  EXPECT_EQ(whenAvailable(b, 2, at(1)), at(3));
  EXPECT_EQ(whenAvailable(b, 10, kT0), at(19));
}

TEST(TokenBucketTest, WhenAvailableIsNeverAboveCapacityOrWithoutRefill) {
  EXPECT_EQ(whenAvailable(bucket(10, 1, 0), 10.5, kT0), kNever);
  EXPECT_EQ(whenAvailable(bucket(10, 0, 0.5), 1, kT0), kNever);
  EXPECT_EQ(whenAvailable(bucket(10, 0, 1), 1, kT0), kT0);
}

TEST(TokenBucketTest, WhenAvailableAfterClockSteppedBackCountsFromUpdatedAt) {
  const TokenBucket b = bucket(10, 1, 0);
  EXPECT_EQ(whenAvailable(b, 2, at(-30)), at(2));
}

TEST(TokenBucketTest, TakeAtThePromisedTimeGrants) {
  // 1/3600 per second: elapsed * rate is not exactly 1 in floating point.
  TokenBucket b = makeQuotaBucket(1, 1, kT0);
  EXPECT_EQ(take(b, 1, kT0), 1);
  const TimePoint ready = whenAvailable(b, 1, kT0);
  EXPECT_EQ(ready, at(3600));
  EXPECT_EQ(take(b, 1, at(3599)), 0);
  EXPECT_EQ(take(b, 1, ready), 1);
}

TEST(TokenBucketTest, FloatingPointShortfallStillGrantsTheWholeToken) {
  TokenBucket b = bucket(10, 0.3, 0.1);  // 0.1 + 3 * 0.3 is 0.9999999999999999
  EXPECT_EQ(take(b, 1, at(3)), 1);
  EXPECT_EQ(b.level, 0.0);
}

TEST(TokenBucketTest, WhenNthAvailableSpreadsAQueueBeyondCapacity) {
  const TokenBucket b = bucket(1, 2, 0.5);
  EXPECT_EQ(whenNthAvailable(b, 1, kT0), atMs(250));
  EXPECT_EQ(whenNthAvailable(b, 3, kT0), atMs(1250));
  EXPECT_EQ(whenNthAvailable(b, 5, kT0), atMs(2250));
}

TEST(TokenBucketTest, WhenNthAvailableIsNowWhenCoveredAndNeverWithoutRefill) {
  EXPECT_EQ(whenNthAvailable(bucket(5, 1, 3), 3, kT0), kT0);
  EXPECT_EQ(whenNthAvailable(bucket(5, 0, 3), 4, kT0), kNever);
}

}  // namespace
}  // namespace jobengine::ratelimit
