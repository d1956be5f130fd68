// Retention's decision (docs/ledger.md "Retention"): how far one tenant's chain may be pruned.
// A pure function (no SDK types, no database), so every case is unit tested; the leader's
// pruner (ledger_pruner.cpp) reads the inputs, calls planPrune, and deletes what it says.
//
// The rule: entries first_retained..P are pruned, where every one of them
//  * is older than the cutoff (now - retention_days): P < the first retained position whose
//    occurredAt is at or after the cutoff, so a late-stamped entry stops the pruning there;
//  * lies in a succeeded export's bundle: inside the union of the exports' [first, last]
//    ranges that is contiguous from first_retained (a gap no export covers stops it);
//  * is not the head: at least the last entry stays, so the chain always has a retained head.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::audit {

// The chain slice a succeeded export's bundle holds (audit.exports first/last_position).
struct CoveringExport {
  std::string id;
  int64_t first = 0;
  int64_t last = 0;
};

struct RetentionInput {
  int64_t first_retained = 1;  // the first entry still kept: the anchor's position + 1, or 1
  int64_t head = 0;            // the chain's head position (0: an empty chain)
  // The first retained position whose occurredAt is at or after the cutoff; nullopt when every
  // retained entry is older.
  std::optional<int64_t> first_recent;
  std::vector<CoveringExport> exports;  // succeeded exports of the tenant, in any order
};

struct RetentionPlan {
  int64_t prune_through = 0;            // prune first_retained..prune_through
  int64_t entries = 0;                  // how many that is
  std::vector<std::string> export_ids;  // the exports covering them, by first position then id
};

// What to prune, or nullopt when nothing may be pruned.
std::optional<RetentionPlan> planPrune(const RetentionInput& in);

// The last position of the union of the exports' [first, last] ranges that is contiguous from
// first_retained (first_retained - 1 when no export starts at or before it). Entries before
// first_retained were pruned, which audit does only behind covering exports, so they count as
// covered. The retention guard (docs/ledger.md "Retention guard") answers from it.
int64_t coveredThrough(int64_t first_retained, const std::vector<CoveringExport>& exports);

}  // namespace jobengine::audit
