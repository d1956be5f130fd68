// Retention's decision: see retention_plan.hpp.
#include "core/retention_plan.hpp"

#include <algorithm>

namespace jobengine::audit {

std::optional<RetentionPlan> planPrune(const RetentionInput& in) {
  if (in.head < in.first_retained) {
    return std::nullopt;  // nothing retained (an empty chain)
  }
  // Older than the cutoff, and never the head.
  int64_t limit = in.head - 1;
  if (in.first_recent) {
    limit = std::min(limit, *in.first_recent - 1);
  }
  if (limit < in.first_retained) {
    return std::nullopt;
  }
  // Covered: grow [first_retained, covered] with every export that starts inside or right
  // after it; sorted by first, one pass finds the contiguous union.
  std::vector<CoveringExport> sorted;
  for (const CoveringExport& e : in.exports) {
    if (e.first >= 1 && e.last >= e.first && e.last >= in.first_retained) {
      sorted.push_back(e);
    }
  }
  std::sort(sorted.begin(), sorted.end(), [](const CoveringExport& a, const CoveringExport& b) {
    return a.first != b.first ? a.first < b.first : a.id < b.id;
  });
  int64_t covered = in.first_retained - 1;
  for (const CoveringExport& e : sorted) {
    if (e.first > covered + 1) {
      break;  // a gap no export covers
    }
    covered = std::max(covered, e.last);
  }
  const int64_t through = std::min(limit, covered);
  if (through < in.first_retained) {
    return std::nullopt;
  }
  RetentionPlan plan;
  plan.prune_through = through;
  plan.entries = through - in.first_retained + 1;
  for (const CoveringExport& e : sorted) {
    if (e.first <= through) {  // holds at least one pruned entry
      plan.export_ids.push_back(e.id);
    }
  }
  return plan;
}

int64_t coveredThrough(int64_t first_retained, const std::vector<CoveringExport>& exports) {
  std::vector<CoveringExport> sorted;
  for (const CoveringExport& e : exports) {
    if (e.first >= 1 && e.last >= e.first && e.last >= first_retained) {
      sorted.push_back(e);
    }
  }
  std::sort(sorted.begin(), sorted.end(), [](const CoveringExport& a, const CoveringExport& b) {
    return a.first != b.first ? a.first < b.first : a.id < b.id;
  });
  int64_t covered = first_retained - 1;
  for (const CoveringExport& e : sorted) {
    if (e.first > covered + 1) {
      break;  // a gap no export covers
    }
    covered = std::max(covered, e.last);
  }
  return covered;
}

}  // namespace jobengine::audit
