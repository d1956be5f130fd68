// JobService, runs: a DAG of jobs submitted in one request (SPEC §2 "DAG"), and the run
// status every job transition refreshes (kRefreshRuns; windowed runs move watermarks). The
// planner (core/dag_planner) validates it (cycles refused naming the cycle) and fixes the
// plan; children start `pending` with parents_pending = their parent count.
#include <jobengine/ids.hpp>

#include "core/dag_planner.hpp"
#include "core/sql.hpp"
#include "job_service.hpp"
#include "request_fields.hpp"
#include "watermark_store.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

// Runs + run.created event in one statement.
constexpr std::string_view kInsertDagRun = R"SQL(
WITH r AS (
  INSERT INTO scheduler.runs (tenant_id, id, project_id, source_id, kind, status, correlation_id,
                              trace_id, plan, jobs_total, created_by)
  VALUES ($1::text, $2::uuid, $3::text, $4::uuid, 'dag', 'queued', $5::text, $6::text,
          $7::jsonb, $8::int, $9::text)
  RETURNING *
), ev AS (
  -- run.created through the host's declared function (abi.h, "Host SQL functions"), which adds
  -- the seq, eventId and who and why; read through ev below so it always runs.
  SELECT jobengine.append_events_v1(array_agg(ROW(
           r.tenant_id, 'run.created', r.project_id, r.id, NULL, r.source_id::text, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL,
           json_build_object('idempotencyKey', 'orch-run.created-' || r.id::text,
                             'run', json_build_object('id', r.id, 'status', r.status),
                             'data', json_build_object('jobsTotal', r.jobs_total))
         )::jobengine.event_input_v1)) AS appended
  FROM r
)
SELECT scheduler.run_json(r::scheduler.runs) FROM r
WHERE (SELECT ev.appended FROM ev) IS NOT NULL
)SQL";

}  // namespace

json JobService::createRun(sdk::Txn& txn, const json& request, const std::string& actor,
                           const std::string& trace_id) {
  if (!request.is_object() || !request.contains("jobs") || !request["jobs"].is_array() ||
      request["jobs"].empty() || request["jobs"].size() > 10000) {
    throw invalidField("jobs", "must be an array of 1..10000 jobs");
  }
  const std::string tenant = txn.tenant();
  std::vector<DagJob> dag_jobs;
  std::vector<DagEdge> edges;
  for (const auto& job : request["jobs"]) {
    if (!job.is_object()) {
      throw invalidField("jobs[]", "each job must be an object");
    }
    const auto key = optString(job, "key", 128);
    if (!key) {
      throw invalidField("jobs[].key", "is required");
    }
    DagJob dj{*key, std::nullopt};
    if (job.contains("cost") && job["cost"].is_number()) {
      dj.cost = job["cost"].get<double>();
    }
    dag_jobs.push_back(dj);
    if (job.contains("dependsOn") && job["dependsOn"].is_array()) {
      for (const auto& p : job["dependsOn"]) {
        if (!p.is_string()) {
          throw invalidField("jobs[].dependsOn", "must be an array of job keys");
        }
        edges.push_back({p.get<std::string>(), *key});
      }
    }
  }
  if (request.contains("dependencies")) {
    if (!request["dependencies"].is_array()) {
      throw invalidField("dependencies", "must be an array of {parent, child}");
    }
    for (const auto& d : request["dependencies"]) {
      if (!d.is_object() || !d.contains("parent") || !d.contains("child") ||
          !d["parent"].is_string() || !d["child"].is_string()) {
        throw invalidField("dependencies[]", "each needs string parent and child keys");
      }
      edges.push_back({d["parent"].get<std::string>(), d["child"].get<std::string>()});
    }
  }
  const DagResult result = Dag::build(dag_jobs, edges);
  if (!result.ok()) {
    json errors = json::array();
    std::string message;
    for (const auto& e : result.errors) {
      errors.push_back({{"code", e.code}, {"message", e.message}});
      message += (message.empty() ? "" : "; ") + e.message;
    }
    throw JobRefusal(RefusalKind::kInvalid, result.errors.front().code, message,
                     json{{"errors", errors}});
  }
  const Dag& dag = *result.dag;
  const std::string run_id = sdk::newUuidV7();
  json depth = json::object();
  for (const auto& key : dag.plan().order) {
    depth[key] = dag.depth(key).value_or(0);
  }
  json plan_edges = json::array();
  for (const auto& e : dag.plan().edges) {
    plan_edges.push_back({{"parent", e.parent}, {"child", e.child}});
  }
  const json plan = {{"order", dag.plan().order},
                     {"depth", depth},
                     {"criticalPath", dag.plan().critical_path},
                     {"criticalPathCost", dag.plan().critical_path_cost},
                     {"edges", plan_edges}};
  const auto project = optString(request, "projectId", 128);
  const auto source = optUuid(request, "sourceId");
  const auto correlation = optString(request, "correlationId");
  json run;
  txn.exec(kInsertDagRun,
           {tenant, run_id, project, source, correlation,
            trace_id.empty() ? sdk::Param(nullptr) : sdk::Param(trace_id), plan.dump(),
            static_cast<int>(dag_jobs.size()), actor},
           [&](const sdk::Row& row) { run = row.json(0); });
  std::map<std::string, std::string> ids;
  json records = json::array();
  for (const auto& job : request["jobs"]) {
    json r = jobRecord(job, tenant, trace_id);
    const std::string key = job["key"].get<std::string>();
    const size_t parents = dag.parentCount(key).value_or(0);
    r["run_id"] = run_id;
    r["job_key"] = key;
    r["status"] = parents > 0 ? "pending" : "queued";
    r["parents_pending"] = parents;
    if (project && !r.contains("project_id")) {
      r["project_id"] = *project;
    }
    if (source && !r.contains("source_id")) {
      r["source_id"] = *source;
    }
    if (correlation && !r.contains("correlation_id")) {
      r["correlation_id"] = *correlation;
    }
    r.erase("idempotency_key");  // idempotency is per run request, not per job inside it
    ids[key] = r["id"].get<std::string>();
    records.push_back(r);
  }
  const json inserted = insertJobs(txn, records, actor);
  json edge_records = json::array();
  for (const auto& e : dag.plan().edges) {
    edge_records.push_back({{"tenant_id", tenant},
                            {"run_id", run_id},
                            {"parent_id", ids[e.parent]},
                            {"child_id", ids[e.child]}});
  }
  if (!edge_records.empty()) {
    txn.exec(sql::kInsertEdges, {edge_records.dump()});
  }
  json jobs = json::array();
  for (size_t i = 0; i < records.size(); ++i) {
    jobs.push_back({{"key", records[i]["job_key"]},
                    {"id", inserted[i]["id"]},
                    {"type", records[i]["job_type"]},
                    {"status", inserted[i]["status"]}});
  }
  return json{{"run", run}, {"jobs", jobs}, {"plan", plan}};
}

void appendRun(json& runs, const sdk::Row& row, uint32_t tenant_col, uint32_t run_col) {
  if (!row.isNull(run_col)) {
    runs.push_back({{"tenant_id", row.str(tenant_col)}, {"run_id", row.str(run_col)}});
  }
}

void JobService::refreshRuns(sdk::Txn& txn, const json& tenant_runs) {
  if (!tenant_runs.is_array() || tenant_runs.empty()) {
    return;
  }
  const std::string input = tenant_runs.dump();
  txn.exec(sql::kLockRuns, {input});
  // Only a windowed run that became terminal costs anything more (runs without a window, such
  // as the benchmark's, never reach the watermark step).
  std::vector<EndedRun> windowed;
  txn.exec(sql::kRefreshRuns, {input}, [&](const sdk::Row& r) {
    const std::string status = r.str(2);
    if ((r.isNull(4) && r.isNull(5)) ||
        (status != "succeeded" && status != "failed" && status != "canceled")) {
      return;
    }
    windowed.push_back(EndedRun{r.str(0), r.str(1), status, r.opt(3), r.opt(4), r.opt(5)});
  });
  if (!windowed.empty()) {
    afterWindowedRunsEnded(txn, event_ids_, windowed);
  }
}

}  // namespace jobengine::scheduler
