// packrun_store.cpp — see packrun_store.hpp. The statements of the pack-run routes, each
// behind one named function.
#include "packrun_store.hpp"

#include "ops_store.hpp"

namespace jobengine::scheduler {

namespace {

std::string packColumns() {
  return "p.id::text, p.project_id, p.run_id::text, p.job_id::text, p.pack_ref, p.inputs, "
         "p.status, p.task_runner_id, p.correlation_id, p.created_by, " +
         rfc3339Sql("p.created_at") + ", " + rfc3339Sql("p.updated_at") +
         ", j.status, j.attempts, (SELECT coalesce(max(l.seq), 0) FROM scheduler.pack_run_logs l "
         "WHERE l.tenant_id = p.tenant_id AND l.pack_run_id = p.id)";
}

nlohmann::json packFromRow(const sdk::Row& r) {
  const auto text = [&](uint32_t col) {
    return r.isNull(col) ? nlohmann::json(nullptr) : nlohmann::json(r.str(col));
  };
  return {{"id", r.str(0)},           {"projectId", r.str(1)},
          {"runId", text(2)},         {"jobId", text(3)},
          {"packRef", r.str(4)},      {"inputs", r.json(5)},
          {"status", r.str(6)},       {"taskRunnerId", text(7)},
          {"correlationId", text(8)}, {"createdBy", text(9)},
          {"createdAt", r.str(10)},   {"updatedAt", r.str(11)},
          {"jobStatus", text(12)},    {"attempts", r.isNull(13) ? 0 : r.i64(13)},
          {"lastLogSeq", r.i64(14)}};
}

}  // namespace

std::optional<nlohmann::json> loadPackRun(sdk::Txn& txn, const std::string& id, bool lock) {
  static const std::string sql = "SELECT " + packColumns() +
                                 " FROM scheduler.pack_runs p LEFT JOIN scheduler.jobs j ON "
                                 "j.tenant_id = p.tenant_id AND j.id = p.job_id WHERE "
                                 "p.tenant_id = $1 AND p.id = $2::uuid";
  static const std::string locked = sql + " FOR UPDATE OF p";
  if (!isUuid(id)) {
    return std::nullopt;
  }
  return txn.one(lock ? locked : sql, {txn.tenant(), id}, packFromRow);
}

void insertPackRun(sdk::Txn& txn, const NewPackRun& pack) {
  static const std::string sql =
      "INSERT INTO scheduler.pack_runs (tenant_id, id, project_id, run_id, job_id, pack_ref, "
      "inputs, task_runner_id, correlation_id, created_by) VALUES ($1, $2::uuid, $3, $4::uuid, "
      "$5::uuid, $6, $7::jsonb, $8, $9, $10)";
  txn.exec(sql, {txn.tenant(), pack.id, pack.project_id, pack.run_id, pack.job_id, pack.pack_ref,
                 pack.inputs.dump(), pack.task_runner_id, pack.correlation_id, pack.created_by});
}

std::optional<PackRef> findPackRun(sdk::Txn& txn, const std::string& id, bool lock) {
  if (!isUuid(id)) {
    return std::nullopt;
  }
  static const std::string sql =
      "SELECT p.id::text, p.run_id::text, p.project_id, (SELECT coalesce(max(l.seq), 0) FROM "
      "scheduler.pack_run_logs l WHERE l.tenant_id = p.tenant_id AND l.pack_run_id = p.id) "
      "FROM scheduler.pack_runs p WHERE p.tenant_id = $1 AND p.id = $2::uuid";
  static const std::string locked = sql + " FOR UPDATE OF p";
  std::optional<PackRef> out;
  txn.exec(lock ? locked : sql, {txn.tenant(), id}, [&](const sdk::Row& r) {
    out = PackRef{r.str(0), r.opt(1), r.str(2), r.i64(3)};
  });
  return out;
}

void appendPackRunLogLines(sdk::Txn& txn, const std::string& pack_run_id,
                           const nlohmann::json& rows) {
  txn.exec(
      "INSERT INTO scheduler.pack_run_logs (tenant_id, pack_run_id, seq, stream, level, "
      "message, data) SELECT $1, $2::uuid, l.seq, l.stream, l.level, l.message, l.data FROM "
      "jsonb_to_recordset($3::jsonb) AS l(seq bigint, stream text, level text, message text, "
      "data jsonb)",
      {txn.tenant(), pack_run_id, rows.dump()});
}

std::vector<nlohmann::json> packRunLogLines(sdk::Txn& txn, const std::string& pack_run_id,
                                            int64_t after, int limit) {
  static const std::string sql =
      "SELECT seq, " + rfc3339Sql("at") +
      ", stream, level, message, data FROM scheduler.pack_run_logs WHERE tenant_id = $1 AND "
      "pack_run_id = $2::uuid AND seq > $3::bigint ORDER BY seq LIMIT $4::int";
  std::vector<nlohmann::json> lines;
  txn.exec(sql, {txn.tenant(), pack_run_id, after, limit}, [&](const sdk::Row& r) {
    lines.push_back({{"seq", r.i64(0)},
                     {"at", r.str(1)},
                     {"stream", r.str(2)},
                     {"level", r.opt(3) ? nlohmann::json(*r.opt(3)) : nullptr},
                     {"message", r.str(4)},
                     {"data", r.json(5)}});
  });
  return lines;
}

}  // namespace jobengine::scheduler
