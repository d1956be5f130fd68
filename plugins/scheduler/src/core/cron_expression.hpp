// cron_expression.hpp — our own 5-field cron parser and matcher (Debian ships no cron library).
//
// Fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC)
// day-of-week (0-7 or SUN-SAT; 0 and 7 are Sunday). Each field is a comma list of items:
// `*`, `a`, `a-b`, `*/n`, `a-b/n`, `a/n` (a to the field's maximum by n). Names are
// case-insensitive and allowed in ranges (MON-FRI). Macros: @hourly, @daily = @midnight,
// @weekly, @monthly, @yearly = @annually. No wrap-around ranges (FRI-MON), no `?`, `L`, `W`,
// `#`, no seconds field, no @reboot.
//
// Day rule (Vixie cron, `man 5 crontab` on Debian): when both day-of-month and day-of-week are
// restricted — neither field starts with `*` — a day matches if EITHER matches; otherwise both
// must. A field like `*/2` starts with `*` and so counts as unrestricted for this rule.
//
// Errors name the field (1-based position and name; position 0 for whole-expression problems
// such as a wrong field count) and say what is allowed, e.g.
// `cron field 1 (minute): 61 is out of range 0-59`.
#pragma once

#include <bitset>
#include <string>
#include <string_view>
#include <variant>

#include <cctz/civil_time.h>

namespace jobengine::scheduler {

struct CronError {
  int field_position = 0;  // 1..5; 0 when the expression as a whole is wrong
  std::string field_name;  // "minute", "hour", "day-of-month", "month", "day-of-week"; "" for 0
  std::string message;     // full human message, prefixed with the field
};

class CronExpression {
 public:
  // Parses `text` (surrounding whitespace ignored; fields separated by spaces or tabs).
  static std::variant<CronExpression, CronError> parse(std::string_view text);

  // True when a fire is scheduled at this local civil minute.
  [[nodiscard]] bool matches(const cctz::civil_minute& cm) const;
  // The day-of-month / day-of-week / month part of matches() (the Vixie OR rule lives here).
  [[nodiscard]] bool matchesDay(const cctz::civil_day& day) const;

  [[nodiscard]] const std::bitset<60>& minutes() const { return minutes_; }
  [[nodiscard]] const std::bitset<24>& hours() const { return hours_; }
  [[nodiscard]] const std::bitset<32>& daysOfMonth() const { return days_of_month_; }  // bits 1..31
  [[nodiscard]] const std::bitset<13>& months() const { return months_; }              // bits 1..12
  [[nodiscard]] const std::bitset<7>& daysOfWeek() const { return days_of_week_; }     // 0 = Sunday

  // A normalized, re-parseable form: macros expanded, names as numbers, 7 as 0, items sorted
  // and merged (`*`, `*/n`, runs as `a-b`). parse(canonical()) matches exactly the same
  // minutes, so two expressions with the same canonical() are the same schedule.
  [[nodiscard]] std::string canonical() const;

  bool operator==(const CronExpression& other) const;

 private:
  CronExpression() = default;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;
  std::bitset<13> months_;
  std::bitset<7> days_of_week_;
  bool dom_star_ = false;  // the day-of-month field starts with `*`
  bool dow_star_ = false;  // the day-of-week field starts with `*`
};

}  // namespace jobengine::scheduler
