// Unit tests of the backlog check: unlimited, the edge at exactly the limit, a whole batch
// refused, an empty batch, and inputs that would overflow a naive sum.
#include "core/backlog.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "test_time.hpp"

namespace jobengine::ratelimit {
namespace {

using std::chrono::seconds;
using testing::kT0;

TEST(BacklogTest, ZeroLimitIsUnlimited) {
  const BacklogDecision decision = backlogDecision(0, 1'000'000, 1'000'000, kT0);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.retry_after, seconds(0));
}

TEST(BacklogTest, ReachingExactlyTheLimitIsAllowed) {
  const BacklogDecision decision = backlogDecision(100, 90, 10, kT0);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.retry_after, seconds(0));
}

TEST(BacklogTest, OneOverTheLimitRefusesTheWholeBatch) {
  const BacklogDecision decision = backlogDecision(100, 90, 11, kT0);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.retry_after, seconds(5));
  EXPECT_EQ(decision.retry_after, kBacklogRetryAfter);
}

TEST(BacklogTest, ABacklogAlreadyOverTheLimitRefusesAnyAddition) {
  EXPECT_FALSE(backlogDecision(100, 150, 1, kT0).allowed);
  EXPECT_FALSE(backlogDecision(100, 100, 1, kT0).allowed);
}

TEST(BacklogTest, AnEmptyBatchIsAllowed) { EXPECT_TRUE(backlogDecision(100, 150, 0, kT0).allowed); }

TEST(BacklogTest, HugeValuesDoNotOverflow) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_FALSE(backlogDecision(kMax, kMax - 1, kMax, kT0).allowed);
  EXPECT_TRUE(backlogDecision(kMax, kMax - 1, 1, kT0).allowed);
  EXPECT_TRUE(backlogDecision(100, -5, 100, kT0).allowed);  // a negative count counts as 0
}

}  // namespace
}  // namespace jobengine::ratelimit
