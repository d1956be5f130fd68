// See retention_rules.hpp.
#include "retention/retention_rules.hpp"

#include <jobengine/abi.h>

#include <algorithm>
#include <limits>

namespace jobengine::host {

int64_t effectiveCutoff(int64_t now_us, int64_t retention_seconds,
                        const std::vector<int64_t>& guard_answers) {
  if (retention_seconds <= 0) {
    return JE_RETENTION_KEEP_ALL;
  }
  constexpr int64_t kMicros = 1000000;
  // How far back from now an instant can be represented (no overflow in now - seconds * 1e6).
  const int64_t max_seconds = now_us / kMicros - std::numeric_limits<int64_t>::min() / kMicros - 1;
  int64_t cutoff = retention_seconds >= max_seconds ? JE_RETENTION_KEEP_ALL
                                                    : now_us - retention_seconds * kMicros;
  for (const int64_t answer : guard_answers) {
    cutoff = std::min(cutoff, answer);
  }
  return cutoff;
}

std::optional<int64_t> prunablePrefixEnd(const std::vector<OutboxRowAge>& rows_by_seq,
                                         int64_t cutoff_us, int64_t horizon) {
  std::optional<int64_t> end;
  for (const OutboxRowAge& row : rows_by_seq) {
    if (row.occurred_at_us >= cutoff_us || row.seq >= horizon) {
      break;
    }
    end = row.seq;
  }
  return end;
}

std::string prunedPositionMessage(int64_t after, int64_t pruned_through,
                                  std::optional<int64_t> oldest_available) {
  std::string msg =
      "position " + std::to_string(after) + " was pruned by retention (events through seq " +
      std::to_string(pruned_through) +
      " are gone); the oldest available position is after=" + std::to_string(pruned_through);
  if (oldest_available) {
    msg += " (its first event is seq " + std::to_string(*oldest_available) + ")";
  }
  return msg;
}

}  // namespace jobengine::host
