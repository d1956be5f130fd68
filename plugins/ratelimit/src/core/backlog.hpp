// Backpressure: whether an enqueue batch fits under a tenant's backlog limit (SPEC §3). A batch
// that does not fit is refused whole (429 with Retry-After at the route); it is never split.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/time_types.hpp"

namespace jobengine::ratelimit {

// Retry-After for a refused batch: long enough for workers to drain some backlog, short enough
// that a well-behaved client is not starved. Always >= 1 s (HTTP Retry-After is whole seconds).
inline constexpr std::chrono::seconds kBacklogRetryAfter{5};

struct BacklogDecision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};  // kBacklogRetryAfter when refused, 0 when allowed
};

// limit <= 0: unlimited. Refused when current_backlog + adding > limit (exactly the limit is
// allowed). An empty batch (adding <= 0) is always allowed: it does not grow the backlog. `now`
// is unused today; it is part of the signature so a time-based Retry-After needs no caller change.
BacklogDecision backlogDecision(std::int64_t limit, std::int64_t current_backlog,
                                std::int64_t adding, TimePoint now);

}  // namespace jobengine::ratelimit
