// sys_time.hpp — the one name the scheduler core uses for an instant: a system_clock time
// point (UTC; RFC 3339 text through jobengine/time_format.hpp). Schedules, catch-up, backfill
// windows and watermarks all speak it.
#pragma once

#include <jobengine/time_format.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace jobengine::scheduler {

using SysTime = std::chrono::system_clock::time_point;

// From microseconds since the epoch: how the glue reads a timestamptz
// (`(extract(epoch FROM t) * 1000000)::bigint`) without parsing text.
inline SysTime fromEpochMicros(int64_t micros) {
  return SysTime(std::chrono::microseconds(micros));
}

// RFC 3339 UTC with microseconds: how the glue binds an instant to a `$n::timestamptz`
// parameter without losing precision, and how events carry it.
inline std::string rfc3339Micros(SysTime t) {
  return sdk::formatRfc3339(t, sdk::TimePrecision::kMicros);
}

}  // namespace jobengine::scheduler
