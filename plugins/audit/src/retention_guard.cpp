// See retention_guard.hpp.
#include "retention_guard.hpp"

#include <vector>

#include "core/retention_plan.hpp"

namespace jobengine::audit {

int64_t coveredUntil(sdk::Host& host, const std::string& tenant) {
  auto txn = host.begin(tenant, JE_TXN_READ_ONLY);
  int64_t anchor = 0;
  txn.exec("SELECT position FROM audit.chain_anchors WHERE tenant_id = $1", {tenant},
           [&](const sdk::Row& r) { anchor = r.i64(0); });
  std::vector<CoveringExport> exports;
  txn.exec(
      "SELECT id::text, first_position, last_position FROM audit.exports WHERE tenant_id = $1 "
      "AND status = 'succeeded' AND first_position IS NOT NULL AND last_position > $2::bigint",
      {tenant, anchor}, [&](const sdk::Row& r) {
        exports.push_back(CoveringExport{r.str(0), r.i64(1), r.i64(2)});
      });
  const int64_t covered = coveredThrough(anchor + 1, exports);
  if (covered < 1) {
    return JE_RETENTION_KEEP_ALL;  // nothing exported (and nothing pruned) yet
  }
  // The covered entry's occurredAt, or (when audit pruned it) the first retained entry's.
  int64_t until = JE_RETENTION_KEEP_ALL;
  txn.exec(
      "SELECT (extract(epoch FROM occurred_at) * 1000000)::bigint FROM audit.entries "
      "WHERE tenant_id = $1 AND position >= $2::bigint ORDER BY position LIMIT 1",
      {tenant, covered}, [&](const sdk::Row& r) { until = r.i64(0); });
  txn.commit();
  return until;
}

}  // namespace jobengine::audit
