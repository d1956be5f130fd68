// source_sync.hpp — what a sync of a source creates, in one place for its three callers: the
// manual sync (POST /sources/{id}/sync), a schedule's fire (the leader) and a schedule's
// trigger (POST /schedules/{id}/trigger), and each window of a backfill. A run of the jobs the
// source kind's declared sync DAG lists (je.sources declare_sync, core/sync_dag.hpp), or, for
// a kind without one (or a source whose config names a syncJobType), one queued job of
// syncJobType(kind, config) (core/source_spec.hpp).
//
// Lock keys (plugins/scheduler/README.md, "Sync DAGs and lock keys"): syncs of the sources
// sharing a lockKey never overlap. Callers ask activeSyncOfLock before they create a run: a
// manual sync or trigger answers 409 SYNC_IN_PROGRESS, a schedule fire is skipped
// ("sync_in_progress"), a backfill is refused and chains its own windows one after another
// (SyncRequest::after_jobs: the next window starts when the previous one has succeeded).
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/sync_dag.hpp"
#include "ops_store.hpp"

namespace jobengine::scheduler {

// The event-time window a sync covers (README "Watermarks and backfills"): live syncs
// [the scope's watermark or open, now), backfill runs one window of the backfill.
struct SyncWindow {
  std::string scope = "default";
  std::optional<std::string> from;  // RFC 3339; empty = open start (no watermark yet)
  std::string to;                   // RFC 3339
};

struct SyncRequest {
  std::string run_kind = "sync";  // runs.kind: "sync" (manual), "schedule" or "backfill"
  std::string trigger;            // payload.trigger: "manual", "schedule", "trigger"
  nlohmann::json extra = nlohmann::json::object();  // more payload fields (scheduleId, fireAt)
  std::optional<std::string> reason;                // the run's reason
  std::optional<std::string> idempotency_key;       // the run's, unique per tenant
  std::optional<std::string> run_id;                // chosen by the caller; else a new one
  std::optional<SyncWindow> window;                 // runs.window_*, payload.window
  std::optional<std::string> backfill_id;           // runs.backfill_id, payload.backfillId
  int priority = 5;                                 // the job's; backfills run lower
  // Jobs (of an earlier run) every root job of this run waits for: a backfill's previous
  // window's sinks. A failed or canceled one cancels this run's jobs (upstream_failed).
  std::vector<std::string> after_jobs;
};

struct SyncRun {
  std::string run_id;
  std::string job_id;                     // the first job (the DAG's first root)
  std::string job_type;                   // its type
  std::vector<std::string> sink_job_ids;  // the jobs nothing in the run waits for
  std::vector<OpsEvent> events;           // run.created and job.created: the caller appends them
};

// The live window of a sync of `source_id` at `to`: scope "default", from its watermark.
SyncWindow liveWindow(sdk::Txn& txn, const std::string& tenant, const std::string& source_id,
                      const std::string& to);

// Inserts the run and its jobs for `source` (a source as GET /sources/{id} shows it).
SyncRun createSyncRun(sdk::Txn& txn, sdk::UuidV7Generator& ids, const SyncDagRegistry& dags,
                      const nlohmann::json& source, const SyncRequest& sync, const Origin& origin);

// For a source with a lockKey: takes the transaction-scoped lock of (tenant, lockKey), so
// concurrent creations serialize, and returns the id of a queued or running run of any source
// sharing the key (nullopt: none, or no lockKey).
std::optional<std::string> activeSyncOfLock(sdk::Txn& txn, const std::string& tenant,
                                            const nlohmann::json& source);

// 409 SYNC_IN_PROGRESS naming the lock key and the active run (details.runId).
void sendSyncInProgress(sdk::Response& response, const sdk::Request& request,
                        const nlohmann::json& source, const std::string& active_run_id);

}  // namespace jobengine::scheduler
