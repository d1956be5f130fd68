// Conversions between time points and fractional seconds for the ratelimit core: rounding up
// (a "ready at" time must not be early) and saturation at kNever (no overflow for huge waits).
#include "core/time_types.hpp"

#include <cmath>

namespace jobengine::ratelimit {

double secondsBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

TimePoint addSeconds(TimePoint start, double seconds) {
  if (start == kNever || std::isnan(seconds)) {
    return kNever;
  }
  if (seconds <= 0.0) {
    return start;
  }
  // Keep a one-second margin below the limit so the conversion to ticks cannot overflow.
  const double headroom_s = secondsBetween(start, kNever) - 1.0;
  if (seconds >= headroom_s) {
    return kNever;
  }
  return start + std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace jobengine::ratelimit
