// backfill_plan_test.cpp — core/backfill_plan: the body's refusals naming the field (from >= to,
// not RFC 3339, too many windows, bad scope / windowMinutes, unknown fields), the split into
// windows (exact multiple, shorter last window, one window), and the half-open overlap test.
#include "core/backfill_plan.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "time_literals.hpp"

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)
using jobengine::scheduler::time_literals::T;
using nlohmann::json;

namespace {

const char* kSource = "0193a4f0-1e2d-7c3b-8a9f-0e1d2c3b4a59";

json body(const json& extra = json::object()) {
  json b = {
      {"sourceId", kSource}, {"from", "2027-03-01T00:00:00Z"}, {"to", "2027-03-04T00:00:00Z"}};
  b.update(extra);
  return b;
}

std::string fieldOf(const BackfillInput& in) { return in.error ? in.error->field : ""; }

}  // namespace

TEST(BackfillPlanTest, ParsesDefaultsAndGivenFields) {
  BackfillInput in = parseBackfillBody(body(), 1440);
  ASSERT_FALSE(in.error) << in.error->message;
  EXPECT_EQ(in.request.source_id, kSource);
  EXPECT_EQ(in.request.scope, "default");
  EXPECT_EQ(in.request.window_minutes, 1440);
  EXPECT_FALSE(in.request.dry_run);
  EXPECT_EQ(in.request.range.from, T("2027-03-01T00:00:00Z"));
  in = parseBackfillBody(
      body({{"scope", "osv:ecosystem-npm"}, {"windowMinutes", 60}, {"dryRun", true}}), 1440);
  ASSERT_FALSE(in.error) << in.error->message;
  EXPECT_EQ(in.request.scope, "osv:ecosystem-npm");
  EXPECT_EQ(in.request.window_minutes, 60);
  EXPECT_TRUE(in.request.dry_run);
}

TEST(BackfillPlanTest, RefusalsNameTheField) {
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"to", "2027-03-01T00:00:00Z"}}), 1440)), "to");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"to", "2027-02-01T00:00:00Z"}}), 1440)), "to");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"from", "yesterday"}}), 1440)), "from");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"to", 17}}), 1440)), "to");
  json no_from = body();
  no_from.erase("from");
  EXPECT_EQ(fieldOf(parseBackfillBody(no_from, 1440)), "from");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"sourceId", "nope"}}), 1440)), "sourceId");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"scope", ""}}), 1440)), "scope");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"scope", "a/b"}}), 1440)), "scope");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"scope", std::string(65, 'a')}}), 1440)), "scope");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"windowMinutes", 0}}), 1440)), "windowMinutes");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"windowMinutes", 1.5}}), 1440)), "windowMinutes");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"dryRun", "yes"}}), 1440)), "dryRun");
  EXPECT_EQ(fieldOf(parseBackfillBody(body({{"reason", "x"}}), 1440)), "reason");
  const BackfillInput in = parseBackfillBody(json::array(), 1440);
  ASSERT_TRUE(in.error);
  EXPECT_EQ(in.error->status, 422);
}

TEST(BackfillPlanTest, TooManyWindowsIsRefusedBeforeAnythingIsBuilt) {
  // Three days in minutes: 4320 windows; the limit 4320 admits, 4319 refuses.
  EXPECT_FALSE(parseBackfillBody(body({{"windowMinutes", 1}}), 1440, 4320).error);
  const BackfillInput in = parseBackfillBody(body({{"windowMinutes", 1}}), 1440, 4319);
  ASSERT_TRUE(in.error);
  EXPECT_EQ(in.error->field, "windowMinutes");
  EXPECT_NE(in.error->message.find("4320 windows"), std::string::npos) << in.error->message;
  // Years of 1-minute windows: refused by the count alone.
  EXPECT_EQ(fieldOf(parseBackfillBody(
                body({{"from", "2000-01-01T00:00:00Z"}, {"windowMinutes", 1}}), 1440)),
            "windowMinutes");
}

TEST(BackfillPlanTest, SplitsIntoWindowsWithAShorterLastOne) {
  const TimeWindow range{T("2027-03-01T00:00:00Z"), T("2027-03-03T12:00:00Z")};
  const auto w = planWindows(range, std::chrono::minutes(1440));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(windowCount(range, std::chrono::minutes(1440)), 3);
  EXPECT_EQ(w[0], (TimeWindow{T("2027-03-01T00:00:00Z"), T("2027-03-02T00:00:00Z")}));
  EXPECT_EQ(w[1], (TimeWindow{T("2027-03-02T00:00:00Z"), T("2027-03-03T00:00:00Z")}));
  EXPECT_EQ(w[2], (TimeWindow{T("2027-03-03T00:00:00Z"), T("2027-03-03T12:00:00Z")}));
  // An exact multiple: no empty tail.
  const TimeWindow exact{T("2027-03-01T00:00:00Z"), T("2027-03-01T03:00:00Z")};
  EXPECT_EQ(planWindows(exact, std::chrono::minutes(60)).size(), 3u);
  // Smaller than one window: one window, the whole range.
  const TimeWindow small{T("2027-03-01T00:00:00.5Z"), T("2027-03-01T00:00:01Z")};
  const auto one = planWindows(small, std::chrono::minutes(60));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], small);
  // Empty or inverted: nothing.
  EXPECT_TRUE(planWindows(TimeWindow{exact.to, exact.from}, std::chrono::minutes(60)).empty());
  EXPECT_TRUE(planWindows(TimeWindow{exact.from, exact.from}, std::chrono::minutes(60)).empty());
  EXPECT_EQ(windowCount(TimeWindow{exact.to, exact.from}, std::chrono::minutes(60)), 0);
}

TEST(BackfillPlanTest, OverlapIsHalfOpen) {
  const TimeWindow a{T("2027-03-01T00:00:00Z"), T("2027-03-02T00:00:00Z")};
  EXPECT_TRUE(overlaps(a, a));
  EXPECT_TRUE(overlaps(a, {T("2027-03-01T23:59:59Z"), T("2027-03-05T00:00:00Z")}));
  EXPECT_TRUE(overlaps(a, {T("2027-02-01T00:00:00Z"), T("2027-03-01T00:00:01Z")}));
  EXPECT_TRUE(overlaps(a, {T("2027-03-01T06:00:00Z"), T("2027-03-01T07:00:00Z")}));
  EXPECT_TRUE(overlaps({T("2027-02-01T00:00:00Z"), T("2027-04-01T00:00:00Z")}, a));
  // Touching ends share no instant.
  EXPECT_FALSE(overlaps(a, {T("2027-03-02T00:00:00Z"), T("2027-03-03T00:00:00Z")}));
  EXPECT_FALSE(overlaps({T("2027-02-28T00:00:00Z"), T("2027-03-01T00:00:00Z")}, a));
}

TEST(BackfillPlanTest, WatermarkScopes) {
  EXPECT_TRUE(validWatermarkScope("default"));
  EXPECT_TRUE(validWatermarkScope("osv:npm_2.x-Y"));
  EXPECT_FALSE(validWatermarkScope(""));
  EXPECT_FALSE(validWatermarkScope("a b"));
  EXPECT_FALSE(validWatermarkScope("a/b"));
  EXPECT_TRUE(validWatermarkScope(std::string(64, 'x')));
  EXPECT_FALSE(validWatermarkScope(std::string(65, 'x')));
}
