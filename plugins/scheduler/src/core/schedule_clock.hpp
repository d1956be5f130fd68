// schedule_clock.hpp — when a cron expression fires, as UTC instants, in an IANA time zone
// (libcctz). Pure functions: no clock reads, no database; the caller passes `now`.
//
// A cron expression names local civil minutes; each matching minute becomes one instant:
//   unique local time  -> that instant.
//   gap (the local time does not exist, e.g. 02:30 on 2027-03-28 in Europe/Berlin, where
//        clocks jump 02:00 CET -> 03:00 CEST) -> the instant the gap ends, the transition
//        (03:00 CEST = 01:00Z). Every skipped minute maps to that one instant, and an instant
//        fires at most once, so `*/15 2 * * *` fires once that day, at 03:00 CEST.
//   fold (the local time occurs twice, e.g. 02:30 on 2027-10-31 in Europe/Berlin, where clocks
//        fall back 03:00 CEST -> 02:00 CET) -> the FIRST occurrence only (02:30 CEST = 00:30Z);
//        the repeated hour never fires again. Hence `30 * * * *` in Berlin fires at 00:30Z and
//        then 02:30Z that day (nothing at 01:30Z): a job that needs a fixed interval should use
//        the time zone "UTC".
// In cctz terms: SKIPPED -> civil_lookup::trans, REPEATED -> civil_lookup::pre (the earlier
// instant), UNIQUE -> pre (= trans = post). The mapping is non-decreasing in civil time, which
// is what lets the searches below walk civil days in order.
//
// Searches walk civil days, jumping over months and days that cannot match and visiting only
// the hours and minutes in the expression. They give up after kSearchDays (9 years: the next
// Feb 29 can be 8 years away, e.g. 2096 -> 2104), so an impossible expression such as
// `0 0 30 2 *` returns nullopt after ~250 day checks. They also stay within the local days
// 1678-01-01 .. 2261-12-31, where a system_clock instant (64-bit nanoseconds) cannot overflow.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include "core/cron_expression.hpp"
#include "core/sys_time.hpp"

namespace jobengine::scheduler {

inline constexpr int kSearchDays = 9 * 366;

// An IANA zone ("Europe/Berlin", "UTC"); nullopt for unknown names. cctz falls back to UTC
// for a name it cannot load, so the return value is checked. Names that are not plain IANA
// identifiers (empty, "localtime", absolute paths, "..", characters other than letters,
// digits, '_', '-', '+', '/') are refused before any file is opened.
std::optional<cctz::time_zone> loadTimeZone(std::string_view name);

// The instant a local civil minute fires at, by the gap / fold rules above.
SysTime resolveLocalMinute(const cctz::time_zone& tz, const cctz::civil_minute& cm);

// The first fire strictly after `after`; nullopt when none within kSearchDays.
std::optional<SysTime> nextFire(const CronExpression& expr, const cctz::time_zone& tz,
                                SysTime after);

// The last fire at or before `at_or_before`; nullopt when none within kSearchDays.
std::optional<SysTime> previousFire(const CronExpression& expr, const cctz::time_zone& tz,
                                    SysTime at_or_before);

// The fires in (after, until], oldest first, at most `limit`.
std::vector<SysTime> firesBetween(const CronExpression& expr, const cctz::time_zone& tz,
                                  SysTime after, SysTime until, size_t limit);

// How many fires lie in (after, until]. Counts whole ordinary days arithmetically, so a
// years-long interval of an every-minute schedule costs one step per day.
uint64_t countFires(const CronExpression& expr, const cctz::time_zone& tz, SysTime after,
                    SysTime until);

}  // namespace jobengine::scheduler
