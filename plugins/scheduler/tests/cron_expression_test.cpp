// cron_expression_test.cpp — core/cron_expression: every syntax form, names, 7 = Sunday,
// macros, the Vixie day-of-month / day-of-week rule, canonical form, and each error with its
// field position and message.
#include "core/cron_expression.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)

namespace {

CronExpression ok(const std::string& text) {
  auto r = CronExpression::parse(text);
  if (const auto* e = std::get_if<CronError>(&r)) {
    ADD_FAILURE() << text << ": " << e->message;
    return std::get<CronExpression>(CronExpression::parse("* * * * *"));
  }
  return std::get<CronExpression>(r);
}

CronError bad(const std::string& text) {
  auto r = CronExpression::parse(text);
  if (const auto* e = std::get_if<CronError>(&r)) {
    return *e;
  }
  ADD_FAILURE() << text << " parsed, expected an error";
  return {};
}

template <size_t N>
std::vector<int> values(const std::bitset<N>& bits) {
  std::vector<int> out;
  for (size_t i = 0; i < N; ++i) {
    if (bits.test(i)) {
      out.push_back(static_cast<int>(i));
    }
  }
  return out;
}

using V = std::vector<int>;

}  // namespace

TEST(CronExpression, StarListRangeAndSteps) {
  const auto all = ok("* * * * *");
  EXPECT_EQ(all.minutes().count(), 60u);
  EXPECT_EQ(all.hours().count(), 24u);
  EXPECT_EQ(values(all.daysOfMonth()).front(), 1);
  EXPECT_EQ(all.daysOfMonth().count(), 31u);
  EXPECT_EQ(all.months().count(), 12u);
  EXPECT_EQ(all.daysOfWeek().count(), 7u);

  EXPECT_EQ(values(ok("5,10,15 * * * *").minutes()), (V{5, 10, 15}));
  EXPECT_EQ(values(ok("* 9-12 * * *").hours()), (V{9, 10, 11, 12}));
  EXPECT_EQ(values(ok("*/15 * * * *").minutes()), (V{0, 15, 30, 45}));
  EXPECT_EQ(values(ok("10-30/10 * * * *").minutes()), (V{10, 20, 30}));
  EXPECT_EQ(values(ok("50/4 * * * *").minutes()), (V{50, 54, 58}));  // a/n: a to max by n
  EXPECT_EQ(values(ok("* * */10 * *").daysOfMonth()), (V{1, 11, 21, 31}));
  EXPECT_EQ(values(ok("* * * */5 *").months()), (V{1, 6, 11}));
  EXPECT_EQ(values(ok("1,5-7,*/20 * * * *").minutes()), (V{0, 1, 5, 6, 7, 20, 40}));
  EXPECT_EQ(values(ok("  0\t12  * * *  ").hours()), (V{12}));  // tabs, extra blanks
}

TEST(CronExpression, NamesAreCaseInsensitiveAndSevenIsSunday) {
  EXPECT_EQ(values(ok("0 0 * JAN,jun,Dec *").months()), (V{1, 6, 12}));
  EXPECT_EQ(values(ok("0 0 * mar-MAY *").months()), (V{3, 4, 5}));
  EXPECT_EQ(values(ok("0 0 * * MON-FRI").daysOfWeek()), (V{1, 2, 3, 4, 5}));
  EXPECT_EQ(values(ok("0 0 * * sun,Sat").daysOfWeek()), (V{0, 6}));
  EXPECT_EQ(values(ok("0 0 * * 7").daysOfWeek()), (V{0}));
  EXPECT_EQ(values(ok("0 0 * * 5-7").daysOfWeek()), (V{0, 5, 6}));
  EXPECT_EQ(values(ok("0 0 * * 0-7").daysOfWeek()).size(), 7u);
  EXPECT_EQ(values(ok("0 0 * * */2").daysOfWeek()), (V{0, 2, 4, 6}));
  EXPECT_EQ(ok("0 0 * * 7"), ok("0 0 * * 0"));
}

TEST(CronExpression, Macros) {
  EXPECT_EQ(ok("@hourly").canonical(), "0 * * * *");
  EXPECT_EQ(ok("@daily").canonical(), "0 0 * * *");
  EXPECT_EQ(ok("@midnight").canonical(), "0 0 * * *");
  EXPECT_EQ(ok("@weekly").canonical(), "0 0 * * 0");
  EXPECT_EQ(ok("@monthly").canonical(), "0 0 1 * *");
  EXPECT_EQ(ok("@yearly").canonical(), "0 0 1 1 *");
  EXPECT_EQ(ok("@annually").canonical(), "0 0 1 1 *");
  EXPECT_EQ(ok(" @DAILY ").canonical(), "0 0 * * *");
}

TEST(CronExpression, CanonicalFormRoundTrips) {
  EXPECT_EQ(ok("*/15 9-17 * * mon-fri").canonical(), "*/15 9-17 * * 1-5");
  EXPECT_EQ(ok("0,30 0-23 1-31 1-12 *").canonical(), "*/30 * 1-31 * *");
  EXPECT_EQ(ok("5,1,3,2 * * * *").canonical(), "1-3,5 * * * *");
  EXPECT_EQ(ok("0 0 */2 * 5").canonical(), "0 0 */2 * 5");
  EXPECT_EQ(ok("0 0 */10,5 * 5").canonical(), "0 0 */10,5 * 5");
  EXPECT_EQ(ok("0 0 1-31 * MON").canonical(), "0 0 1-31 * 1");  // keeps the OR rule
  EXPECT_EQ(ok("0 0 * * 0-7").canonical(), "0 0 * * 0-6");
  for (const char* text : {"*/7 */5 */2 * *", "1-3,5 * * jan,jul mon", "0 0 */10,5 * 5",
                           "0 0 13 * fri", "0 0 1-31 * 1", "@weekly"}) {
    const auto expr = ok(text);
    EXPECT_EQ(ok(expr.canonical()), expr) << text << " -> " << expr.canonical();
  }
}

TEST(CronExpression, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // Friday 2027-01-01 (a 1st), Wednesday 2027-01-13, Friday 2027-01-08, Friday 2027-01-15.
  const cctz::civil_day fri1(2027, 1, 1);
  const cctz::civil_day wed13(2027, 1, 13);
  const cctz::civil_day fri8(2027, 1, 8);
  const cctz::civil_day fri15(2027, 1, 15);
  const cctz::civil_day thu14(2027, 1, 14);

  const auto either = ok("0 0 13 * 5");  // both restricted: the 13th OR a Friday
  EXPECT_TRUE(either.matchesDay(wed13));
  EXPECT_TRUE(either.matchesDay(fri8));
  EXPECT_FALSE(either.matchesDay(thu14));

  const auto dom_only = ok("0 0 13 * *");
  EXPECT_TRUE(dom_only.matchesDay(wed13));
  EXPECT_FALSE(dom_only.matchesDay(fri8));

  const auto dow_only = ok("0 0 * * FRI");
  EXPECT_FALSE(dow_only.matchesDay(wed13));
  EXPECT_TRUE(dow_only.matchesDay(fri8));

  // `*/2` starts with `*`: unrestricted for the rule, so both must match (Vixie).
  const auto odd_fridays = ok("0 0 */2 * 5");
  EXPECT_TRUE(odd_fridays.matchesDay(fri1));
  EXPECT_TRUE(odd_fridays.matchesDay(fri15));
  EXPECT_FALSE(odd_fridays.matchesDay(fri8));
  EXPECT_FALSE(odd_fridays.matchesDay(cctz::civil_day(2027, 1, 3)));

  // The month restricts both branches.
  EXPECT_FALSE(ok("0 0 13 2 5").matchesDay(fri8));
}

TEST(CronExpression, MatchesCivilMinute) {
  const auto expr = ok("30 9 * * MON-FRI");
  EXPECT_TRUE(expr.matches(cctz::civil_minute(2027, 1, 4, 9, 30)));  // Monday
  EXPECT_FALSE(expr.matches(cctz::civil_minute(2027, 1, 4, 9, 31)));
  EXPECT_FALSE(expr.matches(cctz::civil_minute(2027, 1, 4, 10, 30)));
  EXPECT_FALSE(expr.matches(cctz::civil_minute(2027, 1, 3, 9, 30)));  // Sunday
}

TEST(CronExpression, ErrorsNameFieldAndSayWhatIsAllowed) {
  auto e = bad("61 * * * *");
  EXPECT_EQ(e.field_position, 1);
  EXPECT_EQ(e.field_name, "minute");
  EXPECT_EQ(e.message, "cron field 1 (minute): 61 is out of range 0-59");

  e = bad("* 24 * * *");
  EXPECT_EQ(e.field_position, 2);
  EXPECT_EQ(e.message, "cron field 2 (hour): 24 is out of range 0-23");

  e = bad("* * 0 * *");
  EXPECT_EQ(e.field_position, 3);
  EXPECT_EQ(e.field_name, "day-of-month");
  EXPECT_EQ(e.message, "cron field 3 (day-of-month): 0 is out of range 1-31");

  e = bad("* * * 13 *");
  EXPECT_EQ(e.field_position, 4);
  EXPECT_EQ(e.field_name, "month");
  EXPECT_EQ(e.message, "cron field 4 (month): 13 is out of range 1-12 or JAN-DEC");

  e = bad("* * * * 8");
  EXPECT_EQ(e.field_position, 5);
  EXPECT_EQ(e.field_name, "day-of-week");
  EXPECT_EQ(e.message, "cron field 5 (day-of-week): 8 is out of range 0-7 or SUN-SAT");

  e = bad("* * * * 99999999999999999999");
  EXPECT_EQ(e.message,
            "cron field 5 (day-of-week): 99999999999999999999 is out of range 0-7 or SUN-SAT");
}

TEST(CronExpression, ErrorsForNamesRangesStepsAndLists) {
  auto e = bad("0 0 * FOO *");
  EXPECT_EQ(e.field_position, 4);
  EXPECT_EQ(e.message,
            "cron field 4 (month): \"FOO\" is neither a number nor a name; allowed 1-12 or "
            "JAN-DEC");
  e = bad("0 0 * * MON-FOO");
  EXPECT_EQ(e.field_position, 5);
  e = bad("0 0 * MON *");  // a day name in the month field
  EXPECT_EQ(e.field_position, 4);
  e = bad("0 0 * * JAN");
  EXPECT_EQ(e.field_position, 5);
  e = bad("0 0 * * MONDAY");
  EXPECT_EQ(e.field_position, 5);
  e = bad("x * * * *");
  EXPECT_EQ(e.message, "cron field 1 (minute): \"x\" is not a number; allowed 0-59");

  e = bad("* 17-9 * * *");
  EXPECT_EQ(e.field_position, 2);
  EXPECT_EQ(e.message,
            "cron field 2 (hour): range 17-9 is reversed: the start must not exceed the end "
            "(ranges do not wrap around)");
  e = bad("0 0 * * FRI-MON");
  EXPECT_EQ(e.field_position, 5);
  EXPECT_NE(e.message.find("reversed"), std::string::npos);

  e = bad("*/0 * * * *");
  EXPECT_EQ(e.field_position, 1);
  EXPECT_EQ(e.message, "cron field 1 (minute): step 0 in \"*/0\" is out of range 1-59");
  e = bad("* */24 * * *");
  EXPECT_EQ(e.message, "cron field 2 (hour): step 24 in \"*/24\" is out of range 1-23");
  e = bad("*/ * * * *");
  EXPECT_EQ(e.message, "cron field 1 (minute): step \"\" in \"*/\" is not a number; allowed 1-59");
  e = bad("1-5/x * * * *");
  EXPECT_EQ(e.field_position, 1);

  e = bad("1,,2 * * * *");
  EXPECT_EQ(e.message, "cron field 1 (minute): empty list item in \"1,,2\" (write items as a,b,c)");
  e = bad("* * 1, * *");
  EXPECT_EQ(e.field_position, 3);
  e = bad("* * * * ,1");
  EXPECT_EQ(e.field_position, 5);

  e = bad("-1 * * * *");
  EXPECT_EQ(e.field_position, 1);
  EXPECT_NE(e.message.find("negative"), std::string::npos);
  e = bad("1- * * * *");
  EXPECT_EQ(e.message, "cron field 1 (minute): missing value (expected 0-59)");
  e = bad("*-5 * * * *");
  EXPECT_EQ(e.field_position, 1);
  e = bad("? * * * *");
  EXPECT_EQ(e.field_position, 1);
  e = bad("* * L * *");
  EXPECT_EQ(e.field_position, 3);
}

TEST(CronExpression, WholeExpressionErrorsArePositionZero) {
  auto e = bad("* * * *");
  EXPECT_EQ(e.field_position, 0);
  EXPECT_EQ(e.field_name, "");
  EXPECT_EQ(e.message,
            "cron expression: has 4 fields; expected 5 (minute hour day-of-month month "
            "day-of-week) or a macro such as @daily");
  e = bad("0 * * * * *");
  EXPECT_EQ(e.field_position, 0);
  EXPECT_NE(e.message.find("has 6 fields"), std::string::npos);
  e = bad("");
  EXPECT_EQ(e.field_position, 0);
  EXPECT_EQ(e.message,
            "cron expression: is empty; expected 5 fields (minute hour day-of-month month "
            "day-of-week)");
  e = bad("   ");
  EXPECT_EQ(e.field_position, 0);
  e = bad("@reboot");
  EXPECT_EQ(e.field_position, 0);
  EXPECT_EQ(e.message,
            "cron expression: unknown macro \"@reboot\"; allowed @hourly, @daily, @midnight, "
            "@weekly, @monthly, @yearly, @annually");
  e = bad("@daily 5");
  EXPECT_EQ(e.field_position, 0);
}
