// See export_store.hpp. Timestamps are read back formatted in SQL as RFC 3339 UTC with
// microseconds, so the window a bundle's manifest names does not depend on the session's
// time zone or DateStyle.
#include "export_store.hpp"

namespace jobengine::audit {
namespace {

constexpr const char* kColumns =
    "x.id::text, x.tenant_id, "
    "to_char(x.window_from AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(x.window_to AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "x.status, x.entries_done, x.entries_total, x.error, x.requested_by, x.reason, x.ticket, "
    "x.job_id::text, x.bundle_path, x.bundle_sha256, x.bundle_size, x.replica, "
    "to_char(x.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(x.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(x.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "x.first_position, x.last_position";

std::optional<int64_t> optI64(const sdk::Row& r, uint32_t col) {
  return r.isNull(col) ? std::nullopt : std::optional<int64_t>(r.i64(col));
}

ExportRow rowOf(const sdk::Row& r) {
  ExportRow x;
  x.id = r.str(0);
  x.tenant_id = r.str(1);
  x.window_from = r.str(2);
  x.window_to = r.str(3);
  x.status = r.str(4);
  x.entries_done = r.i64(5);
  x.entries_total = optI64(r, 6);
  x.error = r.opt(7);
  x.requested_by = r.str(8);
  x.reason = r.str(9);
  x.ticket = r.opt(10);
  x.job_id = r.opt(11);
  x.bundle_path = r.opt(12);
  x.bundle_sha256 = r.opt(13);
  x.bundle_size = optI64(r, 14);
  x.replica = r.opt(15);
  x.created_at = r.str(16);
  x.started_at = r.opt(17);
  x.finished_at = r.opt(18);
  x.first_position = optI64(r, 19);
  x.last_position = optI64(r, 20);
  return x;
}

}  // namespace

void insertExport(sdk::Txn& txn, const NewExport& e) {
  txn.exec(
      "INSERT INTO audit.exports (id, tenant_id, window_from, window_to, requested_by, reason, "
      "ticket) VALUES ($1::uuid, $2, $3::timestamptz, $4::timestamptz, $5, $6, $7)",
      {e.id, e.tenant_id, e.window_from, e.window_to, e.requested_by, e.reason, e.ticket});
}

void setExportJob(sdk::Txn& txn, const std::string& tenant, const std::string& id,
                  const std::string& job_id) {
  txn.exec("UPDATE audit.exports SET job_id = $3::uuid WHERE tenant_id = $1 AND id = $2::uuid",
           {tenant, id, job_id});
}

std::optional<ExportRow> loadExport(sdk::Txn& txn, const std::string& tenant, const std::string& id,
                                    bool lock) {
  std::optional<ExportRow> out;
  txn.exec(std::string("SELECT ") + kColumns +
               " FROM audit.exports x WHERE x.tenant_id = $1 AND x.id = $2::uuid" +
               (lock ? " FOR UPDATE" : ""),
           {tenant, id}, [&](const sdk::Row& r) { out = rowOf(r); });
  return out;
}

void markRunning(sdk::Txn& txn, const std::string& tenant, const std::string& id, int64_t total) {
  txn.exec(
      "UPDATE audit.exports SET status = 'running', entries_done = 0, entries_total = "
      "$3::bigint, error = NULL, started_at = now() WHERE tenant_id = $1 AND id = $2::uuid",
      {tenant, id, total});
}

void setProgress(sdk::Txn& txn, const std::string& tenant, const std::string& id, int64_t done) {
  txn.exec(
      "UPDATE audit.exports SET entries_done = $3::bigint WHERE tenant_id = $1 AND id = $2::uuid",
      {tenant, id, done});
}

void markSucceeded(sdk::Txn& txn, const std::string& tenant, const std::string& id,
                   const std::string& path, const std::string& sha256, int64_t size,
                   const std::string& replica) {
  txn.exec(
      "UPDATE audit.exports SET status = 'succeeded', entries_done = coalesce(entries_total, "
      "entries_done), bundle_path = $3, bundle_sha256 = $4, bundle_size = $5::bigint, "
      "replica = $6, error = NULL, finished_at = now() WHERE tenant_id = $1 AND id = $2::uuid",
      {tenant, id, path, sha256, size, replica});
}

void markFailed(sdk::Txn& txn, const std::string& tenant, const std::string& id,
                const std::string& error) {
  txn.exec(
      "UPDATE audit.exports SET status = 'failed', error = $3, finished_at = now() "
      "WHERE tenant_id = $1 AND id = $2::uuid",
      {tenant, id, error});
}

std::optional<ChainSlice> windowSlice(sdk::Txn& txn, const std::string& tenant,
                                      const std::string& from, const std::string& to) {
  std::optional<ChainSlice> out;
  txn.exec(
      "SELECT b.first, b.last, (SELECT e.prev_hash FROM audit.entries e "
      "  WHERE e.tenant_id = $1 AND e.position = b.first) "
      "FROM (SELECT min(e.position) AS first, max(e.position) AS last FROM audit.entries e "
      "  WHERE e.tenant_id = $1 AND e.occurred_at >= $2::timestamptz "
      "  AND e.occurred_at < $3::timestamptz) b WHERE b.first IS NOT NULL",
      {tenant, from, to}, [&](const sdk::Row& r) {
        out = ChainSlice{r.i64(0), r.i64(1), r.str(2)};
      });
  return out;
}

nlohmann::json exportJson(const ExportRow& row) {
  nlohmann::json progress = {{"entriesDone", row.entries_done}};
  if (row.entries_total) {
    progress["entriesTotal"] = *row.entries_total;
    progress["percent"] =
        *row.entries_total == 0 ? 100 : (row.entries_done * 100) / *row.entries_total;
  }
  nlohmann::json out = {{"id", row.id},
                        {"tenantId", row.tenant_id},
                        {"window", {{"from", row.window_from}, {"to", row.window_to}}},
                        {"status", row.status},
                        {"progress", progress},
                        {"requestedBy", row.requested_by},
                        {"reason", row.reason},
                        {"createdAt", row.created_at}};
  const auto put = [&out](const char* key, const std::optional<std::string>& v) {
    if (v) {
      out[key] = *v;
    }
  };
  put("ticket", row.ticket);
  put("jobId", row.job_id);
  put("error", row.error);
  put("startedAt", row.started_at);
  put("finishedAt", row.finished_at);
  if (row.status == "succeeded") {
    nlohmann::json bundle = nlohmann::json::object();
    if (row.bundle_sha256) {
      bundle["sha256"] = *row.bundle_sha256;
    }
    if (row.bundle_size) {
      bundle["sizeBytes"] = *row.bundle_size;
    }
    if (row.replica) {
      bundle["replica"] = *row.replica;
    }
    if (row.first_position && row.last_position) {
      bundle["positions"] = {{"first", *row.first_position}, {"last", *row.last_position}};
    }
    out["bundle"] = bundle;
  }
  return out;
}

}  // namespace jobengine::audit
