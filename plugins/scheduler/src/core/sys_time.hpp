// sys_time.hpp — the one name the scheduler core uses for an instant: a system_clock time
// point (UTC; RFC 3339 text through jobengine/time_format.hpp). Schedules, catch-up, backfill
// windows and watermarks all speak it.
#pragma once

#include <chrono>

namespace jobengine::scheduler {

using SysTime = std::chrono::system_clock::time_point;

}  // namespace jobengine::scheduler
