// job_store.cpp — see job_store.hpp. The statements of the job routes, each behind one named
// function.
#include "job_store.hpp"

#include "core/sql.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

constexpr std::string_view kLeaseValid = R"SQL(
SELECT 1 FROM scheduler.jobs j
WHERE j.tenant_id = $1 AND j.id = $2::uuid AND j.lease_id = $3::uuid
  AND j.status IN ('leased', 'running')
)SQL";

constexpr std::string_view kGetJob =
    "SELECT scheduler.job_json(j) FROM scheduler.jobs j WHERE j.tenant_id = $1 AND j.id = $2::uuid";

constexpr std::string_view kListJobs = R"SQL(
SELECT scheduler.job_json(j), (extract(epoch FROM j.created_at) * 1000000)::bigint, j.id
FROM scheduler.jobs j
WHERE j.tenant_id = $1
  AND ($2::text IS NULL OR j.status = $2::text)
  AND ($3::text IS NULL OR j.job_type = $3::text)
  AND ($4::uuid IS NULL OR j.source_id = $4::uuid)
  AND ($5::uuid IS NULL OR j.run_id = $5::uuid)
  AND ($6::bigint IS NULL
       OR (j.created_at, j.id) < (timestamptz 'epoch' + $6::bigint * interval '1 microsecond',
                                  $7::uuid))
ORDER BY j.created_at DESC, j.id DESC
LIMIT $8::int
)SQL";

// The job's events from the host's outbox, through its declared function (abi.h).
constexpr std::string_view kHistory = R"SQL(
SELECT e.seq, e.event_type, scheduler.ts(e.occurred_at), e.body
FROM jobengine.job_events_v1($1::text, $2::uuid, NULL, NULL) e
ORDER BY e.seq
)SQL";

// A job's recorded artifacts, newest first, keyed like the job list.
constexpr std::string_view kListArtifacts = R"SQL(
SELECT jsonb_build_object('id', a.id, 'jobId', a.job_id, 'runId', a.run_id, 'uri', a.uri,
                          'digest', a.digest, 'mediaType', a.media_type,
                          'sizeBytes', a.size_bytes, 'createdAt', scheduler.ts(a.created_at)),
       (extract(epoch FROM a.created_at) * 1000000)::bigint, a.id
FROM scheduler.artifacts a
WHERE a.tenant_id = $1 AND a.job_id = $2::uuid
  AND ($3::bigint IS NULL
       OR (a.created_at, a.id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
                                  $4::uuid))
ORDER BY a.created_at DESC, a.id DESC
LIMIT $5::int
)SQL";

// One pass over the tenant's jobs, as before "oldest" existed: min(created_at) rides on the same
// GROUP BY, so the age of each (type, status) costs no second scan. The route keeps it only for
// statuses that are not terminal (core/job_state.hpp): the backlog `jobengine status` shows.
constexpr std::string_view kSummary = R"SQL(
SELECT j.job_type, j.status, count(*), scheduler.ts(min(j.created_at))
FROM scheduler.jobs j WHERE j.tenant_id = $1
GROUP BY j.job_type, j.status ORDER BY j.job_type, j.status
)SQL";

constexpr std::string_view kPrioritize = R"SQL(
UPDATE scheduler.jobs j SET priority = $3::smallint, updated_at = now()
WHERE j.tenant_id = $1 AND j.id = $2::uuid
  AND j.status IN ('pending', 'queued', 'throttled', 'leased', 'running')
RETURNING scheduler.job_json(j)
)SQL";

std::vector<CreatedAtRow> keyedRows(sdk::Txn& txn, std::string_view sql,
                                    const std::vector<sdk::Param>& params) {
  std::vector<CreatedAtRow> rows;
  txn.exec(sql, params, [&](const sdk::Row& r) {
    rows.push_back({r.json(0), json::array({r.i64(1), r.str(2)})});
  });
  return rows;
}

std::optional<json> firstJson(sdk::Txn& txn, std::string_view sql,
                              const std::vector<sdk::Param>& params) {
  std::optional<json> out;
  txn.exec(sql, params, [&](const sdk::Row& r) { out = r.json(0); });
  return out;
}

}  // namespace

std::optional<json> findJob(sdk::Txn& txn, const std::string& job_id) {
  return firstJson(txn, kGetJob, {txn.tenant(), job_id});
}

std::vector<CreatedAtRow> listJobs(sdk::Txn& txn, const JobFilter& filter,
                                   const CreatedAtSlice& slice) {
  return keyedRows(txn, kListJobs,
                   {txn.tenant(), filter.status, filter.job_type, filter.source_id, filter.run_id,
                    slice.after_micros, slice.after_id, slice.limit});
}

std::vector<CreatedAtRow> listArtifacts(sdk::Txn& txn, const std::string& job_id,
                                        const CreatedAtSlice& slice) {
  return keyedRows(txn, kListArtifacts,
                   {txn.tenant(), job_id, slice.after_micros, slice.after_id, slice.limit});
}

std::vector<StoredJobEvent> jobHistory(sdk::Txn& txn, const std::string& job_id) {
  std::vector<StoredJobEvent> events;
  txn.exec(kHistory, {txn.tenant(), job_id}, [&](const sdk::Row& r) {
    events.push_back({r.i64(0), r.str(1), r.str(2), r.json(3)});
  });
  return events;
}

std::vector<JobCountRow> countJobsByTypeAndStatus(sdk::Txn& txn) {
  std::vector<JobCountRow> rows;
  txn.exec(kSummary, {txn.tenant()}, [&](const sdk::Row& r) {
    rows.push_back({r.str(0), r.str(1), r.i64(2), r.str(3)});
  });
  return rows;
}

std::optional<json> retryJob(sdk::Txn& txn, const std::string& job_id, const std::string& actor,
                             const std::string& reason) {
  return firstJson(txn, sql::kOperatorRetry, {txn.tenant(), job_id, actor, reason});
}

bool holdsLease(sdk::Txn& txn, const std::string& job_id, const std::string& lease_id) {
  bool valid = false;
  txn.exec(kLeaseValid, {txn.tenant(), job_id, lease_id}, [&](const sdk::Row&) { valid = true; });
  return valid;
}

int64_t recordArtifacts(sdk::Txn& txn, const json& records) {
  int64_t added = 0;
  txn.exec(sql::kInsertArtifacts, {records.dump()}, [&](const sdk::Row& r) { added = r.i64(0); });
  return added;
}

std::optional<json> prioritizeJob(sdk::Txn& txn, const std::string& job_id, int priority) {
  return firstJson(txn, kPrioritize, {txn.tenant(), job_id, priority});
}

}  // namespace jobengine::scheduler
