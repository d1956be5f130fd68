// Unit tests of the circuit breaker: the threshold (exact ratio, min_completions), slots leaving
// the sliding window, open -> half_open after open_seconds, probe limits, half_open outcomes.
#include "core/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using testing::at;
using testing::kT0;

// Records `count` outcomes at `now`; returns the last transition seen.
std::optional<Transition> record(CircuitBreaker& breaker, const BreakerConfig& config, int count,
                                 bool success, TimePoint now) {
  std::optional<Transition> last;
  for (int i = 0; i < count; ++i) {
    const std::optional<Transition> transition = recordOutcome(breaker, config, success, now);
    if (transition) {
      last = transition;
    }
  }
  return last;
}

// A breaker opened at kT0 by 20 failures (opened_until = kT0 + 30 s).
CircuitBreaker openedAtT0(const BreakerConfig& config) {
  CircuitBreaker breaker;
  record(breaker, config, 20, false, kT0);
  return breaker;
}

TEST(CircuitBreakerTest, OpensAtExactlyHalfOfTwentyCompletions) {
  const BreakerConfig config;
  CircuitBreaker breaker;
  EXPECT_FALSE(record(breaker, config, 10, true, kT0));
  EXPECT_FALSE(record(breaker, config, 9, false, at(1)));
  EXPECT_EQ(breaker.state, BreakerState::closed);
  const std::optional<Transition> transition = recordOutcome(breaker, config, false, at(2));
  ASSERT_TRUE(transition);
  EXPECT_EQ(transition->from, BreakerState::closed);
  EXPECT_EQ(transition->to, BreakerState::open);
  EXPECT_EQ(breaker.state, BreakerState::open);
  EXPECT_EQ(breaker.opened_until, at(32));
}

TEST(CircuitBreakerTest, StaysClosedBelowMinCompletions) {
  const BreakerConfig config;
  CircuitBreaker breaker;
  EXPECT_FALSE(record(breaker, config, 19, false, kT0));
  EXPECT_EQ(breaker.state, BreakerState::closed);
  EXPECT_EQ(windowCounts(breaker, config, kT0).completions, 19);
  EXPECT_EQ(windowCounts(breaker, config, kT0).failures, 19);
}

TEST(CircuitBreakerTest, StaysClosedBelowTheRatio) {
  const BreakerConfig config;
  CircuitBreaker breaker;
  record(breaker, config, 11, true, kT0);
  EXPECT_FALSE(record(breaker, config, 9, false, kT0));
  EXPECT_EQ(breaker.state, BreakerState::closed);
}

TEST(CircuitBreakerTest, TheSuccessThatReachesMinCompletionsCanOpenIt) {
  const BreakerConfig config;
  CircuitBreaker breaker;
  record(breaker, config, 10, false, kT0);
  EXPECT_FALSE(record(breaker, config, 9, true, kT0));
  const std::optional<Transition> transition = recordOutcome(breaker, config, true, kT0);
  ASSERT_TRUE(transition);
  EXPECT_EQ(transition->to, BreakerState::open);
}

TEST(CircuitBreakerTest, RatioComparisonToleratesFloatingPoint) {
  BreakerConfig config;
  config.failure_ratio = 0.3;
  config.min_completions = 10;
  CircuitBreaker breaker;
  record(breaker, config, 7, true, kT0);
  EXPECT_TRUE(record(breaker, config, 3, false, kT0));
  EXPECT_EQ(breaker.state, BreakerState::open);
}

TEST(CircuitBreakerTest, SlotsOlderThanTheWindowStopCounting) {
  const BreakerConfig config;  // 12 slots of 5 s
  CircuitBreaker breaker;
  record(breaker, config, 10, false, kT0);
  // At +55 s the window still holds the slot of kT0 ...
  EXPECT_EQ(windowCounts(breaker, config, at(55)).failures, 10);
  // ... at +60 s that slot has left it.
  EXPECT_EQ(windowCounts(breaker, config, at(60)).completions, 0);
  EXPECT_FALSE(record(breaker, config, 10, false, at(60)));
  EXPECT_EQ(breaker.state, BreakerState::closed);
  EXPECT_EQ(windowCounts(breaker, config, at(60)).failures, 10);
}

TEST(CircuitBreakerTest, CompletionsAcrossTheWindowAddUp) {
  const BreakerConfig config;
  CircuitBreaker breaker;
  record(breaker, config, 10, false, kT0);
  EXPECT_TRUE(record(breaker, config, 10, false, at(59)));
  EXPECT_EQ(breaker.state, BreakerState::open);
  EXPECT_EQ(breaker.opened_until, at(89));
}

TEST(CircuitBreakerTest, AWindowStoredWithoutItsEmptySlotsKeepsCounting) {
  // As the store keeps it: only the slots that counted something, in any order.
  const BreakerConfig config;
  CircuitBreaker full;
  record(full, config, 6, false, kT0);
  record(full, config, 3, false, at(20));
  CircuitBreaker stored;
  for (auto it = full.slots.rbegin(); it != full.slots.rend(); ++it) {
    if (it->successes + it->failures > 0) {
      stored.slots.push_back(*it);
    }
  }
  ASSERT_EQ(stored.slots.size(), 2U);
  EXPECT_FALSE(record(stored, config, 10, false, at(40)));  // 19 completions: not yet
  EXPECT_EQ(stored.slots.size(), 12U);
  EXPECT_EQ(windowCounts(stored, config, at(40)).failures, 19);
  EXPECT_TRUE(record(stored, config, 1, false, at(41)));  // the 20th opens it
}

TEST(CircuitBreakerTest, ARecycledSlotStartsFromZero) {
  const BreakerConfig config;
  CircuitBreaker breaker;
  record(breaker, config, 5, false, kT0);
  record(breaker, config, 1, true, at(60));  // same ring index as kT0
  const WindowCounts counts = windowCounts(breaker, config, at(60));
  EXPECT_EQ(counts.completions, 1);
  EXPECT_EQ(counts.failures, 0);
  EXPECT_EQ(breaker.slots.size(), 12U);
}

TEST(CircuitBreakerTest, ClosedAdmitsEverything) {
  const BreakerConfig config;
  CircuitBreaker breaker;
  const BreakerAdmission admission = admit(breaker, config, 7, kT0);
  EXPECT_EQ(admission.allowed, 7);
  EXPECT_EQ(admission.next_eligible_at, kT0);
}

TEST(CircuitBreakerTest, OpenAdmitsNothingUntilOpenedUntil) {
  const BreakerConfig config;
  CircuitBreaker breaker = openedAtT0(config);
  const BreakerAdmission admission = admit(breaker, config, 4, at(29));
  EXPECT_EQ(admission.allowed, 0);
  EXPECT_EQ(admission.next_eligible_at, at(30));
  EXPECT_EQ(breaker.state, BreakerState::open);
  EXPECT_EQ(breaker.probes_admitted, 0);
}

TEST(CircuitBreakerTest, OpenTurnsHalfOpenAfterOpenSecondsAndLimitsProbes) {
  const BreakerConfig config;
  CircuitBreaker breaker = openedAtT0(config);
  const BreakerAdmission first = admit(breaker, config, 5, at(30));
  EXPECT_EQ(breaker.state, BreakerState::half_open);
  EXPECT_EQ(first.allowed, 3);
  EXPECT_EQ(first.next_eligible_at, at(60));
  EXPECT_EQ(breaker.probes_admitted, 3);
  const BreakerAdmission second = admit(breaker, config, 1, at(31));
  EXPECT_EQ(second.allowed, 0);
  EXPECT_EQ(second.next_eligible_at, at(61));
}

TEST(CircuitBreakerTest, ProbesAreCountedAcrossCalls) {
  const BreakerConfig config;
  CircuitBreaker breaker = openedAtT0(config);
  EXPECT_EQ(admit(breaker, config, 1, at(30)).allowed, 1);
  EXPECT_EQ(admit(breaker, config, 1, at(31)).allowed, 1);
  const BreakerAdmission third = admit(breaker, config, 5, at(32));
  EXPECT_EQ(third.allowed, 1);
  EXPECT_EQ(breaker.probes_admitted, 3);
  EXPECT_EQ(admit(breaker, config, 0, at(33)).allowed, 0);
  EXPECT_EQ(admit(breaker, config, 0, at(33)).next_eligible_at, at(33));
}

TEST(CircuitBreakerTest, HalfOpenFailureReopensAtOnce) {
  const BreakerConfig config;
  CircuitBreaker breaker = openedAtT0(config);
  admit(breaker, config, 3, at(30));
  EXPECT_FALSE(recordOutcome(breaker, config, true, at(31)));
  const std::optional<Transition> transition = recordOutcome(breaker, config, false, at(32));
  ASSERT_TRUE(transition);
  EXPECT_EQ(transition->from, BreakerState::half_open);
  EXPECT_EQ(transition->to, BreakerState::open);
  EXPECT_EQ(breaker.opened_until, at(62));
  EXPECT_EQ(breaker.probes_admitted, 0);
  EXPECT_EQ(breaker.probe_successes, 0);
  EXPECT_EQ(admit(breaker, config, 1, at(61)).allowed, 0);
}

TEST(CircuitBreakerTest, HalfOpenProbeSuccessesCloseAndClearTheWindow) {
  const BreakerConfig config;
  CircuitBreaker breaker = openedAtT0(config);
  admit(breaker, config, 3, at(30));
  EXPECT_FALSE(recordOutcome(breaker, config, true, at(31)));
  EXPECT_FALSE(recordOutcome(breaker, config, true, at(32)));
  EXPECT_EQ(breaker.probe_successes, 2);
  const std::optional<Transition> transition = recordOutcome(breaker, config, true, at(33));
  ASSERT_TRUE(transition);
  EXPECT_EQ(transition->from, BreakerState::half_open);
  EXPECT_EQ(transition->to, BreakerState::closed);
  EXPECT_EQ(breaker.state, BreakerState::closed);
  EXPECT_EQ(windowCounts(breaker, config, at(33)).completions, 0);
  // The 20 failures of kT0 are gone: one more failure does not reopen it.
  EXPECT_FALSE(recordOutcome(breaker, config, false, at(34)));
}

TEST(CircuitBreakerTest, OutcomesWhileOpenAreIgnored) {
  const BreakerConfig config;
  CircuitBreaker breaker = openedAtT0(config);
  EXPECT_FALSE(recordOutcome(breaker, config, false, at(1)));
  EXPECT_FALSE(recordOutcome(breaker, config, true, at(40)));  // past opened_until, not probed
  EXPECT_EQ(breaker.state, BreakerState::open);
  EXPECT_EQ(breaker.opened_until, at(30));
}

TEST(CircuitBreakerTest, ResetClosesAndForgets) {
  const BreakerConfig config;
  CircuitBreaker breaker = openedAtT0(config);
  reset(breaker);
  EXPECT_EQ(breaker.state, BreakerState::closed);
  EXPECT_EQ(breaker.opened_until, TimePoint{});
  EXPECT_EQ(windowCounts(breaker, config, kT0).completions, 0);
  EXPECT_EQ(admit(breaker, config, 5, kT0).allowed, 5);
}

TEST(CircuitBreakerTest, ARingOfTheWrongSizeIsRebuilt) {
  const BreakerConfig config;
  CircuitBreaker breaker;
  breaker.slots.resize(3);
  recordOutcome(breaker, config, false, kT0);
  EXPECT_EQ(breaker.slots.size(), 12U);
  EXPECT_EQ(windowCounts(breaker, config, kT0).failures, 1);
}

}  // namespace
}  // namespace jobengine::ratelimit
