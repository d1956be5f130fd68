// run_store.cpp — see run_store.hpp. The statements of the run routes, each behind one named
// function.
#include "run_store.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

constexpr std::string_view kGetRun = R"SQL(
SELECT scheduler.run_json(r), r.plan FROM scheduler.runs r WHERE r.tenant_id = $1 AND r.id = $2::uuid
)SQL";

constexpr std::string_view kRunJobs = R"SQL(
SELECT j.job_key, j.id, j.job_type, j.status, j.reason, j.attempts
FROM scheduler.jobs j WHERE j.tenant_id = $1 AND j.run_id = $2::uuid ORDER BY j.job_key, j.id
)SQL";

constexpr std::string_view kListRuns = R"SQL(
SELECT scheduler.run_json(r), (extract(epoch FROM r.created_at) * 1000000)::bigint, r.id
FROM scheduler.runs r
WHERE r.tenant_id = $1
  AND ($2::text IS NULL OR r.status = $2::text)
  AND ($3::uuid IS NULL OR r.source_id = $3::uuid)
  AND ($4::bigint IS NULL
       OR (r.created_at, r.id) < (timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
                                  $5::uuid))
ORDER BY r.created_at DESC, r.id DESC
LIMIT $6::int
)SQL";

constexpr std::string_view kRunJobIds = R"SQL(
SELECT j.id FROM scheduler.jobs j
WHERE j.tenant_id = $1 AND j.run_id = $2::uuid
  AND j.status IN ('pending', 'queued', 'throttled', 'leased', 'running')
)SQL";

}  // namespace

std::optional<StoredRun> findRun(sdk::Txn& txn, const std::string& run_id) {
  std::optional<StoredRun> out;
  txn.exec(kGetRun, {txn.tenant(), run_id}, [&](const sdk::Row& r) {
    out = StoredRun{r.json(0), r.json(1)};
  });
  return out;
}

json runJobs(sdk::Txn& txn, const std::string& id) {
  json jobs = json::array();
  txn.exec(kRunJobs, {txn.tenant(), id}, [&](const sdk::Row& r) {
    jobs.push_back({{"key", r.opt(0) ? json(r.str(0)) : json(nullptr)},
                    {"id", r.str(1)},
                    {"type", r.str(2)},
                    {"status", r.str(3)},
                    {"reason", r.opt(4) ? json(r.str(4)) : json(nullptr)},
                    {"attempts", r.i64(5)}});
  });
  return jobs;
}

std::vector<CreatedAtRow> listRuns(sdk::Txn& txn, const std::optional<std::string>& status,
                                   const std::optional<std::string>& source_id,
                                   const CreatedAtSlice& slice) {
  std::vector<CreatedAtRow> rows;
  txn.exec(kListRuns,
           {txn.tenant(), status, source_id, slice.after_micros, slice.after_id, slice.limit},
           [&](const sdk::Row& r) {
             rows.push_back({r.json(0), json::array({r.i64(1), r.str(2)})});
           });
  return rows;
}

std::vector<std::string> unfinishedRunJobIds(sdk::Txn& txn, const std::string& run_id) {
  std::vector<std::string> ids;
  txn.exec(kRunJobIds, {txn.tenant(), run_id}, [&](const sdk::Row& r) { ids.push_back(r.str(0)); });
  return ids;
}

}  // namespace jobengine::scheduler
