// Unit tests of the AIMD upstream bucket: pacing, cool-down (Retry-After or the configured one),
// halving down to the floor, additive recovery to exactly the configured rate.
#include "core/upstream_bucket.hpp"

#include <gtest/gtest.h>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using std::chrono::seconds;
using testing::at;
using testing::kT0;

TEST(UpstreamBucketTest, FreshBucketIsFullAtTheConfiguredRate) {
  const UpstreamBucket b = makeUpstreamBucket(120, 3, 30, kT0);
  EXPECT_EQ(configuredRatePerS(b), 2.0);
  EXPECT_EQ(b.current_per_s, 2.0);
  EXPECT_EQ(b.level, 3.0);
  EXPECT_EQ(b.updated_at, kT0);
  EXPECT_EQ(b.cooldown_until, kT0);
}

TEST(UpstreamBucketTest, GrantsTheBurstThenPacesAtTheRate) {
  UpstreamBucket b = makeUpstreamBucket(60, 2, 30, kT0);
  EXPECT_TRUE(acquire(b, kT0).granted);
  EXPECT_TRUE(acquire(b, kT0).granted);
  const AcquireResult denied = acquire(b, kT0);
  EXPECT_FALSE(denied.granted);
  EXPECT_EQ(denied.retry_at, at(1));
  const AcquireResult granted = acquire(b, at(1));
  EXPECT_TRUE(granted.granted);
  EXPECT_EQ(granted.retry_at, at(1));
  EXPECT_EQ(b.level, 0.0);
}

TEST(UpstreamBucketTest, ZeroRpmNeverGrants) {
  UpstreamBucket b = makeUpstreamBucket(0, 5, 30, kT0);
  const AcquireResult result = acquire(b, kT0);
  EXPECT_FALSE(result.granted);
  EXPECT_EQ(result.retry_at, kNever);
}

TEST(UpstreamBucketTest, ThrottleHonoursRetryAfter) {
  UpstreamBucket b = makeUpstreamBucket(60, 5, 30, kT0);
  reportThrottled(b, kT0, seconds(10));
  EXPECT_EQ(b.level, 0.0);
  EXPECT_EQ(b.cooldown_until, at(10));
  EXPECT_EQ(b.updated_at, at(10));
  EXPECT_EQ(b.current_per_s, 0.5);
  // Refill starts when the cool-down ends: the first token is there 1 / 0.5 s later.
  const AcquireResult during = acquire(b, at(5));
  EXPECT_FALSE(during.granted);
  EXPECT_EQ(during.retry_at, at(12));
  const AcquireResult at_end = acquire(b, at(10));
  EXPECT_FALSE(at_end.granted);
  EXPECT_EQ(at_end.retry_at, at(12));
  EXPECT_TRUE(acquire(b, at(12)).granted);
}

TEST(UpstreamBucketTest, ThrottleWithoutRetryAfterUsesTheCooldown) {
  UpstreamBucket b = makeUpstreamBucket(60, 5, 30, kT0);
  reportThrottled(b, kT0, std::nullopt);
  EXPECT_EQ(b.cooldown_until, at(30));
  EXPECT_EQ(b.current_per_s, 0.5);
}

TEST(UpstreamBucketTest, ThrottleDuringCooldownExtendsButDoesNotHalveAgain) {
  UpstreamBucket b = makeUpstreamBucket(60, 5, 30, kT0);
  reportThrottled(b, kT0, seconds(10));
  reportThrottled(b, at(5), seconds(20));
  EXPECT_EQ(b.cooldown_until, at(25));
  EXPECT_EQ(b.current_per_s, 0.5);
  reportThrottled(b, at(6), seconds(1));  // never shortens
  EXPECT_EQ(b.cooldown_until, at(25));
  EXPECT_EQ(b.updated_at, at(25));
}

TEST(UpstreamBucketTest, HalvingStopsAtOneSixtyFourthOfTheConfiguredRate) {
  UpstreamBucket b = makeUpstreamBucket(64 * 60, 5, 30, kT0);  // 64 per second
  const double expected[] = {32, 16, 8, 4, 2, 1, 1, 1};
  long long t = 0;
  for (const double rate : expected) {
    reportThrottled(b, at(t), seconds(1));
    EXPECT_EQ(b.current_per_s, rate) << "after the throttle at +" << t << " s";
    t += 2;  // after the cool-down
  }
}

TEST(UpstreamBucketTest, SuccessesRestoreTheRateAdditivelyToExactlyTheConfiguredRate) {
  UpstreamBucket b = makeUpstreamBucket(600, 5, 30, kT0);  // 10 per second
  reportThrottled(b, kT0, seconds(1));
  EXPECT_EQ(b.current_per_s, 5.0);
  const double expected[] = {6, 7, 8, 9};
  for (const double rate : expected) {
    reportSuccess(b, at(2));
    EXPECT_DOUBLE_EQ(b.current_per_s, rate);
  }
  reportSuccess(b, at(2));
  EXPECT_EQ(b.current_per_s, 10.0);
  reportSuccess(b, at(2));
  EXPECT_EQ(b.current_per_s, 10.0);
}

TEST(UpstreamBucketTest, RecoveryFromTheFloorTakesTenSuccesses) {
  UpstreamBucket b = makeUpstreamBucket(64 * 60, 5, 30, kT0);
  b.current_per_s = 1.0;  // the floor
  for (int i = 0; i < 9; ++i) {
    reportSuccess(b, kT0);
  }
  EXPECT_DOUBLE_EQ(b.current_per_s, 1.0 + 9 * 6.4);
  reportSuccess(b, kT0);
  EXPECT_EQ(b.current_per_s, 64.0);
}

TEST(UpstreamBucketTest, SuccessDuringCooldownIsIgnored) {
  UpstreamBucket b = makeUpstreamBucket(600, 5, 30, kT0);
  reportThrottled(b, kT0, seconds(10));
  reportSuccess(b, at(9));
  EXPECT_EQ(b.current_per_s, 5.0);
  reportSuccess(b, at(10));
  EXPECT_EQ(b.current_per_s, 6.0);
}

TEST(UpstreamBucketTest, RateAboveALoweredConfigurationIsClamped) {
  UpstreamBucket b = makeUpstreamBucket(600, 1, 30, kT0);
  b.rpm = 60;  // reconfigured from 10/s to 1/s
  EXPECT_TRUE(acquire(b, kT0).granted);
  EXPECT_EQ(b.current_per_s, 1.0);
  const AcquireResult denied = acquire(b, kT0);
  EXPECT_FALSE(denied.granted);
  EXPECT_EQ(denied.retry_at, at(1));
}

}  // namespace
}  // namespace jobengine::ratelimit
