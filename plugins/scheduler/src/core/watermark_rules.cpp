// watermark_rules.cpp — see watermark_rules.hpp.
#include "core/watermark_rules.hpp"

#include <algorithm>

namespace jobengine::scheduler {

std::optional<SysTime> advancedWatermark(const std::optional<SysTime>& current,
                                         std::vector<CoveredWindow> windows) {
  if (windows.empty()) {
    return std::nullopt;
  }
  // Open starts first, then by start: one pass suffices, since every window that could extend
  // the position starts no later than the ones after it.
  std::sort(windows.begin(), windows.end(), [](const CoveredWindow& a, const CoveredWindow& b) {
    if (a.from.has_value() != b.from.has_value()) {
      return !a.from.has_value();
    }
    return a.from < b.from || (a.from == b.from && a.to < b.to);
  });
  // position empty = the beginning of time (an open start).
  std::optional<SysTime> position = current;
  if (!position) {
    position = windows.front().from;
  }
  bool moved = false;
  for (const CoveredWindow& w : windows) {
    if (!w.succeeded) {
      continue;
    }
    const bool starts_in_reach = !w.from || (position && *w.from <= *position);
    if (!starts_in_reach) {
      break;  // a gap: nothing later may move the watermark past it
    }
    if (!position || w.to > *position) {
      position = w.to;
      moved = true;
    }
  }
  if (!moved || !position || (current && *position <= *current)) {
    return std::nullopt;
  }
  return position;
}

}  // namespace jobengine::scheduler
