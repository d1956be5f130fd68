// See retention_store.hpp. The pruner's reads are one statement each for every tenant at once
// (it runs at most every prune_interval_seconds); its writes name one tenant each.
#include "retention_store.hpp"

namespace jobengine::audit {

std::string retentionCutoff(sdk::Txn& txn, double retention_seconds) {
  std::string cutoff;
  txn.exec(
      "SELECT to_char((now() - make_interval(secs => $1::float8)) AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
      {retention_seconds}, [&](const sdk::Row& r) { cutoff = r.str(0); });
  return cutoff;
}

std::map<std::string, RetentionInput> loadRetentionInputs(sdk::Txn& txn,
                                                          const std::string& cutoff) {
  std::map<std::string, RetentionInput> inputs;
  // Only tenants with a succeeded export reaching past their anchor can prune anything; for
  // them, the first retained entry at or after the cutoff (entries_occurred serves it).
  txn.exec(
      "SELECT h.tenant_id, h.position, coalesce(a.position, 0) + 1, "
      "  (SELECT min(e.position) FROM audit.entries e WHERE e.tenant_id = h.tenant_id "
      "   AND e.occurred_at >= $1::timestamptz) "
      "FROM audit.chain_heads h LEFT JOIN audit.chain_anchors a ON a.tenant_id = h.tenant_id "
      "WHERE EXISTS (SELECT 1 FROM audit.exports x WHERE x.tenant_id = h.tenant_id "
      "  AND x.status = 'succeeded' AND x.first_position IS NOT NULL "
      "  AND x.last_position > coalesce(a.position, 0))",
      {cutoff}, [&](const sdk::Row& r) {
        RetentionInput in;
        in.head = r.i64(1);
        in.first_retained = r.i64(2);
        if (!r.isNull(3)) {
          in.first_recent = r.i64(3);
        }
        inputs[r.str(0)] = in;
      });
  if (inputs.empty()) {
    return inputs;
  }
  txn.exec(
      "SELECT x.tenant_id, x.id::text, x.first_position, x.last_position FROM audit.exports x "
      "LEFT JOIN audit.chain_anchors a ON a.tenant_id = x.tenant_id "
      "WHERE x.status = 'succeeded' AND x.first_position IS NOT NULL "
      "AND x.last_position > coalesce(a.position, 0)",
      {}, [&](const sdk::Row& r) {
        const auto it = inputs.find(r.str(0));
        if (it != inputs.end()) {
          it->second.exports.push_back(CoveringExport{r.str(1), r.i64(2), r.i64(3)});
        }
      });
  return inputs;
}

std::optional<std::string> storedEntryHash(sdk::Txn& txn, const std::string& tenant,
                                           int64_t position) {
  std::optional<std::string> hash;
  txn.exec("SELECT hash FROM audit.entries WHERE tenant_id = $1 AND position = $2::bigint",
           {tenant, position}, [&](const sdk::Row& r) { hash = r.str(0); });
  return hash;
}

int64_t deleteEntriesThrough(sdk::Txn& txn, const std::string& tenant, int64_t through) {
  int64_t n = 0;
  txn.exec(
      "WITH d AS (DELETE FROM audit.entries WHERE tenant_id = $1 AND position <= $2::bigint "
      "RETURNING 1) SELECT count(*) FROM d",
      {tenant, through}, [&](const sdk::Row& r) { n = r.i64(0); });
  return n;
}

void saveAnchor(sdk::Txn& txn, const AnchorRecord& anchor) {
  txn.exec(
      "INSERT INTO audit.chain_anchors (tenant_id, position, hash, cutoff, export_ids, event_id) "
      "VALUES ($1, $2::bigint, $3, $4::timestamptz, $5::jsonb, $6) "
      "ON CONFLICT (tenant_id) DO UPDATE SET position = EXCLUDED.position, hash = EXCLUDED.hash, "
      "cutoff = EXCLUDED.cutoff, export_ids = EXCLUDED.export_ids, event_id = EXCLUDED.event_id, "
      "pruned_at = now()",
      {anchor.tenant_id, anchor.position, anchor.hash, anchor.cutoff,
       nlohmann::json(anchor.export_ids).dump(), anchor.event_id});
}

std::optional<ChainHead> loadAnchor(sdk::Txn& txn, const std::string& tenant) {
  std::optional<ChainHead> anchor;
  txn.exec("SELECT position, hash FROM audit.chain_anchors WHERE tenant_id = $1", {tenant},
           [&](const sdk::Row& r) {
             anchor = ChainHead{r.i64(0), r.str(1)};
           });
  return anchor;
}

void setExportSlice(sdk::Txn& txn, const std::string& tenant, const std::string& id, int64_t first,
                    int64_t last) {
  txn.exec(
      "UPDATE audit.exports SET first_position = $3::bigint, last_position = $4::bigint "
      "WHERE tenant_id = $1 AND id = $2::uuid",
      {tenant, id, first, last});
}

}  // namespace jobengine::audit
