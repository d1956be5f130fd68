// Job routes (SPEC §5.1 "jobs"): enqueue one or a batch, list with filters and keyset
// pagination, detail, history (from the event outbox), summary (counts, and the oldest
// createdAt of each type's non-terminal statuses), and the operator actions
// cancel / retry / replay / prioritize. Operator actions are orch:operate; the host's
// interceptor requires the operator reason header for that scope.
#include <jobengine/ids.hpp>

#include "core/job_state.hpp"
#include "core/sql.hpp"
#include "routes.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

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

json getJob(sdk::Txn& txn, const std::string& id) {
  json job;
  txn.exec(kGetJob, {txn.tenant(), id}, [&](const sdk::Row& r) { job = r.json(0); });
  if (job.is_null()) {
    throw ApiError(404, "NOT_FOUND", "job '" + id + "' not found", json{{"jobId", id}});
  }
  return job;
}

std::optional<std::string> filter(const sdk::Request& request, const char* name, bool uuid) {
  auto v = request.query(name);
  if (v && v->empty()) {
    return std::nullopt;
  }
  if (v && uuid && !sdk::isUuid(*v)) {
    throw ApiError(400, "INVALID_FILTER", std::string(name) + " must be a UUID",
                   json{{"parameter", name}});
  }
  return v;
}

void listJobs(const sdk::Request& request, sdk::Response& response, sdk::Txn& txn) {
  const auto status = filter(request, "status", false);
  if (status && !parseStatus(*status)) {
    throw ApiError(400, "INVALID_FILTER",
                   "status must be one of pending, queued, throttled, leased, running, "
                   "succeeded, failed, timed_out, canceled",
                   json{{"parameter", "status"}});
  }
  const auto type = filter(request, "type", false);
  const auto source = filter(request, "sourceId", true);
  const auto run = filter(request, "runId", true);
  const std::string binding =
      sdk::pageBinding("GET " + std::string(kApiBase) + "/jobs",
                       {{"status", status}, {"type", type}, {"sourceId", source}, {"runId", run}});
  const CreatedAtPage page = createdAtPage(request, binding);
  std::vector<CreatedAtRow> rows;
  txn.exec(kListJobs,
           {txn.tenant(), status, type, source, run, page.after_micros, page.after_id,
            page.request.fetchLimit()},
           [&](const sdk::Row& r) {
             rows.push_back({r.json(0), json::array({r.i64(1), r.str(2)})});
           });
  response.json(200, createdAtPageBody(rows, page, binding));
}

void listArtifacts(const sdk::Request& request, sdk::Response& response, sdk::Txn& txn) {
  const std::string id = uuidParam(request, "id", "job");
  getJob(txn, id);  // 404 for a job this tenant does not have
  const std::string binding =
      sdk::pageBinding("GET " + std::string(kApiBase) + "/jobs/{id}/artifacts", {{"jobId", id}});
  const CreatedAtPage page = createdAtPage(request, binding);
  std::vector<CreatedAtRow> rows;
  txn.exec(kListArtifacts,
           {txn.tenant(), id, page.after_micros, page.after_id, page.request.fetchLimit()},
           [&](const sdk::Row& r) {
             rows.push_back({r.json(0), json::array({r.i64(1), r.str(2)})});
           });
  response.json(200, createdAtPageBody(rows, page, binding));
}

void jobSummary(const sdk::Request& /*request*/, sdk::Response& response, sdk::Txn& txn) {
  json by_status = json::object();
  json by_type = json::object();
  json oldest = json::object();
  int64_t total = 0;
  txn.exec(kSummary, {txn.tenant()}, [&](const sdk::Row& r) {
    const int64_t n = r.i64(2);
    total += n;
    by_status[r.str(1)] = by_status.value(r.str(1), int64_t{0}) + n;
    by_type[r.str(0)][r.str(1)] = n;
    const auto status = parseStatus(r.str(1));
    if (status && !isTerminal(*status)) {
      oldest[r.str(0)][r.str(1)] = r.str(3);
    }
  });
  response.json(
      200, {{"total", total}, {"byStatus", by_status}, {"byType", by_type}, {"oldest", oldest}});
}

}  // namespace

void registerJobRoutes(sdk::Host& host, sdk::ApiDoc& doc, JobService& service) {
  const std::string base = std::string(kApiBase) + "/jobs";
  JobService* svc = &service;

  addRoute(host, doc, "POST", base, "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const json body = bodyObject(req);
             if (body.contains("jobs")) {
               throw ApiError(422, "VALIDATION_FAILED", "jobs: use POST /jobs/batch for batches");
             }
             const json out = svc->enqueue(txn, body, actorOf(req), std::string(req.traceId()));
             const json& first = out["jobs"][0];
             resp.json(first["created"].get<bool>() ? 201 : 200,
                       getJob(txn, first["id"].get<std::string>()));
           });
  addRoute(host, doc, "POST", base + "/batch", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const json body = bodyObject(req);
             if (!body.contains("jobs")) {
               throw ApiError(422, "VALIDATION_FAILED", "jobs: is required");
             }
             resp.json(201, svc->enqueue(txn, body, actorOf(req), std::string(req.traceId())));
           });
  addRoute(host, doc, "GET", base, "orch:read", listJobs);
  addRoute(host, doc, "GET", base + "/summary", "orch:read", jobSummary);
  addRoute(host, doc, "GET", base + "/:id", "orch:read",
           [](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             resp.json(200, getJob(txn, uuidParam(req, "id", "job")));
           });
  addRoute(host, doc, "GET", base + "/:id/artifacts", "orch:read", listArtifacts);
  addRoute(host, doc, "GET", base + "/:id/history", "orch:read",
           [](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             const json job = getJob(txn, id);
             json events = json::array();
             // Each entry is a whole orch.event.v1 envelope, as GET /events and the streams
             // give it: the stored body lacks the fields the host adds on reading.
             txn.exec(kHistory, {txn.tenant(), id}, [&](const sdk::Row& r) {
               json e = r.json(3);
               e["schemaVersion"] = "orch.event.v1";
               e["seq"] = r.i64(0);
               e["eventType"] = r.str(1);
               e["occurredAt"] = r.str(2);
               e["tenantId"] = txn.tenant();
               if (!e.contains("projectId") && !job["projectId"].is_null()) {
                 e["projectId"] = job["projectId"];
               }
               events.push_back(e);
             });
             resp.json(200, {{"jobId", id}, {"items", events}});
           });
  addRoute(host, doc, "POST", base + "/:id/cancel", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             getJob(txn, id);
             svc->cancelJobs(txn, {{txn.tenant(), id}}, actorOf(req), "canceled_by_operator");
             resp.json(200, getJob(txn, id));
           });
  addRoute(host, doc, "POST", base + "/:id/retry", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             const json job = getJob(txn, id);
             json out;
             svc->wakeRunnersAfterCommit(txn);  // only runs if the retry commits
             txn.exec(sql::kOperatorRetry,
                      {txn.tenant(), id, actorOf(req), std::string(req.operatorReason())},
                      [&](const sdk::Row& r) { out = r.json(0); });
             if (out.is_null()) {
               throw ApiError(409, "JOB_NOT_RETRYABLE",
                              "only failed or timed_out jobs can be retried; job is " +
                                  job["status"].get<std::string>(),
                              json{{"jobId", id}, {"status", job["status"]}});
             }
             resp.json(200, out);
           });
  addRoute(host, doc, "POST", base + "/:id/replay", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             const json job = getJob(txn, id);
             const auto status = parseStatus(job["status"].get<std::string>());
             if (!status || !isTerminal(*status)) {
               throw ApiError(409, "JOB_NOT_TERMINAL", "only terminal jobs can be replayed",
                              json{{"jobId", id}, {"status", job["status"]}});
             }
             const auto body = req.body().empty() ? json::object() : bodyObject(req);
             json clone = {{"type", job["type"]},
                           {"payload", job["payload"]},
                           {"priority", body.contains("priority") ? body["priority"] : json(9)},
                           {"maxAttempts", job["maxAttempts"]}};
             for (const char* k : {"correlationId", "projectId", "sourceId"}) {
               if (!job[k].is_null()) {
                 clone[k] = job[k];
               }
             }
             clone["replayOf"] = id;
             json out = svc->enqueue(txn, clone, actorOf(req), std::string(req.traceId()));
             const std::string new_id = out["jobs"][0]["id"].get<std::string>();
             resp.json(201, getJob(txn, new_id));
           });
  addRoute(host, doc, "POST", base + "/:id/prioritize", "orch:operate",
           [](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             const json body = bodyObject(req);
             if (!body.contains("priority") || !body["priority"].is_number_integer() ||
                 body["priority"].get<int>() < 0 || body["priority"].get<int>() > 9) {
               throw ApiError(422, "VALIDATION_FAILED", "priority: must be an integer in 0..9",
                              json{{"field", "priority"}});
             }
             const json job = getJob(txn, id);
             json out;
             txn.exec(kPrioritize, {txn.tenant(), id, body["priority"].get<int>()},
                      [&](const sdk::Row& r) { out = r.json(0); });
             if (out.is_null()) {
               throw ApiError(409, "JOB_TERMINAL", "a terminal job's priority cannot change",
                              json{{"jobId", id}, {"status", job["status"]}});
             }
             resp.json(200, out);
           });
}

}  // namespace jobengine::scheduler
