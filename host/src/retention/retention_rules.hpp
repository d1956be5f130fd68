// Retention's decisions (SPEC §9, docs/operations.md "Retention"), as pure functions of plain
// values so that every case is unit tested (host/tests/retention_rules_test.cpp): a tenant's
// effective cutoff from the retention period and the guards' answers, how far a tenant's
// outbox prefix may be pruned, and whether a resume position was pruned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::host {

// min(now - retention_seconds, every guard's answer), in microseconds since the epoch.
// retention_seconds <= 0 ("keep forever") gives JE_RETENTION_KEEP_ALL (INT64_MIN).
int64_t effectiveCutoff(int64_t now_us, int64_t retention_seconds,
                        const std::vector<int64_t>& guard_answers);

// One outbox row as the pruner reads a tenant's oldest rows, in seq order.
struct OutboxRowAge {
  int64_t seq = 0;
  int64_t occurred_at_us = 0;
};

// The last seq of the longest prefix of rows (ascending seq) that are all strictly older than
// cutoff_us and below the delivery horizon (seq < horizon: their transactions finished, so no
// row with a smaller seq can still appear). nullopt when the first row already stops it. The
// prefix is what makes "pruned through seq P" exact: every event with seq <= P is gone, every
// later one is kept.
std::optional<int64_t> prunablePrefixEnd(const std::vector<OutboxRowAge>& rows_by_seq,
                                         int64_t cutoff_us, int64_t horizon);

// A resume after `after` misses events when some event with seq in (after, pruned_through]
// was pruned: 0 < after < pruned_through. Resuming at pruned_through itself or later is whole.
// after = 0 is no event's position (seqs are transaction ids << 20) but "from the oldest
// retained event", so it is never refused.
inline bool resumeWasPruned(int64_t after, std::optional<int64_t> pruned_through) {
  return pruned_through.has_value() && after > 0 && after < *pruned_through;
}

// The 410 POSITION_PRUNED message: what was asked, what was pruned, where to resume.
std::string prunedPositionMessage(int64_t after, int64_t pruned_through,
                                  std::optional<int64_t> oldest_available);

}  // namespace jobengine::host
