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
};

struct SyncRun {
  std::string run_id;
  std::string job_id;
  std::string job_type;
  std::vector<OpsEvent> events;  // run.created and job.created: the caller appends them
};

// The live window of a sync of `source_id` at `to`: scope "default", from its watermark.
SyncWindow liveWindow(sdk::Txn& txn, const std::string& tenant, const std::string& source_id,
                      const std::string& to);

// Inserts the run and its job for `source` (a source as GET /sources/{id} shows it).
SyncRun createSyncRun(sdk::Txn& txn, sdk::UuidV7Generator& ids, const nlohmann::json& source,
                      const SyncRequest& sync, const Origin& origin);

}  // namespace jobengine::scheduler
