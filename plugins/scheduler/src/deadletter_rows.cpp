// deadletter_rows.cpp — columns, JSON shape and filter SQL of dead-letter entries.
#include "deadletter_rows.hpp"

#include "ops_store.hpp"

namespace jobengine::scheduler {

const char* const kFilterWhere =
    " d.tenant_id = $1 AND ($2::text IS NULL OR d.job_type = $2) AND ($3::text IS NULL OR "
    "d.error_class = $3) AND ($4::text IS NULL OR d.fingerprint = $4) AND ($5::timestamptz IS "
    "NULL OR d.created_at >= $5::timestamptz) ";

std::string entryColumns() {
  return "d.id::text, d.job_id::text, d.run_id::text, d.source_id::text, d.job_type, d.attempts, "
         "d.final_status, d.error_class, d.fingerprint, d.error_code, d.last_error, "
         "d.payload_digest, " +
         rfc3339Sql("d.created_at") + ", d.replayed_job_id::text, " + rfc3339Sql("d.replayed_at") +
         ", d.replayed_by, d.subject, d.document_uri";
}

nlohmann::json entryFromRow(const sdk::Row& r) {
  const auto text = [&](uint32_t col) {
    return r.isNull(col) ? nlohmann::json(nullptr) : nlohmann::json(r.str(col));
  };
  return {{"id", r.str(0)},          {"jobId", r.str(1)},         {"runId", text(2)},
          {"sourceId", text(3)},     {"jobType", r.str(4)},       {"attempts", r.i64(5)},
          {"finalStatus", r.str(6)}, {"errorClass", r.str(7)},    {"fingerprint", r.str(8)},
          {"errorCode", text(9)},    {"lastError", r.json(10)},   {"payloadDigest", r.str(11)},
          {"createdAt", r.str(12)},  {"replayedJobId", text(13)}, {"replayedAt", text(14)},
          {"replayedBy", text(15)},  {"subject", r.str(16)},      {"documentUri", text(17)}};
}

std::vector<sdk::Param> filterParams(const std::string& tenant, const DeadLetterFilter& f) {
  return {tenant, f.job_type, f.error_class, f.fingerprint, f.since};
}

std::optional<nlohmann::json> loadEntry(sdk::Txn& txn, const std::string& id, bool lock) {
  static const std::string sql = "SELECT " + entryColumns() +
                                 " FROM scheduler.dead_letters d WHERE d.tenant_id = $1 AND "
                                 "d.id = $2::uuid";
  static const std::string locked = sql + " FOR UPDATE";
  return txn.one(lock ? locked : sql, {txn.tenant(), id}, entryFromRow);
}

std::vector<nlohmann::json> listEntries(sdk::Txn& txn, const DeadLetterFilter& filter,
                                        const std::optional<std::string>& after_at,
                                        const std::optional<std::string>& after_id, int limit) {
  static const std::string sql =
      "SELECT " + entryColumns() + " FROM scheduler.dead_letters d WHERE" + kFilterWhere +
      "AND ($6::timestamptz IS NULL OR (d.created_at, d.id) < ($6::timestamptz, $7::uuid)) "
      "ORDER BY d.created_at DESC, d.id DESC LIMIT $8::int";
  auto params = filterParams(txn.tenant(), filter);
  params.emplace_back(after_at);
  params.emplace_back(after_id);
  params.emplace_back(limit);
  std::vector<nlohmann::json> items;
  txn.exec(sql, params, [&](const sdk::Row& r) { items.push_back(entryFromRow(r)); });
  return items;
}

std::vector<DeadLetterGroupCount> countEntriesByClassAndType(sdk::Txn& txn,
                                                             const DeadLetterFilter& filter) {
  static const std::string sql =
      "SELECT d.error_class, d.job_type, count(*), count(d.replayed_job_id) FROM "
      "scheduler.dead_letters d WHERE" +
      std::string(kFilterWhere) + "GROUP BY d.error_class, d.job_type ORDER BY 1, 2";
  std::vector<DeadLetterGroupCount> groups;
  txn.exec(sql, filterParams(txn.tenant(), filter), [&](const sdk::Row& r) {
    groups.push_back({r.str(0), r.str(1), r.i64(2), r.i64(3)});
  });
  return groups;
}

std::vector<nlohmann::json> entryClusters(sdk::Txn& txn, const DeadLetterFilter& filter,
                                          int limit) {
  // The sample is the newest entry of the cluster: its error message and code.
  static const std::string sql =
      "SELECT d.fingerprint, count(*), min(d.error_class), array_to_json(array_agg(DISTINCT "
      "d.job_type ORDER BY d.job_type)), " +
      rfc3339Sql("min(d.created_at)") + ", " + rfc3339Sql("max(d.created_at)") +
      ", (array_agg(d.last_error->>'message' ORDER BY d.created_at DESC, d.id DESC))[1], "
      "(array_agg(d.error_code ORDER BY d.created_at DESC, d.id DESC))[1], "
      "(array_agg(d.id::text ORDER BY d.created_at DESC, d.id DESC))[1], "
      "count(*) FILTER (WHERE d.replayed_job_id IS NULL) FROM scheduler.dead_letters d WHERE" +
      kFilterWhere + "GROUP BY d.fingerprint ORDER BY count(*) DESC, d.fingerprint LIMIT $6::int";
  auto params = filterParams(txn.tenant(), filter);
  params.emplace_back(limit);
  std::vector<nlohmann::json> clusters;
  txn.exec(sql, params, [&](const sdk::Row& r) {
    clusters.push_back({{"fingerprint", r.str(0)},
                        {"count", r.i64(1)},
                        {"errorClass", r.str(2)},
                        {"jobTypes", r.json(3)},
                        {"firstSeen", r.str(4)},
                        {"lastSeen", r.str(5)},
                        {"sampleMessage", r.opt(6) ? nlohmann::json(*r.opt(6)) : nullptr},
                        {"sampleErrorCode", r.opt(7) ? nlohmann::json(*r.opt(7)) : nullptr},
                        {"sampleDeadLetterId", r.str(8)},
                        {"pendingReplay", r.i64(9)}});
  });
  return clusters;
}

}  // namespace jobengine::scheduler
