// nvd_date_ranges.cpp — see nvd_date_ranges.hpp.
#include "core/nvd_date_ranges.hpp"

#include <jobengine/time_format.hpp>

#include <algorithm>
#include <chrono>

namespace jobengine::concelier {

std::vector<NvdDateRange> nvdDateRanges(const std::optional<std::string>& from,
                                        const std::optional<std::string>& to) {
  if (!from || !to) {
    return {};
  }
  const auto start = sdk::parseRfc3339(*from);
  const auto end = sdk::parseRfc3339(*to);
  if (!start || !end || *end <= *start) {
    return {{*from, *to}};
  }
  constexpr auto kMaxRange = std::chrono::hours(24 * kNvdMaxRangeDays);
  std::vector<NvdDateRange> ranges;
  for (auto at = *start; at < *end; at += kMaxRange) {
    const auto until = std::min<std::chrono::system_clock::time_point>(*end, at + kMaxRange);
    ranges.push_back({sdk::formatRfc3339(at), sdk::formatRfc3339(until)});
  }
  return ranges;
}

}  // namespace jobengine::concelier
