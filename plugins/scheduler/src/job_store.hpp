// job_store.hpp — the SQL of the job routes (routes_jobs.cpp, routes_worker.cpp): reading
// jobs, their artifacts and history, the per-type summary, the two operator writes that are
// not JobService steps (retry, prioritize) and the worker bridge's artifact report (lease
// check, insert). Named functions over the caller's transaction and tenant; they return rows
// or "nothing matched" and leave the HTTP answer to the route (STYLE §14). Also the
// (created_at, id) row shape of the newest-first lists the routes page (routes.hpp).
#pragma once

#include <jobengine/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::scheduler {

// One fetched row of a newest-first list: the item and its key [created_at micros, id].
struct CreatedAtRow {
  nlohmann::json item;
  nlohmann::json key;
};

// Where a page of such a list starts and how many rows to fetch (page size + 1).
struct CreatedAtSlice {
  std::optional<int64_t> after_micros;
  std::optional<std::string> after_id;
  int limit = 0;
};

// GET /jobs filters; an empty optional does not filter.
struct JobFilter {
  std::optional<std::string> status;
  std::optional<std::string> job_type;
  std::optional<std::string> source_id;
  std::optional<std::string> run_id;
};

// One job event from the host's outbox, as stored (the body lacks the envelope's read-time
// fields).
struct StoredJobEvent {
  int64_t seq = 0;
  std::string event_type;
  std::string occurred_at;
  nlohmann::json body;
};

// One (job type, status) group of the tenant's jobs: its size and its oldest createdAt.
struct JobCountRow {
  std::string job_type;
  std::string status;
  int64_t count = 0;
  std::string oldest_created_at;
};

// scheduler.job_json of the tenant's job; nullopt when the tenant has no such job.
std::optional<nlohmann::json> findJob(sdk::Txn& txn, const std::string& job_id);
std::vector<CreatedAtRow> listJobs(sdk::Txn& txn, const JobFilter& filter,
                                   const CreatedAtSlice& slice);
std::vector<CreatedAtRow> listArtifacts(sdk::Txn& txn, const std::string& job_id,
                                        const CreatedAtSlice& slice);
// The job's events in seq order (through jobengine.job_events_v1, abi.h).
std::vector<StoredJobEvent> jobHistory(sdk::Txn& txn, const std::string& job_id);
// Every (type, status) group, ordered by type then status.
std::vector<JobCountRow> countJobsByTypeAndStatus(sdk::Txn& txn);
// failed|timed_out -> queued with its event (sql::kOperatorRetry); the job after the change,
// or nullopt when it was not failed or timed_out.
std::optional<nlohmann::json> retryJob(sdk::Txn& txn, const std::string& job_id,
                                       const std::string& actor, const std::string& reason);
// True when lease_id is the current lease of the tenant's leased or running job (fencing of
// the worker bridge's artifact reports).
bool holdsLease(sdk::Txn& txn, const std::string& job_id, const std::string& lease_id);
// Inserts artifact rows ([{tenant_id, job_id, uri, digest, media_type, size_bytes}],
// sql::kInsertArtifacts); returns how many were recorded.
int64_t recordArtifacts(sdk::Txn& txn, const nlohmann::json& records);
// Sets a non-terminal job's priority; the job after the change, or nullopt when it is
// terminal (or missing).
std::optional<nlohmann::json> prioritizeJob(sdk::Txn& txn, const std::string& job_id, int priority);

}  // namespace jobengine::scheduler
