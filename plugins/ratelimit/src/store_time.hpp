// store_time.hpp — how the ratelimit stores move times between PostgreSQL and the core: epoch
// microseconds (bigint) of the database clock, exact both ways. Every decision uses the `now`
// its statement read, never this process's clock, so all replicas share one time.
#pragma once

#include <jobengine/time_format.hpp>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/time_types.hpp"

namespace jobengine::ratelimit {

inline TimePoint fromMicros(int64_t micros) {
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros)));
}

// A time point as epoch microseconds; kNever saturates to the largest value.
inline int64_t toMicros(TimePoint t) {
  if (t == kNever) {
    return INT64_MAX;
  }
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// A JSON number of epoch microseconds or null -> time point (null: `otherwise`).
inline TimePoint microsOr(const nlohmann::json& value, TimePoint otherwise) {
  return value.is_number() ? fromMicros(value.get<int64_t>()) : otherwise;
}

// RFC 3339 UTC with microseconds, as every API time.
inline std::string rfc3339(TimePoint t) {
  return sdk::formatRfc3339(t, sdk::TimePrecision::kMicros);
}

}  // namespace jobengine::ratelimit
