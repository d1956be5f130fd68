// time_literals.hpp — the scheduler's unit tests write instants as RFC 3339 literals:
// T("2027-03-28T01:00:00Z") to an instant, S(...) back to text (seconds, "never" for none),
// so an expected fire time reads as what an operator would see.
#pragma once

#include <gtest/gtest.h>
#include <jobengine/time_format.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/sys_time.hpp"

namespace jobengine::scheduler::time_literals {

inline SysTime T(const std::string& rfc3339) {
  const auto tp = sdk::parseRfc3339(rfc3339);
  if (!tp) {
    ADD_FAILURE() << "bad literal " << rfc3339;
    return {};
  }
  return *tp;
}

inline std::string S(const std::optional<SysTime>& tp) {
  return tp ? sdk::formatRfc3339(*tp, sdk::TimePrecision::kSeconds) : "never";
}

inline std::vector<std::string> S(const std::vector<SysTime>& tps) {
  std::vector<std::string> out;
  for (const SysTime tp : tps) {
    out.push_back(S(tp));
  }
  return out;
}

}  // namespace jobengine::scheduler::time_literals
