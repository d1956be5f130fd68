// Unit tests of the read-only limit views: a quota bucket's level and next token, an upstream
// bucket's level (refill at the current rate, none during a cool-down), the breaker window's
// JSON round trip and counts, and the breaker state texts.
#include "core/limit_views.hpp"

#include <gtest/gtest.h>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using testing::at;
using testing::atMs;
using testing::kT0;

TEST(BucketViewTest, LevelRefillsAndNextTokenOnlyWhenShort) {
  // 1 token/s, 0.5 at kT0: 0.75 at +250 ms, the next whole token at +500 ms.
  const TokenBucket b{10.0, 1.0, 0.5, kT0};
  const BucketView short_view = bucketViewAt(b, atMs(250));
  EXPECT_DOUBLE_EQ(short_view.level, 0.75);
  ASSERT_TRUE(short_view.next_token_at);
  EXPECT_EQ(*short_view.next_token_at, atMs(500));
  // A whole token there: no next token time.
  const BucketView whole = bucketViewAt(b, at(2));
  EXPECT_DOUBLE_EQ(whole.level, 2.5);
  EXPECT_FALSE(whole.next_token_at);
  // No refill: none either, whatever the level.
  EXPECT_FALSE(bucketViewAt(TokenBucket{10.0, 0.0, 0.0, kT0}, at(5)).next_token_at);
  // Capped at the capacity.
  EXPECT_DOUBLE_EQ(bucketViewAt(b, at(100)).level, 10.0);
}

TEST(UpstreamLevelTest, RefillsAtTheCurrentRateAndNotBeforeCooldownEnds) {
  UpstreamBucket u = makeUpstreamBucket(60, 10, 60, kT0);
  u.level = 0.0;
  u.current_per_s = 0.5;
  EXPECT_DOUBLE_EQ(upstreamLevelAt(u, at(4)), 2.0);
  EXPECT_DOUBLE_EQ(upstreamLevelAt(u, at(1000)), 10.0);
  reportThrottled(u, kT0, std::chrono::seconds(30));
  EXPECT_DOUBLE_EQ(upstreamLevelAt(u, at(20)), 0.0);
  EXPECT_GT(upstreamLevelAt(u, at(40)), 0.0);
}

TEST(BreakerViewTest, SlotsRoundTripAndCountInTheWindow) {
  const BreakerConfig config;  // 60 s window, 5 s slots
  CircuitBreaker b;
  for (int i = 0; i < 3; ++i) {
    recordOutcome(b, config, true, at(1));
  }
  recordOutcome(b, config, false, at(7));
  const nlohmann::json stored = breakerSlotsToJson(b.slots);
  ASSERT_EQ(stored.size(), 2U);  // empty slots are not stored
  EXPECT_EQ(stored[0]["start"], 1'800'000'000);
  EXPECT_EQ(stored[0]["ok"], 3);
  EXPECT_EQ(stored[1]["failed"], 1);

  CircuitBreaker loaded;
  loaded.slots = breakerSlotsFromJson(stored);
  const BreakerView view = breakerViewAt(loaded, config, at(10));
  EXPECT_EQ(view.completions, 4);
  EXPECT_EQ(view.failures, 1);
  ASSERT_TRUE(view.failure_ratio);
  EXPECT_DOUBLE_EQ(*view.failure_ratio, 0.25);
  // Past the window nothing counts, and there is no ratio.
  const BreakerView later = breakerViewAt(loaded, config, at(120));
  EXPECT_EQ(later.completions, 0);
  EXPECT_FALSE(later.failure_ratio);
}

TEST(BreakerViewTest, MalformedSlotsAreSkippedAndResetStoresNothing) {
  const nlohmann::json odd = nlohmann::json::parse(
      R"([{"start": "x"}, 7, {"ok": 1}, {"start": 1800000000, "ok": 2, "failed": 0}])");
  EXPECT_EQ(breakerSlotsFromJson(odd).size(), 1U);
  EXPECT_TRUE(breakerSlotsFromJson(nlohmann::json::object()).empty());
  CircuitBreaker b;
  b.slots = breakerSlotsFromJson(odd);
  reset(b);
  EXPECT_EQ(breakerSlotsToJson(b.slots), nlohmann::json::array());
}

TEST(BreakerViewTest, StateTexts) {
  for (const auto s : {BreakerState::closed, BreakerState::open, BreakerState::half_open}) {
    EXPECT_EQ(breakerStateFromText(breakerStateText(s)), s);
  }
  EXPECT_STREQ(breakerStateText(BreakerState::half_open), "half_open");
  EXPECT_EQ(breakerStateFromText("bogus"), BreakerState::closed);
}

}  // namespace
}  // namespace jobengine::ratelimit
