// schedule_clock_test.cpp — core/schedule_clock: next / previous fire, leap days, impossible
// dates, zones, and the DST gap and fold rules in Europe/Berlin and America/New_York.
// Expected instants are UTC literals worked out by hand (CET = UTC+1, CEST = UTC+2,
// EST = UTC-5, EDT = UTC-4), never computed with the functions under test.
#include "core/schedule_clock.hpp"

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
  auto r = CronExpression::parse(text);
  if (const auto* e = std::get_if<CronError>(&r)) {
    ADD_FAILURE() << e->message;
    return std::get<CronExpression>(CronExpression::parse("* * * * *"));
  }
  return std::get<CronExpression>(r);
}

cctz::time_zone zone(const std::string& name) {
  auto tz = loadTimeZone(name);
  if (!tz) {
    ADD_FAILURE() << "zone " << name << " not found";
    return cctz::utc_time_zone();
  }
  return *tz;
}

std::string next(const std::string& expr, const std::string& tz, const std::string& after) {
  return S(nextFire(cron(expr), zone(tz), T(after)));
}

std::vector<std::string> between(const std::string& expr, const std::string& tz,
                                 const std::string& after, const std::string& until,
                                 size_t limit = 100) {
  return S(firesBetween(cron(expr), zone(tz), T(after), T(until), limit));
}

using Strings = std::vector<std::string>;

}  // namespace

TEST(ScheduleClock, LoadTimeZoneRefusesUnknownNames) {
  EXPECT_TRUE(loadTimeZone("UTC"));
  EXPECT_TRUE(loadTimeZone("Europe/Berlin"));
  EXPECT_TRUE(loadTimeZone("America/New_York"));
  EXPECT_TRUE(loadTimeZone("America/Argentina/Buenos_Aires"));
  EXPECT_TRUE(loadTimeZone("Etc/GMT+5"));
  EXPECT_FALSE(loadTimeZone("Mars/Olympus_Mons"));
  EXPECT_FALSE(loadTimeZone("Europe/Berlin "));
  EXPECT_FALSE(loadTimeZone(""));
  EXPECT_FALSE(loadTimeZone("localtime"));
  EXPECT_FALSE(loadTimeZone("/usr/share/zoneinfo/UTC"));
  EXPECT_FALSE(loadTimeZone("../zoneinfo/UTC"));
  EXPECT_FALSE(loadTimeZone("CEST"));
}

TEST(ScheduleClock, EveryMinuteIsStrictlyAfter) {
  EXPECT_EQ(next("* * * * *", "UTC", "2027-01-01T10:00:30Z"), "2027-01-01T10:01:00Z");
  EXPECT_EQ(next("* * * * *", "UTC", "2027-01-01T10:01:00Z"), "2027-01-01T10:02:00Z");
  EXPECT_EQ(next("* * * * *", "UTC", "2027-01-01T10:00:59.999Z"), "2027-01-01T10:01:00Z");
  EXPECT_EQ(next("* * * * *", "UTC", "2027-12-31T23:59:00Z"), "2028-01-01T00:00:00Z");
}

TEST(ScheduleClock, Steps) {
  EXPECT_EQ(next("*/15 * * * *", "UTC", "2027-01-01T10:15:00Z"), "2027-01-01T10:30:00Z");
  EXPECT_EQ(next("*/15 * * * *", "UTC", "2027-01-01T10:50:00Z"), "2027-01-01T11:00:00Z");
  EXPECT_EQ(next("0 */6 * * *", "UTC", "2027-01-01T07:00:00Z"), "2027-01-01T12:00:00Z");
  EXPECT_EQ(next("0 */6 * * *", "UTC", "2027-01-01T18:00:00Z"), "2027-01-02T00:00:00Z");
  EXPECT_EQ(between("10-30/10 9 * * *", "UTC", "2027-01-01T00:00:00Z", "2027-01-01T23:00:00Z"),
            (Strings{"2027-01-01T09:10:00Z", "2027-01-01T09:20:00Z", "2027-01-01T09:30:00Z"}));
}

TEST(ScheduleClock, DayOfMonthOrDayOfWeek) {
  // 2027-01-01 is a Friday. "13th or Friday":
  EXPECT_EQ(between("0 0 13 * 5", "UTC", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"),
            (Strings{"2027-01-08T00:00:00Z", "2027-01-13T00:00:00Z", "2027-01-15T00:00:00Z",
                     "2027-01-22T00:00:00Z", "2027-01-29T00:00:00Z"}));
  // `*/2` counts as unrestricted: odd days that are Fridays.
  EXPECT_EQ(between("0 0 */2 * 5", "UTC", "2027-01-01T00:00:00Z", "2027-03-01T00:00:00Z"),
            (Strings{"2027-01-15T00:00:00Z", "2027-01-29T00:00:00Z", "2027-02-05T00:00:00Z",
                     "2027-02-19T00:00:00Z"}));
  EXPECT_EQ(next("0 0 * * 7", "UTC", "2027-01-01T00:00:00Z"), "2027-01-03T00:00:00Z");
}

TEST(ScheduleClock, LeapDayAndImpossibleDates) {
  EXPECT_EQ(next("0 0 29 2 *", "UTC", "2027-01-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next("0 0 29 2 *", "UTC", "2028-02-29T00:00:00Z"), "2032-02-29T00:00:00Z");
  // 2100 is not a leap year: eight years between leap days, still inside the search.
  EXPECT_EQ(next("0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z"), "2104-02-29T00:00:00Z");
  EXPECT_EQ(S(previousFire(cron("0 0 29 2 *"), zone("UTC"), T("2027-06-01T00:00:00Z"))),
            "2024-02-29T00:00:00Z");

  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(next("0 0 30 2 *", "UTC", "2027-01-01T00:00:00Z"), "never");
  EXPECT_EQ(next("* * 31 4,6,9,11 *", "Europe/Berlin", "2027-01-01T00:00:00Z"), "never");
  EXPECT_EQ(S(previousFire(cron("0 0 30 2 *"), zone("UTC"), T("2027-01-01T00:00:00Z"))), "never");
  EXPECT_EQ(countFires(cron("0 0 30 2 *"), zone("UTC"), T("2027-01-01T00:00:00Z"),
                       T("2037-01-01T00:00:00Z")),
            0u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(ScheduleClock, SearchesStayInsideTheClockRange) {
  // system_clock (64-bit nanoseconds) ends 2262-04-11: no fire is searched past 2261.
  EXPECT_EQ(next("0 0 1 1 *", "UTC", "2261-01-01T00:00:00Z"), "never");
  EXPECT_EQ(next("0 0 31 12 *", "UTC", "2261-01-01T00:00:00Z"), "2261-12-31T00:00:00Z");
  EXPECT_EQ(next("* * * * *", "UTC", "2262-04-01T00:00:00Z"), "never");
  EXPECT_EQ(S(previousFire(cron("* * * * *"), zone("UTC"), T("1677-12-01T00:00:00Z"))), "never");
}

TEST(ScheduleClock, MonthEndAndYearly) {
  // April has 30 days: the next 31st is in May.
  EXPECT_EQ(next("0 12 31 * *", "UTC", "2027-04-01T00:00:00Z"), "2027-05-31T12:00:00Z");
  EXPECT_EQ(next("59 23 30 4 *", "UTC", "2027-04-30T23:59:00Z"), "2028-04-30T23:59:00Z");
  // @yearly is midnight local: 2028-01-01 00:00 CET = 2027-12-31 23:00 UTC.
  EXPECT_EQ(next("@yearly", "Europe/Berlin", "2027-06-01T00:00:00Z"), "2027-12-31T23:00:00Z");
  EXPECT_EQ(next("@monthly", "America/New_York", "2027-06-15T00:00:00Z"), "2027-07-01T04:00:00Z");
}

TEST(ScheduleClock, FixedLocalTimeFollowsTheZone) {
  // 09:00 local stays 09:00 local: the UTC instant moves by an hour at each change.
  EXPECT_EQ(between("0 9 * * *", "Europe/Berlin", "2027-03-27T00:00:00Z", "2027-03-29T00:00:00Z"),
            (Strings{"2027-03-27T08:00:00Z", "2027-03-28T07:00:00Z"}));
  EXPECT_EQ(between("0 9 * * *", "Europe/Berlin", "2027-10-30T00:00:00Z", "2027-11-01T00:00:00Z"),
            (Strings{"2027-10-30T07:00:00Z", "2027-10-31T08:00:00Z"}));
  EXPECT_EQ(
      between("0 9 * * *", "America/New_York", "2027-03-13T00:00:00Z", "2027-03-15T00:00:00Z"),
      (Strings{"2027-03-13T14:00:00Z", "2027-03-14T13:00:00Z"}));
  EXPECT_EQ(
      between("0 9 * * *", "America/New_York", "2027-11-06T00:00:00Z", "2027-11-08T00:00:00Z"),
      (Strings{"2027-11-06T13:00:00Z", "2027-11-07T14:00:00Z"}));
}

TEST(ScheduleClock, GapFiresOnceAtTheTransitionBerlin) {
  // 2027-03-28: 02:00 CET -> 03:00 CEST at 01:00Z; 02:30 does not exist.
  EXPECT_EQ(S(resolveLocalMinute(zone("Europe/Berlin"), cctz::civil_minute(2027, 3, 28, 2, 30))),
            "2027-03-28T01:00:00Z");
  EXPECT_EQ(between("30 2 * * *", "Europe/Berlin", "2027-03-26T12:00:00Z", "2027-03-30T00:00:00Z"),
            (Strings{"2027-03-27T01:30:00Z", "2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"}));
  // Four skipped minutes, one fire.
  EXPECT_EQ(
      between("*/15 2 * * *", "Europe/Berlin", "2027-03-27T12:00:00Z", "2027-03-28T12:00:00Z"),
      (Strings{"2027-03-28T01:00:00Z"}));
  // Every quarter hour through the gap: 01:30, 01:45 CET, then 03:00 once, 03:15, 03:30 CEST.
  EXPECT_EQ(
      between("*/15 * * * *", "Europe/Berlin", "2027-03-28T00:29:00Z", "2027-03-28T01:30:00Z"),
      (Strings{"2027-03-28T00:30:00Z", "2027-03-28T00:45:00Z", "2027-03-28T01:00:00Z",
               "2027-03-28T01:15:00Z", "2027-03-28T01:30:00Z"}));
  // Right before the gap and right at its end.
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2027-03-28T00:59:59Z"), "2027-03-28T01:00:00Z");
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2027-03-28T01:00:00Z"), "2027-03-29T00:30:00Z");
}

TEST(ScheduleClock, GapFiresOnceAtTheTransitionNewYork) {
  // 2027-03-14: 02:00 EST -> 03:00 EDT at 07:00Z.
  EXPECT_EQ(
      between("30 2 * * *", "America/New_York", "2027-03-13T00:00:00Z", "2027-03-16T00:00:00Z"),
      (Strings{"2027-03-13T07:30:00Z", "2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z"}));
  EXPECT_EQ(
      between("*/15 2 * * *", "America/New_York", "2027-03-14T00:00:00Z", "2027-03-14T23:00:00Z"),
      (Strings{"2027-03-14T07:00:00Z"}));
}

TEST(ScheduleClock, FoldFiresOnceAtTheFirstOccurrenceBerlin) {
  // 2027-10-31: 03:00 CEST -> 02:00 CET at 01:00Z; 02:30 is 00:30Z (CEST) and 01:30Z (CET).
  // cctz's `pre` for a repeated time is the earlier instant:
  EXPECT_EQ(S(resolveLocalMinute(zone("Europe/Berlin"), cctz::civil_minute(2027, 10, 31, 2, 30))),
            "2027-10-31T00:30:00Z");
  EXPECT_EQ(between("30 2 * * *", "Europe/Berlin", "2027-10-29T12:00:00Z", "2027-11-01T12:00:00Z"),
            (Strings{"2027-10-30T00:30:00Z", "2027-10-31T00:30:00Z", "2027-11-01T01:30:00Z"}));
  // After the first occurrence, and from inside the second pass: no second fire.
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2027-10-31T00:30:00Z"), "2027-11-01T01:30:00Z");
  EXPECT_EQ(next("30 2 * * *", "Europe/Berlin", "2027-10-31T01:10:00Z"), "2027-11-01T01:30:00Z");
  // Hourly: local 00:30, 01:30, 02:30 CEST, then 03:30 CET; the second 02:30 (01:30Z) is not
  // fired, so the interval is two hours there.
  EXPECT_EQ(between("30 * * * *", "Europe/Berlin", "2027-10-30T22:00:00Z", "2027-10-31T03:00:00Z"),
            (Strings{"2027-10-30T22:30:00Z", "2027-10-30T23:30:00Z", "2027-10-31T00:30:00Z",
                     "2027-10-31T02:30:00Z"}));
  // previousFire from inside the second pass finds the first pass's last fire.
  EXPECT_EQ(S(previousFire(cron("*/20 2 * * *"), zone("Europe/Berlin"), T("2027-10-31T01:10:00Z"))),
            "2027-10-31T00:40:00Z");
}

TEST(ScheduleClock, FoldFiresOnceAtTheFirstOccurrenceNewYork) {
  // 2027-11-07: 02:00 EDT -> 01:00 EST at 06:00Z; 01:30 is 05:30Z (EDT) and 06:30Z (EST).
  EXPECT_EQ(
      between("30 1 * * *", "America/New_York", "2027-11-06T00:00:00Z", "2027-11-09T00:00:00Z"),
      (Strings{"2027-11-06T05:30:00Z", "2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"}));
  // 02:30 is not repeated in New York (the repeated hour is 01:00-01:59): 02:30 EST.
  EXPECT_EQ(
      between("30 2 * * *", "America/New_York", "2027-11-06T00:00:00Z", "2027-11-08T00:00:00Z"),
      (Strings{"2027-11-06T06:30:00Z", "2027-11-07T07:30:00Z"}));
}

TEST(ScheduleClock, PreviousFire) {
  const auto expr = cron("0 9 * * *");
  const auto berlin = zone("Europe/Berlin");
  EXPECT_EQ(S(previousFire(expr, berlin, T("2027-03-28T07:00:00Z"))), "2027-03-28T07:00:00Z");
  EXPECT_EQ(S(previousFire(expr, berlin, T("2027-03-28T06:59:59Z"))), "2027-03-27T08:00:00Z");
  EXPECT_EQ(S(previousFire(cron("30 2 * * *"), berlin, T("2027-03-28T01:30:00Z"))),
            "2027-03-28T01:00:00Z");
}

TEST(ScheduleClock, FiresBetweenHonoursLimitAndBounds) {
  EXPECT_EQ(between("* * * * *", "UTC", "2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z", 3),
            (Strings{"2027-01-01T00:01:00Z", "2027-01-01T00:02:00Z", "2027-01-01T00:03:00Z"}));
  EXPECT_EQ(between("0 * * * *", "UTC", "2027-01-01T00:00:00Z", "2027-01-01T02:00:00Z"),
            (Strings{"2027-01-01T01:00:00Z", "2027-01-01T02:00:00Z"}));
  EXPECT_TRUE(between("0 * * * *", "UTC", "2027-01-01T02:00:00Z", "2027-01-01T01:00:00Z").empty());
  // A rare schedule with a near bound does not scan for years.
  EXPECT_TRUE(between("0 0 29 2 *", "UTC", "2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z").empty());
}

TEST(ScheduleClock, CountFiresMatchesEnumeration) {
  const std::vector<std::string> exprs = {"* * * * *",   "*/15 2 * * *",  "30 * * * *",
                                          "0 0 * * *",   "*/7 1-3 * * *", "0,30 0-3 * * SUN",
                                          "45 23 * * *", "0 0 1 * *"};
  const std::vector<std::string> zones = {"UTC", "Europe/Berlin", "America/New_York",
                                          "Australia/Lord_Howe"};
  const std::vector<std::pair<std::string, std::string>> ranges = {
      {"2027-03-10T07:17:30Z", "2027-04-12T03:01:00Z"},
      {"2027-10-01T00:00:00Z", "2027-11-10T12:34:56Z"},
      {"2027-03-28T00:59:00Z", "2027-03-28T01:00:00Z"},
  };
  for (const auto& e : exprs) {
    for (const auto& z : zones) {
      for (const auto& [a, b] : ranges) {
        const auto expr = cron(e);
        const auto tz = zone(z);
        EXPECT_EQ(countFires(expr, tz, T(a), T(b)),
                  firesBetween(expr, tz, T(a), T(b), 1000000).size())
            << e << " in " << z << " (" << a << ", " << b << "]";
      }
    }
  }
}

TEST(ScheduleClock, CountFiresIsCheapOverYears) {
  const auto started = std::chrono::steady_clock::now();
  // 2027-01-01 .. 2030-01-01 is 1096 days (2028 is a leap year).
  EXPECT_EQ(countFires(cron("* * * * *"), zone("UTC"), T("2027-01-01T00:00:00Z"),
                       T("2030-01-01T00:00:00Z")),
            1096u * 1440u);
  // In Berlin every UTC minute is still some local minute across a gap (the skipped ones
  // share 03:00's instant), but the fold's second pass (60 UTC minutes) is not fired: three
  // autumns lose 60 fires each.
  EXPECT_EQ(countFires(cron("* * * * *"), zone("Europe/Berlin"), T("2027-01-01T00:00:00Z"),
                       T("2030-01-01T00:00:00Z")),
            1096u * 1440u - 3u * 60u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(ScheduleClock, SearchesAgreeWithBruteForceOverDstWeeks) {
  // Reference: every local civil minute of the window, matched one by one and resolved with
  // the gap / fold rule, deduplicated. The searches must find exactly these instants.
  const std::vector<std::string> exprs = {
      "*/13 * * * *", "30 2 * * *",     "0,30 1-3 * * *",           "*/20 2 * * SUN",
      "59 1 * * *",   "0 0 1,15 * MON", "5 */2 1-5,12-14,28-31 * *"};
  const std::vector<std::pair<std::string, cctz::civil_day>> cases = {
      {"Europe/Berlin", cctz::civil_day(2027, 3, 25)},
      {"Europe/Berlin", cctz::civil_day(2027, 10, 28)},
      {"America/New_York", cctz::civil_day(2027, 3, 11)},
      {"America/New_York", cctz::civil_day(2027, 11, 4)},
      {"Australia/Lord_Howe", cctz::civil_day(2027, 4, 1)},
      {"Australia/Lord_Howe", cctz::civil_day(2027, 10, 1)},
  };
  for (const auto& e : exprs) {
    const auto expr = cron(e);
    for (const auto& [name, first_day] : cases) {
      const auto tz = zone(name);
      std::vector<SysTime> expected;
      for (cctz::civil_minute cm(first_day); cm < cctz::civil_minute(first_day + 7); ++cm) {
        if (expr.matches(cm)) {
          const SysTime t = resolveLocalMinute(tz, cm);
          if (expected.empty() || t > expected.back()) {
            expected.push_back(t);
          }
        }
      }
      ASSERT_FALSE(expected.empty()) << e << " " << name;
      // Bounds strictly inside the window, so the reference is complete between them.
      const SysTime after = resolveLocalMinute(tz, cctz::civil_minute(first_day) + 90);
      const SysTime until = resolveLocalMinute(tz, cctz::civil_minute(first_day + 7) - 90);
      std::vector<SysTime> inside;
      for (const SysTime t : expected) {
        if (t > after && t <= until) {
          inside.push_back(t);
        }
      }
      EXPECT_EQ(S(firesBetween(expr, tz, after, until, 100000)), S(inside)) << e << " " << name;
      EXPECT_EQ(countFires(expr, tz, after, until), inside.size()) << e << " " << name;
      for (size_t i = 1; i < inside.size(); ++i) {
        EXPECT_EQ(S(nextFire(expr, tz, inside[i - 1])), S(inside[i])) << e << " " << name;
        EXPECT_EQ(S(previousFire(expr, tz, inside[i] - std::chrono::seconds(1))), S(inside[i - 1]))
            << e << " " << name;
      }
    }
  }
}
