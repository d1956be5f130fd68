// utc_now.hpp — the current time as RFC 3339 UTC with whole seconds ("2026-12-07T08:00:00Z"):
// the `to` of an export window or a filter that must cover everything written so far.
#pragma once

#include <ctime>
#include <string>

namespace jobengine::testing {

inline std::string utcNowRfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32] = {};
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace jobengine::testing
