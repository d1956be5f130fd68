// backfill_store.cpp — see backfill_store.hpp. The statements of the backfill routes, each
// behind one named function.
#include "backfill_store.hpp"

#include "core/sys_time.hpp"

namespace jobengine::scheduler {

std::vector<ActiveBackfill> activeBackfills(sdk::Txn& txn, const std::string& source_id,
                                            const std::string& scope) {
  std::vector<ActiveBackfill> out;
  txn.exec(
      "SELECT id::text, (extract(epoch FROM window_from) * 1000000)::bigint, (extract(epoch "
      "FROM window_to) * 1000000)::bigint FROM scheduler.backfills WHERE tenant_id = $1 AND "
      "source_id = $2::uuid AND scope = $3 AND status IN ('queued', 'running') ORDER BY id",
      {txn.tenant(), source_id, scope}, [&](const sdk::Row& r) {
        out.push_back({r.str(0), TimeWindow{fromEpochMicros(r.i64(1)), fromEpochMicros(r.i64(2))}});
      });
  return out;
}

void insertBackfill(sdk::Txn& txn, const NewBackfill& b) {
  txn.exec(
      "INSERT INTO scheduler.backfills (tenant_id, id, source_id, scope, window_from, window_to, "
      "window_minutes, reason, ticket, windows_total, created_by) VALUES ($1, $2::uuid, "
      "$3::uuid, $4, $5::timestamptz, $6::timestamptz, $7::int, $8, $9, $10::int, $11)",
      {txn.tenant(), b.id, b.source_id, b.scope, rfc3339Micros(b.range.from),
       rfc3339Micros(b.range.to), b.window_minutes, b.reason, b.ticket, b.windows_total,
       b.created_by});
}

std::vector<nlohmann::json> listBackfillRows(sdk::Txn& txn,
                                             const std::optional<std::string>& after_id,
                                             const std::optional<std::string>& source_id,
                                             const std::optional<std::string>& status, int limit) {
  static const std::string sql =
      "SELECT j FROM (SELECT b.id, scheduler.backfill_json(b) AS j FROM scheduler.backfills b "
      "WHERE b.tenant_id = $1 AND ($2::uuid IS NULL OR b.id > $2::uuid) AND ($3::uuid IS NULL "
      "OR b.source_id = $3::uuid)) x WHERE ($4::text IS NULL OR x.j->>'status' = $4) "
      "ORDER BY x.id LIMIT $5::int";
  std::vector<nlohmann::json> items;
  txn.exec(sql, {txn.tenant(), after_id, source_id, status, limit},
           [&](const sdk::Row& r) { items.push_back(r.json(0)); });
  return items;
}

std::vector<std::string> lockUnfinishedBackfillJobs(sdk::Txn& txn, const std::string& backfill_id) {
  std::vector<std::string> ids;
  txn.exec(
      "SELECT j.id::text FROM scheduler.jobs j JOIN scheduler.runs r ON r.tenant_id = "
      "j.tenant_id AND r.id = j.run_id WHERE r.tenant_id = $1 AND r.backfill_id = $2::uuid AND "
      "j.status NOT IN ('succeeded', 'failed', 'timed_out', 'canceled') ORDER BY j.id FOR "
      "UPDATE OF j",
      {txn.tenant(), backfill_id}, [&](const sdk::Row& r) { ids.push_back(r.str(0)); });
  return ids;
}

void markBackfillCanceled(sdk::Txn& txn, const std::string& backfill_id) {
  txn.exec(
      "UPDATE scheduler.backfills SET status = 'canceled', updated_at = now(), finished_at = "
      "now() WHERE tenant_id = $1 AND id = $2::uuid",
      {txn.tenant(), backfill_id});
}

}  // namespace jobengine::scheduler
