// Time types shared by the ratelimit decision core.
//
// Every decision takes `now` as a parameter (the store passes the database's now()), so the
// functions are deterministic and tests use explicit time points. kNever is the sentinel for
// "this will not happen with the current settings" (a bucket that never refills, a throttle with
// no expiry); callers that must store a time turn it into a re-check time instead.
#pragma once

#include <chrono>

namespace jobengine::ratelimit {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// "Never": the latest representable time point.
inline constexpr TimePoint kNever = TimePoint::max();

// Seconds from `from` to `to` (negative when `to` is earlier). kNever on either side is not
// supported; callers check for it first.
double secondsBetween(TimePoint from, TimePoint to);

// `start` plus `seconds` (>= 0), rounded up to the clock's tick so that the result is never
// earlier than the exact time; saturates at kNever (also when `start` is kNever).
TimePoint addSeconds(TimePoint start, double seconds);

}  // namespace jobengine::ratelimit
