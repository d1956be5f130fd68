// jobengine/adapter/rfc3339.hpp — RFC 3339 date-times as the feeds write them, for every adapter
// plugin's parsers and listings: validation, a comparable instant (to check that listings are
// newest first) and the one normalization the parsers apply ("+00:00" -> "Z"). Pure, no SDK
// types (the SDK's sdk::parseRfc3339 in time_format.hpp is the host's stricter API format).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::adapter {

// An instant: seconds since 1970-01-01T00:00:00Z and nanoseconds within the second.
struct Rfc3339Instant {
  std::int64_t epoch_seconds = 0;
  std::int32_t nanos = 0;
  friend bool operator<(const Rfc3339Instant& a, const Rfc3339Instant& b) {
    return a.epoch_seconds < b.epoch_seconds ||
           (a.epoch_seconds == b.epoch_seconds && a.nanos < b.nanos);
  }
};

// "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" ('t' and 'z' accepted); std::nullopt otherwise,
// including impossible dates such as 2026-02-30.
std::optional<Rfc3339Instant> parseRfc3339(std::string_view text);

// The same text with a trailing "+00:00" or "-00:00" written "Z"; anything else unchanged.
std::string normalizeUtcSuffix(std::string_view text);

}  // namespace jobengine::adapter
