// catch_up_test.cpp — core/catch_up: the three modes, maxLag (including its exact boundary),
// the max_fires caps, bounded work over years of missed fires, and DST inside a catch-up.
#include "core/catch_up.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "time_literals.hpp"

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)
using jobengine::scheduler::time_literals::S;
using jobengine::scheduler::time_literals::T;

namespace {

CronExpression cron(const std::string& text) {
  return std::get<CronExpression>(CronExpression::parse(text));
}

using Strings = std::vector<std::string>;

// Hourly in UTC, last fired at midnight; 01:00..05:00 are due at 05:00:20.
CatchUpPlan hourly(CatchUpMode mode, const std::string& now, int max_lag_minutes = 0,
                   size_t max_fires = 1000) {
  return planCatchUp(cron("0 * * * *"), cctz::utc_time_zone(), T("2027-01-01T00:00:00Z"),
                     T("2026-12-01T00:00:00Z"), T(now), max_lag_minutes, mode, max_fires);
}

}  // namespace

TEST(CatchUp, ModeNames) {
  EXPECT_EQ(parseCatchUpMode("skip"), CatchUpMode::kSkip);
  EXPECT_EQ(parseCatchUpMode("one"), CatchUpMode::kOne);
  EXPECT_EQ(parseCatchUpMode("all"), CatchUpMode::kAll);
  EXPECT_EQ(parseCatchUpMode("ALL"), std::nullopt);
  EXPECT_EQ(parseCatchUpMode(""), std::nullopt);
  for (const auto mode : {CatchUpMode::kSkip, CatchUpMode::kOne, CatchUpMode::kAll}) {
    EXPECT_EQ(parseCatchUpMode(catchUpModeName(mode)), mode);
  }
}

TEST(CatchUp, AllFiresEveryDueFireOldestFirst) {
  const auto plan = hourly(CatchUpMode::kAll, "2027-01-01T05:00:20Z");
  EXPECT_EQ(S(plan.fire),
            (Strings{"2027-01-01T01:00:00Z", "2027-01-01T02:00:00Z", "2027-01-01T03:00:00Z",
                     "2027-01-01T04:00:00Z", "2027-01-01T05:00:00Z"}));
  EXPECT_TRUE(plan.skipped.empty());
  EXPECT_EQ(plan.skipped_count, 0u);
  EXPECT_EQ(S(plan.next_fire_at), "2027-01-01T06:00:00Z");
}

TEST(CatchUp, OneFiresOnlyTheNewest) {
  const auto plan = hourly(CatchUpMode::kOne, "2027-01-01T05:40:00Z");
  EXPECT_EQ(S(plan.fire), (Strings{"2027-01-01T05:00:00Z"}));
  EXPECT_EQ(S(plan.skipped), (Strings{"2027-01-01T01:00:00Z", "2027-01-01T02:00:00Z",
                                      "2027-01-01T03:00:00Z", "2027-01-01T04:00:00Z"}));
  EXPECT_EQ(plan.skipped_count, 4u);
  EXPECT_EQ(S(plan.next_fire_at), "2027-01-01T06:00:00Z");
}

TEST(CatchUp, SkipFiresOnlyAnOnTimeFire) {
  auto plan = hourly(CatchUpMode::kSkip, "2027-01-01T05:00:20Z");  // 20 s late: on time
  EXPECT_EQ(S(plan.fire), (Strings{"2027-01-01T05:00:00Z"}));
  EXPECT_EQ(plan.skipped_count, 4u);
  plan = hourly(CatchUpMode::kSkip, "2027-01-01T05:01:00Z");  // exactly the 60 s grace
  EXPECT_EQ(S(plan.fire), (Strings{"2027-01-01T05:00:00Z"}));
  plan = hourly(CatchUpMode::kSkip, "2027-01-01T05:01:01Z");  // 61 s late
  EXPECT_TRUE(plan.fire.empty());
  EXPECT_EQ(plan.skipped_count, 5u);
  EXPECT_EQ(plan.skipped.size(), 5u);
  EXPECT_EQ(S(plan.skipped.back()), "2027-01-01T05:00:00Z");
  EXPECT_EQ(S(plan.next_fire_at), "2027-01-01T06:00:00Z");
  // The grace is a parameter.
  plan = planCatchUp(cron("0 * * * *"), cctz::utc_time_zone(), T("2027-01-01T00:00:00Z"),
                     T("2026-12-01T00:00:00Z"), T("2027-01-01T05:04:00Z"), 0, CatchUpMode::kSkip,
                     1000, std::chrono::seconds(300));
  EXPECT_EQ(S(plan.fire), (Strings{"2027-01-01T05:00:00Z"}));
}

TEST(CatchUp, MaxLagSkipsOldFiresInEveryMode) {
  // now - 150 min = 02:30:20: 01:00 and 02:00 are too old.
  auto plan = hourly(CatchUpMode::kAll, "2027-01-01T05:00:20Z", 150);
  EXPECT_EQ(S(plan.fire),
            (Strings{"2027-01-01T03:00:00Z", "2027-01-01T04:00:00Z", "2027-01-01T05:00:00Z"}));
  EXPECT_EQ(S(plan.skipped), (Strings{"2027-01-01T01:00:00Z", "2027-01-01T02:00:00Z"}));
  EXPECT_EQ(plan.skipped_count, 2u);

  plan = hourly(CatchUpMode::kOne, "2027-01-01T05:00:20Z", 150);
  EXPECT_EQ(S(plan.fire), (Strings{"2027-01-01T05:00:00Z"}));
  EXPECT_EQ(plan.skipped_count, 4u);

  // A fire exactly max_lag_minutes old is still due: now - 180 min = 02:00:00.
  plan = hourly(CatchUpMode::kAll, "2027-01-01T05:00:00Z", 180);
  EXPECT_EQ(S(plan.fire), (Strings{"2027-01-01T02:00:00Z", "2027-01-01T03:00:00Z",
                                   "2027-01-01T04:00:00Z", "2027-01-01T05:00:00Z"}));
  EXPECT_EQ(S(plan.skipped), (Strings{"2027-01-01T01:00:00Z"}));

  // Everything older than the lag: one mode fires nothing.
  plan = hourly(CatchUpMode::kOne, "2027-01-01T05:50:00Z", 30);
  EXPECT_TRUE(plan.fire.empty());
  EXPECT_EQ(plan.skipped_count, 5u);
}

TEST(CatchUp, MaxLagBoundaryOffTheMinuteAndHugeLags) {
  // created 00:59:45, now 04:00:00: a 180-minute lag keeps 01:00 (exactly 180 min old),
  // 179 minutes drops it; a lag of 10^9 minutes (the schema's maximum) is no limit.
  const auto plan = [](int lag) {
    return planCatchUp(cron("0 * * * *"), cctz::utc_time_zone(), std::nullopt,
                       T("2027-01-01T00:59:45Z"), T("2027-01-01T04:00:00Z"), lag, CatchUpMode::kAll,
                       1000);
  };
  EXPECT_EQ(plan(180).fire.size(), 4u);
  EXPECT_EQ(S(plan(179).skipped), (Strings{"2027-01-01T01:00:00Z"}));
  EXPECT_EQ(plan(179).fire.size(), 3u);
  EXPECT_EQ(plan(1000000000).fire.size(), 4u);
  EXPECT_EQ(plan(1000000000).skipped_count, 0u);
}

TEST(CatchUp, AllIsCappedAndTheRestIsSkipped) {
  const auto plan = hourly(CatchUpMode::kAll, "2027-01-01T05:00:20Z", 0, 2);
  EXPECT_EQ(S(plan.fire), (Strings{"2027-01-01T01:00:00Z", "2027-01-01T02:00:00Z"}));
  EXPECT_EQ(S(plan.skipped), (Strings{"2027-01-01T03:00:00Z", "2027-01-01T04:00:00Z"}));
  EXPECT_EQ(plan.skipped_count, 3u);  // 03:00, 04:00, 05:00; the list is capped at 2
}

TEST(CatchUp, NothingDueAndCreatedAtAsBase) {
  // Never fired: due fires count from created_at.
  auto plan =
      planCatchUp(cron("0 * * * *"), cctz::utc_time_zone(), std::nullopt, T("2027-01-01T02:30:00Z"),
                  T("2027-01-01T04:10:00Z"), 0, CatchUpMode::kAll, 1000);
  EXPECT_EQ(S(plan.fire), (Strings{"2027-01-01T03:00:00Z", "2027-01-01T04:00:00Z"}));
  // Nothing due yet.
  plan =
      planCatchUp(cron("0 * * * *"), cctz::utc_time_zone(), T("2027-01-01T04:00:00Z"),
                  T("2027-01-01T02:30:00Z"), T("2027-01-01T04:10:00Z"), 0, CatchUpMode::kAll, 1000);
  EXPECT_TRUE(plan.fire.empty());
  EXPECT_EQ(plan.skipped_count, 0u);
  EXPECT_EQ(S(plan.next_fire_at), "2027-01-01T05:00:00Z");
  // A last fire recorded after now (clock step back) is never repeated.
  plan =
      planCatchUp(cron("0 * * * *"), cctz::utc_time_zone(), T("2027-01-01T05:00:00Z"),
                  T("2027-01-01T02:30:00Z"), T("2027-01-01T04:10:00Z"), 0, CatchUpMode::kAll, 1000);
  EXPECT_TRUE(plan.fire.empty());
  EXPECT_EQ(S(plan.next_fire_at), "2027-01-01T06:00:00Z");
}

TEST(CatchUp, YearsOfMissedMinutesStayBounded) {
  const auto started = std::chrono::steady_clock::now();
  // Every minute, down for 2027-01-01 .. 2030-01-01 (1096 days).
  auto plan =
      planCatchUp(cron("* * * * *"), cctz::utc_time_zone(), T("2027-01-01T00:00:00Z"),
                  T("2026-01-01T00:00:00Z"), T("2030-01-01T00:00:30Z"), 0, CatchUpMode::kOne, 10);
  EXPECT_EQ(S(plan.fire), (Strings{"2030-01-01T00:00:00Z"}));
  EXPECT_EQ(plan.skipped.size(), 10u);
  EXPECT_EQ(S(plan.skipped.front()), "2027-01-01T00:01:00Z");
  EXPECT_EQ(plan.skipped_count, 1096u * 1440u - 1u);

  plan =
      planCatchUp(cron("* * * * *"), cctz::utc_time_zone(), T("2027-01-01T00:00:00Z"),
                  T("2026-01-01T00:00:00Z"), T("2030-01-01T00:00:30Z"), 0, CatchUpMode::kAll, 1000);
  EXPECT_EQ(plan.fire.size(), 1000u);
  EXPECT_EQ(S(plan.fire.front()), "2027-01-01T00:01:00Z");
  EXPECT_EQ(plan.skipped.size(), 1000u);
  EXPECT_EQ(plan.skipped_count, 1096u * 1440u - 1000u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST(CatchUp, GapInsideTheCatchUpFiresOnce) {
  // `*/15 2 * * *` in Berlin, down over the 2027-03-28 spring-forward: the four skipped
  // minutes are one fire at 03:00 CEST (01:00Z).
  const auto berlin = loadTimeZone("Europe/Berlin");
  ASSERT_TRUE(berlin);
  const auto plan =
      planCatchUp(cron("*/15 2 * * *"), *berlin, T("2027-03-27T01:45:00Z"),
                  T("2027-01-01T00:00:00Z"), T("2027-03-28T12:00:00Z"), 0, CatchUpMode::kAll, 1000);
  EXPECT_EQ(S(plan.fire), (Strings{"2027-03-28T01:00:00Z"}));
  EXPECT_EQ(S(plan.next_fire_at), "2027-03-29T00:00:00Z");
}
