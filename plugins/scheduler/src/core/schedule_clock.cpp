// schedule_clock.cpp — fire-time searches over civil days; the DST rules are in
// schedule_clock.hpp.
#include "core/schedule_clock.hpp"

#include <algorithm>
#include <string>

namespace jobengine::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

cctz::civil_minute localMinute(const cctz::time_zone& tz, SysTime tp) {
  return cctz::civil_minute(tz.lookup(tp).cs);
}

cctz::civil_day firstDayOfNextMonth(const cctz::civil_day& day) {
  return cctz::civil_day(cctz::civil_month(day) + 1);
}

cctz::civil_minute at(const cctz::civil_day& day, int hour, int minute) {
  return cctz::civil_minute(day.year(), day.month(), day.day(), hour, minute);
}

// system_clock counts nanoseconds in 64 bits: 1677-09-21 .. 2262-04-11. Searches stay inside
// these local days so that converting an instant never overflows.
constexpr cctz::civil_day kFirstSearchDay(1678, 1, 1);
constexpr cctz::civil_day kLastSearchDay(2261, 12, 31);

cctz::civil_day clampDay(const cctz::civil_day& day) {
  return day < kFirstSearchDay ? kFirstSearchDay : (day > kLastSearchDay ? kLastSearchDay : day);
}

bool validZoneName(std::string_view name) {
  if (name.empty() || name == "localtime" || name.front() == '/' ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '+' || c == '/';
  });
}

// The first fire strictly after `after` on a local day <= last_day.
std::optional<SysTime> nextFireThrough(const CronExpression& expr, const cctz::time_zone& tz,
                                       SysTime after, const cctz::civil_day& last_day) {
  const cctz::civil_minute start = localMinute(tz, after) + 1;
  const cctz::civil_day start_day(start);
  cctz::civil_day day = start_day;
  const cctz::civil_day stop = clampDay(last_day);
  if (day < kFirstSearchDay) {
    return std::nullopt;
  }
  while (day <= stop) {
    if (!expr.months().test(static_cast<size_t>(day.month()))) {
      day = firstDayOfNextMonth(day);
      continue;
    }
    if (expr.matchesDay(day)) {
      const bool first = day == start_day;
      for (int h = first ? start.hour() : 0; h < 24; ++h) {
        if (!expr.hours().test(static_cast<size_t>(h))) {
          continue;
        }
        for (int m = first && h == start.hour() ? start.minute() : 0; m < 60; ++m) {
          if (!expr.minutes().test(static_cast<size_t>(m))) {
            continue;
          }
          // In a fold `after` may be a second-pass time whose later civil minutes map to
          // first-pass instants before it: those are skipped here, never fired twice.
          const SysTime t = resolveLocalMinute(tz, at(day, h, m));
          if (t > after) {
            return t;
          }
        }
      }
    }
    ++day;
  }
  return std::nullopt;
}

}  // namespace

std::optional<cctz::time_zone> loadTimeZone(std::string_view name) {
  if (!validZoneName(name)) {
    return std::nullopt;
  }
  cctz::time_zone tz;
  if (!cctz::load_time_zone(std::string(name), &tz)) {
    return std::nullopt;
  }
  return tz;
}

SysTime resolveLocalMinute(const cctz::time_zone& tz, const cctz::civil_minute& cm) {
  const cctz::time_zone::civil_lookup cl = tz.lookup(cctz::civil_second(cm));
  return cl.kind == cctz::time_zone::civil_lookup::SKIPPED ? cl.trans : cl.pre;
}

std::optional<SysTime> nextFire(const CronExpression& expr, const cctz::time_zone& tz,
                                SysTime after) {
  return nextFireThrough(expr, tz, after, cctz::civil_day(localMinute(tz, after)) + kSearchDays);
}

std::optional<SysTime> previousFire(const CronExpression& expr, const cctz::time_zone& tz,
                                    SysTime at_or_before) {
  // Start a day late: in a fold, civil minutes after the local time of `at_or_before` (a
  // second-pass time) map to first-pass instants that are earlier than it.
  const cctz::civil_minute start = localMinute(tz, at_or_before) + cctz::diff_t{24 * 60};
  const cctz::civil_day start_day(start);
  const cctz::civil_day last_day = clampDay(start_day - kSearchDays);
  cctz::civil_day day = start_day;
  if (day > kLastSearchDay) {
    return std::nullopt;
  }
  while (day >= last_day) {
    if (!expr.months().test(static_cast<size_t>(day.month()))) {
      day = cctz::civil_day(cctz::civil_month(day)) - 1;
      continue;
    }
    if (expr.matchesDay(day)) {
      const bool first = day == start_day;
      for (int h = first ? start.hour() : 23; h >= 0; --h) {
        if (!expr.hours().test(static_cast<size_t>(h))) {
          continue;
        }
        for (int m = first && h == start.hour() ? start.minute() : 59; m >= 0; --m) {
          if (!expr.minutes().test(static_cast<size_t>(m))) {
            continue;
          }
          const SysTime t = resolveLocalMinute(tz, at(day, h, m));
          if (t <= at_or_before) {
            return t;
          }
        }
      }
    }
    --day;
  }
  return std::nullopt;
}

std::vector<SysTime> firesBetween(const CronExpression& expr, const cctz::time_zone& tz,
                                  SysTime after, SysTime until, size_t limit) {
  std::vector<SysTime> out;
  // A fold can put a first-pass fire on the local day after until's local day.
  const cctz::civil_day last_day = cctz::civil_day(localMinute(tz, until)) + 1;
  SysTime cursor = after;
  while (out.size() < limit && cursor < until) {
    const std::optional<SysTime> next = nextFireThrough(expr, tz, cursor, last_day);
    if (!next || *next > until) {
      break;
    }
    out.push_back(*next);
    cursor = *next;
  }
  return out;
}

uint64_t countFires(const CronExpression& expr, const cctz::time_zone& tz, SysTime after,
                    SysTime until) {
  if (until <= after) {
    return 0;
  }
  const auto first_hour = [&] {
    int h = 0;
    while (h < 24 && !expr.hours().test(static_cast<size_t>(h))) {
      ++h;
    }
    return h;
  }();
  const auto first_minute = [&] {
    int m = 0;
    while (m < 60 && !expr.minutes().test(static_cast<size_t>(m))) {
      ++m;
    }
    return m;
  }();
  if (first_hour == 24 || first_minute == 60) {
    return 0;
  }
  int last_hour = 23;
  while (!expr.hours().test(static_cast<size_t>(last_hour))) {
    --last_hour;
  }
  int last_minute = 59;
  while (!expr.minutes().test(static_cast<size_t>(last_minute))) {
    --last_minute;
  }
  const uint64_t per_day = expr.hours().count() * expr.minutes().count();

  uint64_t total = 0;
  std::optional<SysTime> last_counted;  // skipped minutes share an instant: count it once
  // One local day of margin on each side: folds and gaps can move a fire across midnight.
  cctz::civil_day day = clampDay(cctz::civil_day(localMinute(tz, after)) - 1);
  const cctz::civil_day last_day = clampDay(cctz::civil_day(localMinute(tz, until)) + 1);
  while (day <= last_day) {
    if (!expr.months().test(static_cast<size_t>(day.month()))) {
      day = firstDayOfNextMonth(day);
      continue;
    }
    if (!expr.matchesDay(day)) {
      ++day;
      continue;
    }
    const SysTime begin = resolveLocalMinute(tz, cctz::civil_minute(day));
    const SysTime end = resolveLocalMinute(tz, cctz::civil_minute(day + 1));
    const bool plain =
        end - begin == hours(24) &&
        tz.lookup(cctz::civil_second(day)).kind == cctz::time_zone::civil_lookup::UNIQUE &&
        tz.lookup(begin).offset == tz.lookup(end - seconds(1)).offset;
    if (plain && begin > after && end <= until) {
      uint64_t n = per_day;
      if (last_counted &&
          resolveLocalMinute(tz, at(day, first_hour, first_minute)) <= *last_counted) {
        --n;  // the previous day's skipped minutes fired at this day's first instant
      }
      total += n;
      last_counted = resolveLocalMinute(tz, at(day, last_hour, last_minute));
    } else {
      for (int h = 0; h < 24; ++h) {
        if (!expr.hours().test(static_cast<size_t>(h))) {
          continue;
        }
        for (int m = 0; m < 60; ++m) {
          if (!expr.minutes().test(static_cast<size_t>(m))) {
            continue;
          }
          const SysTime t = resolveLocalMinute(tz, at(day, h, m));
          if (t > after && t <= until && (!last_counted || t > *last_counted)) {
            ++total;
            last_counted = t;
          }
        }
      }
    }
    ++day;
  }
  return total;
}

}  // namespace jobengine::scheduler
