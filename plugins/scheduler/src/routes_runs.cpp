// Run routes (SPEC §5.1 "runs"): submit a DAG of jobs in one request, list, detail (with its
// jobs), the stored plan (topological order, depth, critical path) and run cancel. The SQL is
// in run_store.cpp.
#include <jobengine/ids.hpp>

#include "routes.hpp"
#include "run_store.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

std::pair<json, json> getRun(sdk::Txn& txn, const std::string& id) {
  auto stored = findRun(txn, id);
  if (!stored || stored->run.is_null()) {
    throw ApiError(404, "NOT_FOUND", "run '" + id + "' not found", json{{"runId", id}});
  }
  return {std::move(stored->run), std::move(stored->plan)};
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
             std::vector<CreatedAtRow> rows = listRuns(
                 txn, status, source,
                 CreatedAtSlice{page.after_micros, page.after_id, page.request.fetchLimit()});
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
             for (auto& job_id : unfinishedRunJobIds(txn, id)) {
               jobs.emplace_back(txn.tenant(), std::move(job_id));
             }
             if (!jobs.empty()) {
               svc->cancelJobs(txn, jobs, actorOf(req), "run_canceled");
             }
             json run = getRun(txn, id).first;
             run["jobs"] = runJobs(txn, id);
             resp.json(200, run);
           });
}

}  // namespace jobengine::scheduler
