// source_sync.cpp — see source_sync.hpp.
#include "source_sync.hpp"

#include "core/source_spec.hpp"
#include "watermark_store.hpp"

namespace jobengine::scheduler {

SyncWindow liveWindow(sdk::Txn& txn, const std::string& tenant, const std::string& source_id,
                      const std::string& to) {
  SyncWindow w;
  w.from = currentWatermarkText(txn, tenant, source_id, w.scope);
  w.to = to;
  return w;
}

SyncRun createSyncRun(sdk::Txn& txn, sdk::UuidV7Generator& ids, const nlohmann::json& source,
                      const SyncRequest& sync, const Origin& origin) {
  const std::string source_id = source["id"].get<std::string>();
  SyncRun out;
  out.run_id = sync.run_id ? *sync.run_id : ids.next();
  NewJob job;
  job.id = ids.next();
  job.run_id = out.run_id;
  job.source_id = source_id;
  job.job_key = "sync";
  job.job_type = syncJobType(source["kind"].get<std::string>(), source["config"]);
  job.payload = {
      {"sourceId", source_id}, {"sourceName", source["name"]}, {"trigger", sync.trigger}};
  job.payload.update(sync.extra);
  job.priority = sync.priority;
  if (sync.window) {
    job.payload["window"] = {
        {"scope", sync.window->scope},
        {"from", sync.window->from ? nlohmann::json(*sync.window->from) : nlohmann::json(nullptr)},
        {"to", sync.window->to}};
  }
  if (sync.backfill_id) {
    job.payload["backfillId"] = *sync.backfill_id;
  }
  out.job_id = job.id;
  out.job_type = job.job_type;
  NewRun run;
  run.id = out.run_id;
  run.kind = sync.run_kind;
  run.source_id = source_id;
  run.reason = sync.reason;
  run.idempotency_key = sync.idempotency_key;
  if (sync.window) {
    run.window_scope = sync.window->scope;
    run.window_from = sync.window->from;
    run.window_to = sync.window->to;
  }
  run.backfill_id = sync.backfill_id;
  out.events.push_back(insertRun(txn, run, origin));
  out.events.push_back(insertQueuedJob(txn, job, origin));
  return out;
}

}  // namespace jobengine::scheduler
