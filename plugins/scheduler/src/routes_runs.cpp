// Run routes (SPEC §5.1 "runs"): submit a DAG of jobs in one request, list, detail (with its
// jobs), the stored plan (topological order, depth, critical path) and run cancel.
#include <jobengine/ids.hpp>

#include "routes.hpp"

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

std::pair<json, json> getRun(sdk::Txn& txn, const std::string& id) {
  json run;
  json plan;
  txn.exec(kGetRun, {txn.tenant(), id}, [&](const sdk::Row& r) {
    run = r.json(0);
    plan = r.json(1);
  });
  if (run.is_null()) {
    throw ApiError(404, "NOT_FOUND", "run '" + id + "' not found", json{{"runId", id}});
  }
  return {run, plan};
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

}  // namespace

void registerRunRoutes(sdk::Host& host, sdk::ApiDoc& doc, JobService& service) {
  const std::string base = std::string(kApiBase) + "/runs";
  JobService* svc = &service;

  addRoute(host, doc, "POST", base, "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             resp.json(201, svc->createRun(txn, bodyObject(req), actorOf(req),
                                           std::string(req.traceId())));
           });
  addRoute(host, doc, "GET", base, "orch:read",
           [base](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             auto status = req.query("status");
             auto source = req.query("sourceId");
             if (source && !sdk::isUuid(*source)) {
               throw ApiError(400, "INVALID_FILTER", "sourceId must be a UUID",
                              json{{"parameter", "sourceId"}});
             }
             const std::string binding =
                 sdk::pageBinding("GET " + base, {{"status", status}, {"sourceId", source}});
             const CreatedAtPage page = createdAtPage(req, binding);
             std::vector<CreatedAtRow> rows;
             txn.exec(kListRuns,
                      {txn.tenant(), status, source, page.after_micros, page.after_id,
                       page.request.fetchLimit()},
                      [&](const sdk::Row& r) {
                        rows.push_back({r.json(0), json::array({r.i64(1), r.str(2)})});
                      });
             resp.json(200, createdAtPageBody(rows, page, binding));
           });
  addRoute(host, doc, "GET", base + "/:id", "orch:read",
           [](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "run");
             json run = getRun(txn, id).first;
             run["jobs"] = runJobs(txn, id);
             resp.json(200, run);
           });
  addRoute(host, doc, "GET", base + "/:id/plan", "orch:read",
           [](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "run");
             json plan = getRun(txn, id).second;
             if (plan.is_null()) {
               plan = json::object();
             }
             json by_key = json::object();
             for (const auto& j : runJobs(txn, id)) {
               if (!j["key"].is_null()) {
                 by_key[j["key"].get<std::string>()] = {{"id", j["id"]}, {"status", j["status"]}};
               }
             }
             plan["runId"] = id;
             plan["jobs"] = by_key;
             resp.json(200, plan);
           });
  addRoute(host, doc, "POST", base + "/:id/cancel", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "run");
             getRun(txn, id);
             std::vector<std::pair<std::string, std::string>> jobs;
             txn.exec(kRunJobIds, {txn.tenant(), id},
                      [&](const sdk::Row& r) { jobs.emplace_back(txn.tenant(), r.str(0)); });
             if (!jobs.empty()) {
               svc->cancelJobs(txn, jobs, actorOf(req), "run_canceled");
             }
             json run = getRun(txn, id).first;
             run["jobs"] = runJobs(txn, id);
             resp.json(200, run);
           });
}

}  // namespace jobengine::scheduler
