// JobService: the scheduler's data path over je.store — enqueue, runs (DAGs), claims,
// heartbeats, fenced completions with retry / dead-letter decisions, cancels, the lease sweep
// and run status bookkeeping. Routes, the in-process runner and the je.jobs v1 service all go
// through it, so every path writes the same rows and the same outbox events. One file per
// step (see job_service.cpp); decisions are pure functions in core/ (completion_decision,
// dag_planner, backoff), the files here only carry their results to SQL.
//
// Threading: every method may be called from any thread with the caller's own transaction.
// The job type registry is guarded by types_mutex_ (written only in create()/start()).
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>
#include <jobengine/ratelimit.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/scheduler_settings.hpp"
#include "core/sync_dag.hpp"
#include "job_refusal.hpp"

namespace jobengine::scheduler {

struct JobTypeInfo {
  std::string owner;
  je_job_handler handler = nullptr;  // nullptr: external (worker bridge)
  void* user = nullptr;
  int max_attempts = 0;
  int lease_seconds = 0;
  int timeout_seconds = 0;
  int backoff_base_ms = 0;
  double backoff_factor = 0;
  int backoff_cap_ms = 0;
};

// One leased job as granted to a worker or the runner.
// The worker id (leased_by, event actor) of the in-process runner.
inline constexpr const char* kRunnerWorkerId = "runner";

struct Grant {
  std::string tenant, id, project, run_id, source_id, job_type, job_key, lease_id, lease_until;
  std::string payload, payload_digest, idempotency_key, correlation_id, trace_id;
  int attempt = 0;
  int max_attempts = 0;
  int priority = 0;
  bool cancel_requested = false;
  nlohmann::json toJson() const;  // the worker bridge's grant object (camelCase)
};

// Job types leased for one lease length (the runner claims all its groups in one round).
struct LeaseGroup {
  int lease_seconds = 0;
  std::vector<std::string> types;
};

// A job about to be leased, as admission sees it (job_admission.cpp).
struct LeaseCandidate {
  std::string tenant, id, job_type, source_id;  // source_id empty: none
  std::string row_id;  // the ctid its claim locked ("(page,item)"); empty: lease by id
};

// One completion report (worker bridge or runner).
struct Completion {
  std::string tenant, job_id, lease_id, status;  // succeeded|failed|timed_out|canceled
  nlohmann::json error;                          // {code, message, retryable, httpStatus} or null
  nlohmann::json artifacts;                      // [{uri, digest, mediaType, sizeBytes}] or null
};

struct CompletionResult {
  std::string job_id;
  bool applied = false;
  std::string status;  // the job's new status (queued = retry scheduled)
  // A retry: when the job becomes claimable again (the runner polls then; runner.hpp).
  std::optional<std::chrono::system_clock::time_point> retry_at;
};

struct HeartbeatItem {
  std::string tenant, job_id, lease_id;
  std::optional<int> progress;
  std::optional<std::string> message;
};

struct HeartbeatResult {
  std::string job_id;
  bool applied = false;
  bool cancel_requested = false;
  std::string lease_until;
};

class JobService {
 public:
  JobService(sdk::Host& host, const SchedulerSettings& settings);

  // Registry. Throws JobRefusal kConflict on a duplicate naming both owners, kInvalid on a
  // bad name.
  void registerType(const std::string& owner, const je_job_type_def& def);
  // je.jobs 1.2 register_type_for: the owner is the host's answer for `caller`; the type is
  // recorded with the host (GET /plugins). Returns the ABI status, err filled on failure.
  je_status registerTypeFor(je_host* caller, const je_job_type_def* def, char* err,
                            uint32_t err_cap);
  void forgetType(const std::string& job_type);
  std::optional<JobTypeInfo> type(const std::string& job_type) const;
  std::vector<std::string> inProcessTypes() const;

  // Called after the commit of a change that made jobs claimable now (enqueue, DAG children
  // released, operator retry): wakes the runners (plugin_main.cpp wires it).
  void setWake(std::function<void()> wake) { wake_ = std::move(wake); }
  void wakeRunnersAfterCommit(sdk::Txn& txn) const {
    if (wake_) {
      txn.onCommit(wake_);
    }
  }
  // Called after the commit of a claim that throttled jobs: wakes the leader, whose next round
  // returns them to queued when their nextEligibleAt comes (plugin_main.cpp wires it).
  void setThrottledWake(std::function<void()> wake) { throttled_wake_ = std::move(wake); }
  // Hand-off (docs/queries.md): `room` says how many jobs this replica's runner could start
  // at once (idle workers); `accept` takes the jobs leased to it by an enqueue, after commit.
  struct Handoff {
    std::function<int()> room;
    std::function<void(std::vector<Grant>, int lease_seconds)> accept;
  };
  void setHandoff(Handoff handoff) { handoff_ = std::move(handoff); }
  // je.ratelimit, when a plugin provides it: set in start(), before any claim. From then on
  // every lease goes through its admission (job_admission.cpp).
  void setRateLimit(std::optional<sdk::RateLimit> ratelimit) { ratelimit_ = std::move(ratelimit); }
  bool hasRateLimit() const { return ratelimit_.has_value(); }

  // {"jobs":[...]} or one job object -> {"jobs":[{id, status, created}]}. Throws JobRefusal.
  nlohmann::json enqueue(sdk::Txn& txn, const nlohmann::json& request, const std::string& actor,
                         const std::string& trace_id = "");
  // {jobs:[{key,type,payload,...,dependsOn}], dependencies:[{parent,child}]} -> run + jobs.
  nlohmann::json createRun(sdk::Txn& txn, const nlohmann::json& request, const std::string& actor,
                           const std::string& trace_id = "");

  std::vector<Grant> claim(sdk::Txn& txn, const std::vector<std::string>& types, int max_count,
                           int lease_seconds, const std::string& worker_id);
  // Up to max_count jobs over several lease groups, in group order; the answer holds each
  // group's grants at its index. With je.ratelimit: one limited_types and one settle for all.
  std::vector<std::vector<Grant>> claimGroups(sdk::Txn& txn, const std::vector<LeaseGroup>& groups,
                                              int max_count, const std::string& worker_id);
  // Leases the given queued, eligible jobs ([{tenant_id, job_id}]) to worker_id.
  std::vector<Grant> leaseJobs(sdk::Txn& txn, const nlohmann::json& items, int lease_seconds,
                               const std::string& worker_id);
  std::vector<HeartbeatResult> heartbeat(sdk::Txn& txn, const std::vector<HeartbeatItem>& items,
                                         int lease_seconds, const std::string& actor);
  std::vector<CompletionResult> complete(sdk::Txn& txn, const std::vector<Completion>& items,
                                         const std::string& actor);
  // Cancels jobs (pending/queued/throttled at once, leased/running by request) and cascades to
  // DAG descendants. Returns the number of jobs found non-terminal.
  size_t cancelJobs(sdk::Txn& txn, const std::vector<std::pair<std::string, std::string>>& jobs,
                    const std::string& actor, const std::string& reason);
  // One sweep round under the caller's (system) transaction; returns jobs swept.
  size_t sweepExpired(sdk::Txn& txn, int max_jobs, const std::string& actor);
  void refreshRuns(sdk::Txn& txn, const nlohmann::json& tenant_runs);
  // throttled -> queued for up to max_jobs jobs whose nextEligibleAt passed, under the
  // caller's (system) transaction; wakes the runners after its commit when any came back.
  // Returns how many.
  size_t unthrottleDue(sdk::Txn& txn, int max_jobs, const std::string& actor);
  // When the earliest throttled job becomes eligible (the leader's next round); none: no job is
  // throttled. One probe of the jobs_throttled index.
  std::optional<std::chrono::system_clock::time_point> nextThrottledAt(sdk::Txn& txn) const;
  // je.jobs count_jobs: a tenant's jobs in JE_JOBS_COUNT_* statuses (of one type, or all), at
  // most cap. Throws std::invalid_argument for an unknown `what`.
  int64_t countJobs(sdk::Txn& txn, const std::string& tenant, int32_t what,
                    const std::optional<std::string>& job_type, int64_t cap) const;

  const je_jobs_v1* vtable() const { return &vtable_; }
  const SchedulerSettings& settings() const { return settings_; }
  // The sync DAGs source adapters declared (je.sources, sources_service.hpp).
  SyncDagRegistry& syncDags() { return sync_dags_; }
  const SyncDagRegistry& syncDags() const { return sync_dags_; }
  sdk::Host& host() const { return host_; }

 private:
  // (tenant, job type) -> retries scheduled by one statement.
  using RetryCounts = std::map<std::pair<std::string, std::string>, int>;
  // Counts jobengine_scheduler_retries_scheduled_total after txn commits (a rolled-back
  // completion or sweep scheduled nothing).
  void countRetriesAfterCommit(sdk::Txn& txn, RetryCounts retries) const;

  SyncDagRegistry sync_dags_;
  nlohmann::json jobRecord(const nlohmann::json& job, const std::string& tenant,
                           const std::string& trace_id) const;
  nlohmann::json insertJobs(sdk::Txn& txn, const nlohmann::json& records, const std::string& actor);
  // Leases created in-process jobs to this replica's idle runner inside the enqueue's
  // transaction; returns how many created in-process jobs were left queued.
  int handOff(sdk::Txn& txn, const nlohmann::json& records, const nlohmann::json& inserted);
  // Admission path (job_admission.cpp): asks je.ratelimit about locked candidates, leases the
  // admitted and throttles the rest.
  std::vector<Grant> admitAndLease(sdk::Txn& txn, const std::vector<LeaseCandidate>& candidates,
                                   int lease_seconds, const std::string& worker_id);
  std::vector<std::vector<Grant>> claimWithRateLimit(sdk::Txn& txn,
                                                     const std::vector<LeaseGroup>& groups,
                                                     int max_count, const std::string& worker_id);
  std::vector<Grant> claimAdmitted(sdk::Txn& txn, const std::vector<std::string>& types,
                                   int max_count, int lease_seconds, const std::string& worker_id);
  // Tells je.ratelimit (settle_claim) how many jobs per (tenant, type) a claim leased of the
  // types its reservations covered, so the rest goes back to them.
  void settleCoveredClaim(const nlohmann::json& claim, const std::set<std::string>& covered,
                          const std::vector<std::vector<Grant>>& grants);
  // Load shedding before an enqueue writes (je.ratelimit check_backlog): throws JobRefusal
  // kOverloaded BACKLOG_LIMIT with retryAfterSeconds in its details.
  void refuseOverBacklog(sdk::Txn& txn, const nlohmann::json& records);
  // Hands the outcomes of applied completions to je.ratelimit's breakers after commit.
  void recordOutcomesAfterCommit(sdk::Txn& txn, const std::vector<Completion>& items,
                                 const std::map<std::string, std::string>& type_of);
  std::set<std::pair<std::string, std::string>> pausedSources(
      sdk::Txn& txn, const std::vector<LeaseCandidate>& candidates);
  std::vector<Grant> grantsOf(sdk::Txn& txn, std::string_view sql,
                              const std::vector<sdk::Param>& params);
  // Makes the rest of txn reuse one generic plan per hot batch statement instead of planning
  // it on every call (docs/queries.md, "Generic plans").
  static void useGenericPlans(sdk::Txn& txn);

  sdk::Host& host_;
  SchedulerSettings settings_;
  mutable std::mutex types_mutex_;
  std::map<std::string, JobTypeInfo> types_;
  std::function<void()> wake_;
  std::function<void()> throttled_wake_;
  Handoff handoff_;
  std::optional<sdk::RateLimit> ratelimit_;
  je_jobs_v1 vtable_{};
  sdk::UuidV7Generator event_ids_;  // eventIds of watermark.* / backfill.* (thread-safe)
};

// "{a,b}" text[] literal with every element quoted.
std::string textArray(const std::vector<std::string>& items);

// Appends {tenant_id, run_id} of a returned job row to `runs` (refreshRuns' input) when the
// job belongs to a run (job_runs.cpp).
void appendRun(nlohmann::json& runs, const sdk::Row& row, uint32_t tenant_col, uint32_t run_col);

}  // namespace jobengine::scheduler
