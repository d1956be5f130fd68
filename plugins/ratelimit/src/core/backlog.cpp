// The backlog check, written without current + adding so that no input can overflow.
#include "core/backlog.hpp"

#include <algorithm>

namespace jobengine::ratelimit {

BacklogDecision backlogDecision(std::int64_t limit, std::int64_t current_backlog,
                                std::int64_t adding, TimePoint /*now*/) {
  if (limit <= 0 || adding <= 0) {
    return BacklogDecision{true, std::chrono::seconds(0)};
  }
  const std::int64_t current = std::max<std::int64_t>(current_backlog, 0);
  const bool fits = current <= limit && adding <= limit - current;
  if (fits) {
    return BacklogDecision{true, std::chrono::seconds(0)};
  }
  return BacklogDecision{false, std::max(kBacklogRetryAfter, std::chrono::seconds(1))};
}

}  // namespace jobengine::ratelimit
