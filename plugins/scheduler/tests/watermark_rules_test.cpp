// watermark_rules_test.cpp — core/watermark_rules: chaining succeeded windows forward from the
// watermark, stopping at a gap (pending, failed or canceled earlier window), never going
// backwards, the first watermark (earliest start of any window; an open start), overlapping
// and out-of-order windows.
#include "core/watermark_rules.hpp"

#include <gtest/gtest.h>

#include <string>

#include "time_literals.hpp"

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)
using jobengine::scheduler::time_literals::T;

namespace {

// Day d of March 2027, midnight UTC.
SysTime D(int d) {
  return T("2027-03-" + std::string(d < 10 ? "0" : "") + std::to_string(d) + "T00:00:00Z");
}

CoveredWindow ok(int from, int to) { return CoveredWindow{D(from), D(to), true}; }
CoveredWindow pending(int from, int to) { return CoveredWindow{D(from), D(to), false}; }

}  // namespace

TEST(WatermarkRulesTest, ChainsForwardFromTheWatermark) {
  EXPECT_EQ(advancedWatermark(D(1), {ok(1, 2)}), D(2));
  EXPECT_EQ(advancedWatermark(D(1), {ok(1, 2), ok(2, 3), ok(3, 4)}), D(4));
  // Order of the input does not matter.
  EXPECT_EQ(advancedWatermark(D(1), {ok(3, 4), ok(1, 2), ok(2, 3)}), D(4));
  // A window that starts before the watermark and ends after it counts (a live sync that
  // started at an older watermark).
  EXPECT_EQ(advancedWatermark(D(2), {ok(1, 5)}), D(5));
  // Overlapping windows chain.
  EXPECT_EQ(advancedWatermark(D(1), {ok(1, 3), ok(2, 6)}), D(6));
}

TEST(WatermarkRulesTest, StopsAtAGap) {
  // [2,3) still pending: [3,4) succeeded but the watermark stays at 2.
  EXPECT_EQ(advancedWatermark(D(1), {ok(1, 2), pending(2, 3), ok(3, 4)}), D(2));
  // Failed windows are gaps too (succeeded = false).
  EXPECT_EQ(advancedWatermark(D(1), {pending(1, 2), ok(2, 3)}), std::nullopt);
  // A window that starts after the watermark: a gap with nothing in it.
  EXPECT_EQ(advancedWatermark(D(1), {ok(2, 3)}), std::nullopt);
  // Once the gap is covered, everything behind it counts.
  EXPECT_EQ(advancedWatermark(D(2), {ok(2, 3), ok(3, 4)}), D(4));
}

TEST(WatermarkRulesTest, NeverBackwards) {
  EXPECT_EQ(advancedWatermark(D(5), {ok(1, 2)}), std::nullopt);
  EXPECT_EQ(advancedWatermark(D(5), {ok(1, 5)}), std::nullopt);
  EXPECT_EQ(advancedWatermark(D(5), {}), std::nullopt);
  EXPECT_EQ(advancedWatermark(std::nullopt, {}), std::nullopt);
}

TEST(WatermarkRulesTest, FirstWatermarkStartsAtTheEarliestWindowOfAnyStatus) {
  EXPECT_EQ(advancedWatermark(std::nullopt, {ok(1, 2), ok(2, 3)}), D(3));
  EXPECT_EQ(advancedWatermark(std::nullopt, {ok(3, 4), ok(1, 2)}), D(2));
  // An earlier window still pending (or failed) blocks the first watermark.
  EXPECT_EQ(advancedWatermark(std::nullopt, {pending(1, 2), ok(2, 3)}), std::nullopt);
  EXPECT_EQ(advancedWatermark(std::nullopt, {pending(1, 2)}), std::nullopt);
}

TEST(WatermarkRulesTest, OpenStartCoversEverythingBefore) {
  const CoveredWindow live_ok{std::nullopt, D(10), true};
  const CoveredWindow live_pending{std::nullopt, D(10), false};
  EXPECT_EQ(advancedWatermark(std::nullopt, {live_ok}), D(10));
  EXPECT_EQ(advancedWatermark(std::nullopt, {live_ok, ok(10, 11)}), D(11));
  // With a watermark an open start still reaches it.
  EXPECT_EQ(advancedWatermark(D(3), {live_ok}), D(10));
  // A first live sync still pending: a backfill window that succeeded cannot start the chain.
  EXPECT_EQ(advancedWatermark(std::nullopt, {live_pending, ok(1, 2)}), std::nullopt);
}
