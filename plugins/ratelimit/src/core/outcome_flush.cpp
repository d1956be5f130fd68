// outcome_flush.cpp — see outcome_flush.hpp.
#include "core/outcome_flush.hpp"

namespace jobengine::ratelimit {

bool outcomesDue(int64_t failed, std::optional<BreakerState> last_seen,
                 std::chrono::steady_clock::duration since_written, bool everything) {
  if (everything || failed > 0 || !last_seen || *last_seen != BreakerState::closed) {
    return true;
  }
  return since_written >= kQuietOutcomesEvery;
}

}  // namespace jobengine::ratelimit
