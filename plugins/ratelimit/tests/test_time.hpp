// Explicit time points for the ratelimit core tests: kT0 (a multiple of 5 s since the epoch, so
// breaker slots of 5 s start there) and at(s) / atMs(ms) offsets from it.
#pragma once

#include <chrono>

#include "core/time_types.hpp"

namespace jobengine::ratelimit::testing {

inline const TimePoint kT0{std::chrono::seconds(1'800'000'000)};

inline TimePoint at(long long seconds) { return kT0 + std::chrono::seconds(seconds); }
inline TimePoint atMs(long long milliseconds) {
  return kT0 + std::chrono::milliseconds(milliseconds);
}

}  // namespace jobengine::ratelimit::testing
