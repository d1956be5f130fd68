// Unit tests of retention's decision (core/retention_plan): old enough, covered by succeeded
// exports contiguously from the first retained entry, never the head.
#include "core/retention_plan.hpp"

#include <gtest/gtest.h>

namespace jobengine::audit {
namespace {

RetentionInput chain(int64_t first_retained, int64_t head, std::optional<int64_t> first_recent,
                     std::vector<CoveringExport> exports) {
  RetentionInput in;
  in.first_retained = first_retained;
  in.head = head;
  in.first_recent = first_recent;
  in.exports = std::move(exports);
  return in;
}

TEST(RetentionPlanTest, NothingWithoutAnExport) {
  EXPECT_FALSE(planPrune(chain(1, 10, std::nullopt, {})));
}

TEST(RetentionPlanTest, EmptyChainPrunesNothing) {
  EXPECT_FALSE(planPrune(chain(1, 0, std::nullopt, {{"a", 1, 5}})));
}

TEST(RetentionPlanTest, PrunesWhatAnExportCoversAndIsOld) {
  const auto plan = planPrune(chain(1, 10, std::nullopt, {{"a", 1, 6}}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->prune_through, 6);
  EXPECT_EQ(plan->entries, 6);
  EXPECT_EQ(plan->export_ids, std::vector<std::string>({"a"}));
}

TEST(RetentionPlanTest, StopsBeforeTheFirstRecentEntry) {
  const auto plan = planPrune(chain(1, 10, 4, {{"a", 1, 8}}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->prune_through, 3);
  EXPECT_EQ(plan->entries, 3);
}

TEST(RetentionPlanTest, NothingWhenTheFirstRetainedEntryIsRecent) {
  EXPECT_FALSE(planPrune(chain(5, 10, 5, {{"a", 1, 10}})));
}

TEST(RetentionPlanTest, NeverPrunesTheHead) {
  const auto plan = planPrune(chain(1, 10, std::nullopt, {{"a", 1, 10}}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->prune_through, 9);
  EXPECT_FALSE(planPrune(chain(10, 10, std::nullopt, {{"a", 1, 10}})));
}

TEST(RetentionPlanTest, AnExportStartingLaterCoversNothing) {
  // Entries 1..2 are in no bundle: nothing after them may go either.
  EXPECT_FALSE(planPrune(chain(1, 10, std::nullopt, {{"a", 3, 8}})));
}

TEST(RetentionPlanTest, AdjacentAndOverlappingExportsJoin) {
  const auto plan = planPrune(chain(1, 20, std::nullopt, {{"c", 7, 12}, {"a", 1, 4}, {"b", 5, 8}}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->prune_through, 12);
  EXPECT_EQ(plan->export_ids, std::vector<std::string>({"a", "b", "c"}));
}

TEST(RetentionPlanTest, AGapStopsTheUnion) {
  const auto plan = planPrune(chain(1, 20, std::nullopt, {{"a", 1, 4}, {"b", 6, 10}}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->prune_through, 4);
  EXPECT_EQ(plan->export_ids, std::vector<std::string>({"a"}));
}

TEST(RetentionPlanTest, StartsAfterTheAnchor) {
  // 1..5 were pruned before: an export of 1..5 is spent, one reaching past 5 counts from 6.
  const auto plan = planPrune(chain(6, 20, std::nullopt, {{"old", 1, 5}, {"a", 3, 9}}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->prune_through, 9);
  EXPECT_EQ(plan->entries, 4);
  EXPECT_EQ(plan->export_ids, std::vector<std::string>({"a"}));
  EXPECT_FALSE(planPrune(chain(6, 20, std::nullopt, {{"old", 1, 5}})));
}

TEST(RetentionPlanTest, ExportsBeyondThePrunedRangeAreNotNamed) {
  const auto plan = planPrune(chain(1, 20, 5, {{"a", 1, 4}, {"b", 5, 10}}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->prune_through, 4);
  EXPECT_EQ(plan->export_ids, std::vector<std::string>({"a"}));
}

TEST(RetentionPlanTest, MalformedRangesAreIgnored) {
  EXPECT_FALSE(planPrune(chain(1, 20, std::nullopt, {{"bad", 0, 5}, {"worse", 6, 2}})));
}

TEST(RetentionPlanTest, CoveredThroughIsTheContiguousUnionFromTheFirstRetained) {
  EXPECT_EQ(coveredThrough(1, {}), 0);
  EXPECT_EQ(coveredThrough(1, {{"a", 1, 4}, {"b", 5, 9}}), 9);
  EXPECT_EQ(coveredThrough(1, {{"a", 1, 4}, {"b", 6, 9}}), 4);  // a gap stops it
  EXPECT_EQ(coveredThrough(1, {{"b", 2, 9}}), 0);               // nothing covers 1
  EXPECT_EQ(coveredThrough(5, {{"a", 1, 4}}), 4);               // pruned entries count
  EXPECT_EQ(coveredThrough(5, {{"a", 3, 7}, {"b", 8, 8}}), 8);
}

}  // namespace
}  // namespace jobengine::audit
