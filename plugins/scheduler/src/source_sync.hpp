// source_sync.hpp — what a sync of a source creates, in one place for its three callers: the
// manual sync (POST /sources/{id}/sync), a schedule's fire (the leader) and a schedule's
// trigger (POST /schedules/{id}/trigger). Today: one run with one queued job of
// syncJobType(kind, config) (core/source_spec.hpp); the source adapters' sync DAG replaces the
// single job here and nowhere else.
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ops_store.hpp"

namespace jobengine::scheduler {

struct SyncRequest {
  std::string run_kind = "sync";  // runs.kind: "sync" (manual) or "schedule"
  std::string trigger;            // payload.trigger: "manual", "schedule", "trigger"
  nlohmann::json extra = nlohmann::json::object();  // more payload fields (scheduleId, fireAt)
  std::optional<std::string> reason;                // the run's reason
  std::optional<std::string> idempotency_key;       // the run's, unique per tenant
  std::optional<std::string> run_id;                // chosen by the caller; else a new one
};

struct SyncRun {
  std::string run_id;
  std::string job_id;
  std::string job_type;
  std::vector<OpsEvent> events;  // run.created and job.created: the caller appends them
};

// Inserts the run and its job for `source` (a source as GET /sources/{id} shows it).
SyncRun createSyncRun(sdk::Txn& txn, sdk::UuidV7Generator& ids, const nlohmann::json& source,
                      const SyncRequest& sync, const Origin& origin);

}  // namespace jobengine::scheduler
