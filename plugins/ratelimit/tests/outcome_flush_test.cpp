// Unit tests for when folded breaker outcomes are written (core/outcome_flush.hpp).
#include <gtest/gtest.h>

#include "core/outcome_flush.hpp"

namespace jobengine::ratelimit {
namespace {

using std::chrono::milliseconds;

TEST(OutcomesDue, SuccessesOfAClosedBreakerWaitForTheQuietInterval) {
  EXPECT_FALSE(outcomesDue(0, BreakerState::closed, milliseconds(0), false));
  EXPECT_FALSE(outcomesDue(0, BreakerState::closed, milliseconds(1999), false));
  EXPECT_TRUE(outcomesDue(0, BreakerState::closed, milliseconds(2000), false));
}

TEST(OutcomesDue, AFailureIsDueAtOnceAndTakesTheWaitingSuccessesAlong) {
  // The caller writes the key's folded counts whole: the successes go with the failure.
  EXPECT_TRUE(outcomesDue(1, BreakerState::closed, milliseconds(0), false));
}

TEST(OutcomesDue, ABreakerNeverWrittenOrNotClosedIsDueAtOnce) {
  EXPECT_TRUE(outcomesDue(0, std::nullopt, milliseconds(0), false));
  EXPECT_TRUE(outcomesDue(0, BreakerState::half_open, milliseconds(0), false));  // probes
  EXPECT_TRUE(outcomesDue(0, BreakerState::open, milliseconds(0), false));
}

TEST(OutcomesDue, TheFinalFlushWritesEverything) {
  EXPECT_TRUE(outcomesDue(0, BreakerState::closed, milliseconds(0), true));
}

}  // namespace
}  // namespace jobengine::ratelimit
