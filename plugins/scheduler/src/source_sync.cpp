// source_sync.cpp — see source_sync.hpp.
#include "source_sync.hpp"

#include <map>

#include "core/source_spec.hpp"
#include "core/sql.hpp"
#include "watermark_store.hpp"

namespace jobengine::scheduler {

namespace {

// The DAG one sync of `source` creates: the kind's declared one, else one job.
SyncDag syncDagOf(const SyncDagRegistry& dags, const nlohmann::json& source) {
  const std::string kind = source["kind"].get<std::string>();
  const nlohmann::json& config = source["config"];
  const bool overridden = config.is_object() && config.contains("syncJobType");
  if (!overridden) {
    if (auto declared = dags.find(kind)) {
      return *declared;
    }
  }
  return SyncDag{kind, {SyncDagStep{"sync", syncJobType(kind, config), {}}}};
}

}  // namespace

SyncWindow liveWindow(sdk::Txn& txn, const std::string& tenant, const std::string& source_id,
                      const std::string& to) {
  SyncWindow w;
  w.from = currentWatermarkText(txn, tenant, source_id, w.scope);
  w.to = to;
  return w;
}

SyncRun createSyncRun(sdk::Txn& txn, sdk::UuidV7Generator& ids, const SyncDagRegistry& dags,
                      const nlohmann::json& source, const SyncRequest& sync, const Origin& origin) {
  const std::string source_id = source["id"].get<std::string>();
  const SyncDag dag = syncDagOf(dags, source);
  SyncRun out;
  out.run_id = sync.run_id ? *sync.run_id : ids.next();
  nlohmann::json payload = {
      {"sourceId", source_id}, {"sourceName", source["name"]}, {"trigger", sync.trigger}};
  payload.update(sync.extra);
  if (sync.window) {
    payload["window"] = {
        {"scope", sync.window->scope},
        {"from", sync.window->from ? nlohmann::json(*sync.window->from) : nlohmann::json(nullptr)},
        {"to", sync.window->to}};
  }
  if (sync.backfill_id) {
    payload["backfillId"] = *sync.backfill_id;
  }
  NewRun run;
  run.id = out.run_id;
  run.kind = sync.run_kind;
  run.source_id = source_id;
  run.jobs_total = static_cast<int>(dag.steps.size());
  run.reason = sync.reason;
  run.idempotency_key = sync.idempotency_key;
  if (sync.window) {
    run.window_scope = sync.window->scope;
    run.window_from = sync.window->from;
    run.window_to = sync.window->to;
  }
  run.backfill_id = sync.backfill_id;
  out.events.push_back(insertRun(txn, run, origin));

  std::map<std::string, std::string> job_ids;
  nlohmann::json edges = nlohmann::json::array();
  const auto edge = [&](const std::string& parent, const std::string& child) {
    edges.push_back({{"tenant_id", origin.tenant},
                     {"run_id", out.run_id},
                     {"parent_id", parent},
                     {"child_id", child}});
  };
  for (const SyncDagStep& step : dag.steps) {
    NewJob job;
    job.id = ids.next();
    job.run_id = out.run_id;
    job.source_id = source_id;
    job.job_key = step.key;
    job.job_type = step.job_type;
    job.payload = payload;
    job.priority = sync.priority;
    const bool root = step.depends_on.empty();
    job.parents_pending = static_cast<int>(root ? sync.after_jobs.size() : step.depends_on.size());
    for (const std::string& parent : root ? sync.after_jobs : std::vector<std::string>{}) {
      edge(parent, job.id);
    }
    for (const std::string& parent : step.depends_on) {
      edge(job_ids.at(parent), job.id);
    }
    job_ids[step.key] = job.id;
    if (out.job_id.empty()) {
      out.job_id = job.id;
      out.job_type = job.job_type;
    }
    out.events.push_back(insertQueuedJob(txn, job, origin));
  }
  if (!edges.empty()) {
    txn.exec(sql::kInsertEdges, {edges.dump()});
  }
  for (const std::string& key : sinkKeys(dag)) {
    out.sink_job_ids.push_back(job_ids.at(key));
  }
  return out;
}

std::optional<std::string> activeSyncOfLock(sdk::Txn& txn, const std::string& tenant,
                                            const nlohmann::json& source) {
  if (!source.contains("lockKey") || !source["lockKey"].is_string()) {
    return std::nullopt;
  }
  const std::string key = source["lockKey"].get<std::string>();
  txn.exec(
      "SELECT pg_advisory_xact_lock(hashtextextended('scheduler.sync-lock:' || $1 || ':' || "
      "$2, 0))",
      {tenant, key});
  return txn.one(
      "SELECT r.id::text FROM scheduler.sources s JOIN scheduler.runs r ON r.tenant_id = "
      "s.tenant_id AND r.source_id = s.id AND r.status IN ('queued', 'running') WHERE "
      "s.tenant_id = $1 AND s.lock_key = $2 ORDER BY r.id LIMIT 1",
      {tenant, key}, [](const sdk::Row& r) { return r.str(0); });
}

void sendSyncInProgress(sdk::Response& response, const sdk::Request& request,
                        const nlohmann::json& source, const std::string& active_run_id) {
  const std::string key = source["lockKey"].get<std::string>();
  sendError(response, request, 409, "SYNC_IN_PROGRESS",
            "a sync of lock key '" + key + "' is still queued or running (run " + active_run_id +
                "); at most one sync per lock key runs at a time",
            {{"runId", active_run_id}, {"lockKey", key}});
}

}  // namespace jobengine::scheduler
