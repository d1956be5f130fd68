// source_sync.cpp — see source_sync.hpp.
#include "source_sync.hpp"

#include "core/source_spec.hpp"

namespace jobengine::scheduler {

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
  out.job_id = job.id;
  out.job_type = job.job_type;
  NewRun run;
  run.id = out.run_id;
  run.kind = sync.run_kind;
  run.source_id = source_id;
  run.reason = sync.reason;
  run.idempotency_key = sync.idempotency_key;
  out.events.push_back(insertRun(txn, run, origin));
  out.events.push_back(insertQueuedJob(txn, job, origin));
  return out;
}

}  // namespace jobengine::scheduler
