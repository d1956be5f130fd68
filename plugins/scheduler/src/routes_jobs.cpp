// Job routes (SPEC §5.1 "jobs"): enqueue one or a batch, list with filters and keyset
// pagination, detail, history (from the event outbox), summary (counts, and the oldest
// createdAt of each type's non-terminal statuses), and the operator actions
// cancel / retry / replay / prioritize. Operator actions are orch:operate; the host's
// interceptor requires the operator reason header for that scope. The SQL is in job_store.cpp.
#include <jobengine/ids.hpp>

#include "core/job_state.hpp"
#include "job_store.hpp"
#include "routes.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

json getJob(sdk::Txn& txn, const std::string& id) {
  auto job = findJob(txn, id);
  if (!job || job->is_null()) {
    throw ApiError(404, "NOT_FOUND", "job '" + id + "' not found", json{{"jobId", id}});
  }
  return std::move(*job);
}

CreatedAtSlice sliceOf(const CreatedAtPage& page) {
  return CreatedAtSlice{page.after_micros, page.after_id, page.request.fetchLimit()};
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

void getJobList(const sdk::Request& request, sdk::Response& response, sdk::Txn& txn) {
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
  std::vector<CreatedAtRow> rows =
      listJobs(txn, JobFilter{status, type, source, run}, sliceOf(page));
  response.json(200, createdAtPageBody(rows, page, binding));
}

void getArtifactList(const sdk::Request& request, sdk::Response& response, sdk::Txn& txn) {
  const std::string id = uuidParam(request, "id", "job");
  getJob(txn, id);  // 404 for a job this tenant does not have
  const std::string binding =
      sdk::pageBinding("GET " + std::string(kApiBase) + "/jobs/{id}/artifacts", {{"jobId", id}});
  const CreatedAtPage page = createdAtPage(request, binding);
  std::vector<CreatedAtRow> rows = listArtifacts(txn, id, sliceOf(page));
  response.json(200, createdAtPageBody(rows, page, binding));
}

void jobSummary(const sdk::Request& /*request*/, sdk::Response& response, sdk::Txn& txn) {
  json by_status = json::object();
  json by_type = json::object();
  json oldest = json::object();
  int64_t total = 0;
  // The oldest createdAt only of statuses that are not terminal: the backlog.
  for (const auto& row : countJobsByTypeAndStatus(txn)) {
    total += row.count;
    by_status[row.status] = by_status.value(row.status, int64_t{0}) + row.count;
    by_type[row.job_type][row.status] = row.count;
    const auto status = parseStatus(row.status);
    if (status && !isTerminal(*status)) {
      oldest[row.job_type][row.status] = row.oldest_created_at;
    }
  }
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
  addRoute(host, doc, "GET", base, "orch:read", getJobList);
  addRoute(host, doc, "GET", base + "/summary", "orch:read", jobSummary);
  addRoute(host, doc, "GET", base + "/:id", "orch:read",
           [](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             resp.json(200, getJob(txn, uuidParam(req, "id", "job")));
           });
  addRoute(host, doc, "GET", base + "/:id/artifacts", "orch:read", getArtifactList);
  addRoute(host, doc, "GET", base + "/:id/history", "orch:read",
           [](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             const json job = getJob(txn, id);
             json events = json::array();
             // Each entry is a whole orch.event.v1 envelope, as GET /events and the streams
             // give it: the stored body lacks the fields the host adds on reading.
             for (auto& stored : jobHistory(txn, id)) {
               json e = std::move(stored.body);
               e["schemaVersion"] = "orch.event.v1";
               e["seq"] = stored.seq;
               e["eventType"] = stored.event_type;
               e["occurredAt"] = stored.occurred_at;
               e["tenantId"] = txn.tenant();
               if (!e.contains("projectId") && !job["projectId"].is_null()) {
                 e["projectId"] = job["projectId"];
               }
               events.push_back(e);
             }
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
             svc->wakeRunnersAfterCommit(txn);  // only runs if the retry commits
             const auto out = retryJob(txn, id, actorOf(req), std::string(req.operatorReason()));
             if (!out || out->is_null()) {
               throw ApiError(409, "JOB_NOT_RETRYABLE",
                              "only failed or timed_out jobs can be retried; job is " +
                                  job["status"].get<std::string>(),
                              json{{"jobId", id}, {"status", job["status"]}});
             }
             resp.json(200, *out);
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
             const auto out = prioritizeJob(txn, id, body["priority"].get<int>());
             if (!out || out->is_null()) {
               throw ApiError(409, "JOB_TERMINAL", "a terminal job's priority cannot change",
                              json{{"jobId", id}, {"status", job["status"]}});
             }
             resp.json(200, *out);
           });
}

}  // namespace jobengine::scheduler
