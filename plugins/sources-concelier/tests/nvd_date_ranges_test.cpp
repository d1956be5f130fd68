// Unit tests of the NVD date ranges: a window longer than the API's 120 days is walked as
// consecutive ranges of at most 120 days that cover it exactly.
#include "core/nvd_date_ranges.hpp"

#include <gtest/gtest.h>

namespace jobengine::concelier {
namespace {

TEST(NvdDateRangesTest, NoWindowMeansNoDateParameters) {
  EXPECT_TRUE(nvdDateRanges(std::nullopt, std::nullopt).empty());
  EXPECT_TRUE(nvdDateRanges(std::nullopt, std::string("2026-01-01T00:00:00Z")).empty());
}

TEST(NvdDateRangesTest, AShortWindowIsOneRange) {
  const auto ranges = nvdDateRanges("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
  ASSERT_EQ(ranges.size(), 1U);
  EXPECT_EQ(ranges[0].start, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(ranges[0].end, "2026-01-02T00:00:00.000Z");
}

TEST(NvdDateRangesTest, ExactlyOneHundredTwentyDaysIsOneRange) {
  const auto ranges = nvdDateRanges("2026-01-01T00:00:00Z", "2026-05-01T00:00:00Z");
  ASSERT_EQ(ranges.size(), 1U);
  EXPECT_EQ(ranges[0].end, "2026-05-01T00:00:00.000Z");
}

TEST(NvdDateRangesTest, AYearIsWalkedInConsecutiveRangesOfAtMostOneHundredTwentyDays) {
  const auto ranges = nvdDateRanges("2025-06-01T00:00:00Z", "2026-06-01T00:00:00+00:00");
  ASSERT_EQ(ranges.size(), 4U);
  EXPECT_EQ(ranges[0].start, "2025-06-01T00:00:00.000Z");
  EXPECT_EQ(ranges[0].end, "2025-09-29T00:00:00.000Z");
  EXPECT_EQ(ranges[1].start, "2025-09-29T00:00:00.000Z");
  EXPECT_EQ(ranges[1].end, "2026-01-27T00:00:00.000Z");
  EXPECT_EQ(ranges[2].start, "2026-01-27T00:00:00.000Z");
  EXPECT_EQ(ranges[2].end, "2026-05-27T00:00:00.000Z");
  EXPECT_EQ(ranges[3].start, "2026-05-27T00:00:00.000Z");
  EXPECT_EQ(ranges[3].end, "2026-06-01T00:00:00.000Z");
}

TEST(NvdDateRangesTest, AnUnreadableOrEmptyWindowIsPassedThroughForTheUpstreamToJudge) {
  const auto unreadable = nvdDateRanges("yesterday", "2026-01-01T00:00:00Z");
  ASSERT_EQ(unreadable.size(), 1U);
  EXPECT_EQ(unreadable[0].start, "yesterday");
  const auto empty = nvdDateRanges("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z");
  ASSERT_EQ(empty.size(), 1U);
  EXPECT_EQ(empty[0].end, "2026-01-01T00:00:00Z");
}

}  // namespace
}  // namespace jobengine::concelier
