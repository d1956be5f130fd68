// Retention's pure decisions (host/src/retention/retention_rules.hpp): the effective cutoff,
// the prunable outbox prefix and the pruned-resume check, every case.
#include "retention/retention_rules.hpp"

#include <gtest/gtest.h>
#include <jobengine/abi.h>

namespace jobengine::host {
namespace {

constexpr int64_t kNow = 1'800'000'000'000'000;  // µs since the epoch
constexpr int64_t kDay = 86400;

TEST(RetentionRulesTest, CutoffIsNowMinusRetentionWithoutGuards) {
  EXPECT_EQ(effectiveCutoff(kNow, kDay, {}), kNow - kDay * 1'000'000);
}

TEST(RetentionRulesTest, ZeroOrNegativeRetentionKeepsEverything) {
  EXPECT_EQ(effectiveCutoff(kNow, 0, {}), JE_RETENTION_KEEP_ALL);
  EXPECT_EQ(effectiveCutoff(kNow, -5, {JE_RETENTION_NO_LIMIT}), JE_RETENTION_KEEP_ALL);
}

TEST(RetentionRulesTest, TheStrictestGuardWins) {
  const int64_t base = kNow - kDay * 1'000'000;
  EXPECT_EQ(effectiveCutoff(kNow, kDay, {JE_RETENTION_NO_LIMIT}), base);
  EXPECT_EQ(effectiveCutoff(kNow, kDay, {base + 5}), base);  // a guard never widens it
  EXPECT_EQ(effectiveCutoff(kNow, kDay, {base - 5, JE_RETENTION_NO_LIMIT}), base - 5);
  EXPECT_EQ(effectiveCutoff(kNow, kDay, {base - 5, JE_RETENTION_KEEP_ALL}), JE_RETENTION_KEEP_ALL);
}

TEST(RetentionRulesTest, AnEnormousRetentionDoesNotOverflow) {
  EXPECT_EQ(effectiveCutoff(kNow, INT64_MAX / 2, {}), JE_RETENTION_KEEP_ALL);
}

TEST(RetentionRulesTest, ThePrefixStopsAtTheFirstRecentRow) {
  const std::vector<OutboxRowAge> rows = {{10, 100}, {20, 90}, {30, 200}, {40, 50}};
  // Row 40 is old too, but after a recent one: not part of the prefix.
  EXPECT_EQ(prunablePrefixEnd(rows, 150, 1000), 20);
  EXPECT_EQ(prunablePrefixEnd(rows, 1000, 1000), 40);
  EXPECT_EQ(prunablePrefixEnd(rows, 100, 1000), std::nullopt);  // strictly older only
  EXPECT_EQ(prunablePrefixEnd({}, 1000, 1000), std::nullopt);
}

TEST(RetentionRulesTest, ThePrefixStopsAtTheDeliveryHorizon) {
  const std::vector<OutboxRowAge> rows = {{10, 1}, {20, 1}, {30, 1}};
  EXPECT_EQ(prunablePrefixEnd(rows, 100, 30), 20);
  EXPECT_EQ(prunablePrefixEnd(rows, 100, 10), std::nullopt);
}

TEST(RetentionRulesTest, AResumeBelowThePrunedMarkWasPruned) {
  EXPECT_FALSE(resumeWasPruned(5, std::nullopt));
  EXPECT_TRUE(resumeWasPruned(5, 10));
  EXPECT_FALSE(resumeWasPruned(10, 10));  // everything after 10 is still there
  EXPECT_FALSE(resumeWasPruned(11, 10));
  EXPECT_FALSE(resumeWasPruned(0, 10));  // 0: from the oldest retained event
}

TEST(RetentionRulesTest, TheMessageNamesTheOldestAvailablePosition) {
  const std::string m = prunedPositionMessage(5, 10, 12);
  EXPECT_NE(m.find("position 5 was pruned"), std::string::npos) << m;
  EXPECT_NE(m.find("oldest available position is after=10"), std::string::npos) << m;
  EXPECT_NE(m.find("first event is seq 12"), std::string::npos) << m;
  EXPECT_EQ(prunedPositionMessage(5, 10, std::nullopt).find("first event"), std::string::npos);
}

}  // namespace
}  // namespace jobengine::host
