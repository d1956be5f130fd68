// sql.hpp — the scheduler's hot statements, one round trip each, validated on PostgreSQL 15
// (plans and throughput in plugins/scheduler/docs/queries.md).
//
// Parameter conventions (je.store sends every parameter as text; each is cast in the SQL):
//  * Batches of records are ONE jsonb parameter: a JSON array of objects with snake_case keys,
//    decoded with jsonb_to_recordset. Build it with nlohmann::json and dump(); no array-literal
//    escaping. Missing keys read as NULL.
//  * Lists of names are text[] literals ("{a,b}"); plain numbers are their decimal text.
//  * Every job reference carries tenant_id: the primary key is (tenant_id, id), and under the
//    "system" binding RLS adds no tenant predicate, so the statement must.
//  * Every lease-bearing statement is fenced on (lease_id, status in leased/running): a stale
//    or unknown lease changes nothing and comes back as applied = false / kind 'stale'.
//  * Statements run in a transaction bound to "system" (in-process runner, sweeper) or to one
//    tenant (worker bridge, API); RLS keeps the latter to its own rows.
//  * Each transition appends its orch.event.v1 event to the host's outbox in the same statement
//    (one jobengine.append_events_v1 call per statement, abi.h "Host SQL functions"; the host
//    adds who and why and notifies the feeders after commit). The outbox is the job history:
//    there is no scheduler.job_history table.
#pragma once

#include <string_view>

namespace jobengine::scheduler::sql {

// Claim up to N eligible queued jobs of the given types in claim order, lease them, count the
// attempt and record the transition.
// $1 text[] job types, $2 int max jobs, $3 int lease seconds, $4 text worker id (leased_by,
// history actor). Returns the grants in claim order.
extern const std::string_view kClaimBatch;

// kClaimBatch for job types je.ratelimit has no limit on, unless a source is paused (then it
// claims nothing and the caller takes the admission path, which knows paused sources).
extern const std::string_view kClaimBatchUnlessPaused;

// Admission path (ratelimit present), step 1: lock candidates without changing them.
// $1 text[] job types, $2 int max jobs. Returns tenant_id, id, job_type, source_id, priority,
// row_id (the locked version's ctid, for kLeaseByRowId).
extern const std::string_view kLockCandidates;

// Which of the given sources are paused (admission path). $1 jsonb [{tenant_id, source_id}].
// Returns tenant_id, id.
extern const std::string_view kPausedSources;

// Leases named jobs: the admission path's step 2 (the admitted subset of the locked
// candidates) and the enqueue hand-off to this replica's runner (job_service.cpp handOff).
// $1 jsonb [{tenant_id, job_id}], $2 int lease seconds, $3 text worker id. Same result
// columns as kClaimBatch; jobs no longer queued, or not eligible yet, are skipped.
extern const std::string_view kLeaseLocked;

// Admission path, step 2 for claims: leases the admitted candidates by the ctid kLockCandidates
// returned. $1 tid[], $2 int lease seconds, $3 text worker id. Same result as kClaimBatch.
extern const std::string_view kLeaseByRowId;

// Admission path, step 3 (or any throttling): queued -> throttled.
// $1 jsonb [{tenant_id, job_id, reason, next_eligible_at}], $2 text actor.
// Returns tenant_id, job_id, reason, next_eligible_at, attempt.
extern const std::string_view kThrottleBatch;

// How many of a tenant's jobs are active (leased, running), waiting (queued, throttled) or
// throttled, at most $3 (je.jobs count_jobs, for the ratelimit plugin). $1 text tenant, $2 text
// job type (NULL: every type), $3 int cap. Returns one row: the count.
extern const std::string_view kCountActive;
extern const std::string_view kCountBacklog;
extern const std::string_view kCountThrottled;

// throttled -> queued for jobs whose next_eligible_at passed. $1 int max jobs, $2 text actor.
extern const std::string_view kUnthrottleDue;

// Heartbeats (one or many): renew leases, record progress, leased -> running on the first
// (job.started). A heartbeat that reports progress or a message also emits job.progress; a
// bare lease renewal emits nothing.
// $1 jsonb [{tenant_id, job_id, lease_id, progress, message}], $2 int lease seconds,
// $3 text actor. One row per input: job_id, applied, started, cancel_requested, lease_until,
// attempt. lease_until never passes started_at + timeout_seconds.
extern const std::string_view kHeartbeatBatch;

// Completions (one or many), fenced, with the outcome already decided by the caller (backoff,
// retry budget, dead-letter verdict: see backoff.hpp / error_classifier.hpp). Also releases DAG
// children whose parents all succeeded and cancels the descendants of failed / timed-out /
// canceled jobs (reason upstream_failed), all in the same statement.
// $1 jsonb [{tenant_id, job_id, lease_id, status, reason, error, next_eligible_at, data,
//            dead_letter_id, error_class, fingerprint}]
//    status: succeeded | failed | timed_out | canceled | queued (= retry at next_eligible_at)
//    dead_letter_id (+ error_class, fingerprint): set for final failed / timed_out outcomes
// $2 text actor.
// Returns rows (kind, tenant_id, job_id, run_id, job_type, from_status, to_status, reason,
// attempt, lease_id) where kind is 'completed', 'stale' (fenced out; only job_id and
// tenant_id set), 'released' (pending -> queued child) or 'canceled' (upstream_failed).
extern const std::string_view kCompleteBatch;

// Needed before kCompleteBatch when an outcome is not success: the retry inputs, fenced.
// $1 jsonb [{tenant_id, job_id, lease_id}]. Returns tenant_id, id, attempts, max_attempts,
// backoff_base_ms, backoff_factor, backoff_cap_ms, cancel_requested, job_type, run_id.
extern const std::string_view kLockForCompletion;

// Expired leases: back to queued (attempt already counted), or timed_out when the attempts are
// used up (dead-lettered), or canceled when cancellation was requested. Batched, SKIP LOCKED
// so several sweepers never block each other.
// $1 int max jobs, $2 text actor, $3 text fingerprint of the lease-expired error
// (errorFingerprint("LEASE_EXPIRED", "lease expired")). Returns (kind 'swept', tenant_id,
// job_id, run_id, job_type, from_status, to_status, reason, attempt, lease_id).
extern const std::string_view kSweepExpired;

// Cancel jobs (operator / run cancel): pending|queued|throttled -> canceled at once;
// leased|running only get cancel_requested (told at the next heartbeat, SPEC §2). Idempotent.
// $1 jsonb [{tenant_id, job_id}], $2 text actor, $3 text reason.
// Returns tenant_id, job_id, run_id, job_type, from_status, to_status (NULL when only
// requested), attempt.
extern const std::string_view kCancelJobs;

// Cascade: cancel every pending descendant of the given jobs (recursive over dag_edges).
// $1 jsonb [{tenant_id, job_id}], $2 text actor. Returns tenant_id, job_id, run_id, job_type,
// attempt.
extern const std::string_view kCascadeCancel;

// Enqueue a batch (idempotent on (tenant_id, idempotency_key)).
// $1 jsonb [{id, tenant_id, project_id, run_id, source_id, job_key, job_type, status
//            (pending|queued), priority, max_attempts, parents_pending, next_eligible_at,
//            payload, payload_digest, correlation_id, idempotency_key, replay_of, trace_id,
//            backoff_base_ms, backoff_factor, backoff_cap_ms, timeout_seconds}]
// $2 text actor. Returns, in input order: ord, requested_id, id (existing job on an
// idempotent repeat; NULL if a concurrent insert of the same key is not yet committed),
// created, status.
extern const std::string_view kEnqueueBatch;

// DAG edges of a run. $1 jsonb [{tenant_id, run_id, parent_id, child_id}].
extern const std::string_view kInsertEdges;

// Locks the runs (in a total order) before kRefreshRuns, so the refresh statement's snapshot
// sees every completion committed before it: two completions of one run never both miss the
// other. $1 jsonb [{tenant_id, run_id}].
extern const std::string_view kLockRuns;

// Recompute and store the status of runs from their jobs; emits run.succeeded / run.failed /
// run.canceled when a run becomes terminal (the actor is the transaction's: the host's). $1
// jsonb [{tenant_id, run_id}].
// Returns tenant_id, run_id, status, source_id, window_scope, backfill_id of the runs that
// changed (the last three let the caller move watermarks and end backfills only when a
// windowed run became terminal).
extern const std::string_view kRefreshRuns;

// Operator retry of a failed / timed_out job: back to queued with one more attempt allowed.
// $1 tenant, $2 job id, $3 actor, $4 operator reason. Returns scheduler.job_json of the job.
extern const std::string_view kOperatorRetry;

// Artifacts of jobs. $1 jsonb [{tenant_id, job_id, uri, digest, media_type, size_bytes}].
extern const std::string_view kInsertArtifacts;

}  // namespace jobengine::scheduler::sql
