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

}  // namespace jobengine::scheduler
