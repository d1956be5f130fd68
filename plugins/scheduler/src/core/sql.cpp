// sql.cpp — the text of the statements declared in sql.hpp. Kept in a .cpp so the SQL is
// compiled once and the header stays readable; see docs/queries.md for the reasoning.
//
// Every transition statement ends with the same two CTEs (JE_SCHED_EVENTS): `ev_src` (one row
// per event, built by the statement) feeds ONE call of the host's jobengine.append_events_v1,
// so a batch of n transitions costs one round trip, not n. The outbox row is the job history
// (no separate history table). The only host objects named here are the declared ones (abi.h,
// "Host SQL functions"); tests/contract fails on any other.
#include "core/sql.hpp"

namespace jobengine::scheduler::sql {

namespace {

// The grant columns returned by both claim paths (alias g = the updated job row).
#define JE_SCHED_GRANT_COLUMNS                                                                  \
  "g.tenant_id, g.id, g.project_id, g.run_id, g.source_id, g.job_type, g.job_key, "             \
  "g.attempts AS attempt, g.max_attempts, g.lease_id, scheduler.ts(g.lease_until) AS "          \
  "lease_until, g.priority, g.payload, g.payload_digest, g.idempotency_key, g.correlation_id, " \
  "g.trace_id, g.timeout_seconds, g.created_at, g.next_eligible_at, g.cancel_requested"

// ev_src columns: tenant_id, job_id, project_id, run_id, source_id, job_type, from_status,
// to_status, reason, attempt, lease_id, payload_digest, actor, event_type, data. They become
// one jobengine.event_input_v1 each and go to the outbox in ONE call of the host's
// jobengine.append_events_v1 (abi.h, "Host SQL functions"; migrations/host/0006), which
// reserves the seqs, stamps the time and adds who and why from the transaction (the request's
// actor, or system:scheduler). The job fields go to the outbox's typed columns and only `data`
// into the body; readers get the whole envelope back through the host. ev_src's `actor` is
// no longer written: the host owns the actor (the worker id stays in job.leased's data).
// No pg_notify here: the host wakes every replica's feeder after the commit (its
// EventNotifier), because a NOTIFY inside the transaction serializes all such commits on
// PostgreSQL's notify-queue lock. An empty ev_src appends nothing (the function returns 0).
//
// `ev` is a plain SELECT, which PostgreSQL evaluates only when the statement reads it (unlike
// the INSERT it replaces, which always ran): every statement's final SELECT therefore carries
// JE_SCHED_EVENTS_APPENDED, a condition on ev that no row depends on, evaluated once before
// the first row (a one-time filter), so the events are written whether or not rows follow.
#define JE_SCHED_EVENTS                                                                           \
  ", ev AS (SELECT jobengine.append_events_v1(array_agg(ROW(e.tenant_id, e.event_type, "          \
  "e.project_id, e.run_id, e.job_id, e.source_id::text, e.job_type, e.to_status, e.from_status, " \
  "e.reason, e.attempt::int, e.lease_id, e.payload_digest, "                                      \
  "CASE WHEN e.data IS NULL THEN '{\"data\": {}}'::json "                                         \
  "ELSE json_build_object('data', e.data) END)::jobengine.event_input_v1)) AS appended "          \
  "FROM ev_src e) "

#define JE_SCHED_EVENTS_APPENDED " (SELECT ev.appended FROM ev) IS NOT NULL "

// The tail of every leasing statement (CTE g = the leased rows): one job.leased event each,
// appended in the statement, and the grant columns in claim order. `worker` is the worker-id
// parameter ("$3" or "$4").
#define JE_SCHED_LEASED(worker)                                                              \
  "), ev_src AS ( SELECT g.tenant_id, g.id AS job_id, g.project_id, g.run_id, g.source_id, " \
  "g.job_type, 'queued'::text AS from_status, 'leased'::text AS to_status, NULL::text AS "   \
  "reason, g.attempts AS attempt, g.lease_id, g.payload_digest, " worker                     \
  "::text AS actor, "                                                                        \
  "'job.leased'::text AS event_type, jsonb_build_object('workerId', " worker                 \
  "::text, "                                                                                 \
  "'leaseUntil', scheduler.ts(g.lease_until)) AS data FROM g)" JE_SCHED_EVENTS               \
  "SELECT " JE_SCHED_GRANT_COLUMNS " FROM g WHERE" JE_SCHED_EVENTS_APPENDED                  \
  "ORDER BY g.priority DESC, g.next_eligible_at, g.id"

}  // namespace

const std::string_view kClaimBatch = R"SQL(
WITH g AS (
  -- per-type ordered scans, FOR UPDATE SKIP LOCKED, then the lease UPDATE with a pinned plan
  -- (migrations/scheduler/0002_claim_by_type.sql)
  SELECT * FROM scheduler.claim_jobs($1::text[], $2::int, $3::int, $4::text)
)SQL" JE_SCHED_LEASED("$4");

const std::string_view kClaimBatchUnlessPaused = R"SQL(
WITH g AS (
  -- The same claim, gated: while any source is paused it claims nothing (the one-time filter
  -- keeps claim_jobs from running at all) and the caller takes the admission path.
  SELECT * FROM scheduler.claim_jobs($1::text[], $2::int, $3::int, $4::text)
  WHERE NOT EXISTS (SELECT 1 FROM scheduler.sources s WHERE s.paused)
)SQL" JE_SCHED_LEASED("$4");

const std::string_view kLockCandidates = R"SQL(
SELECT c.tenant_id, c.id, c.job_type, c.source_id, c.priority, c.row_id
FROM scheduler.claim_candidates($1::text[], $2::int) c
ORDER BY c.priority DESC, c.next_eligible_at, c.id
)SQL";

const std::string_view kPausedSources = R"SQL(
SELECT s.tenant_id, s.id::text
FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, source_id uuid)
JOIN scheduler.sources s ON s.tenant_id = x.tenant_id AND s.id = x.source_id
WHERE s.paused
)SQL";

const std::string_view kLeaseLocked = R"SQL(
WITH input AS (
  SELECT x.tenant_id, x.job_id
  FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, job_id uuid)
), g AS (
  UPDATE scheduler.jobs j
  SET status = 'leased', reason = NULL, lease_id = scheduler.uuid_v7(),
      lease_until = now() + make_interval(secs => $2::int), leased_by = $3::text,
      attempts = j.attempts + 1, progress = NULL, progress_message = NULL, updated_at = now()
  FROM input i
  WHERE j.tenant_id = i.tenant_id AND j.id = i.job_id AND j.status = 'queued'
    AND j.next_eligible_at <= now()
  RETURNING j.*
)SQL" JE_SCHED_LEASED("$3");

const std::string_view kLeaseByRowId = R"SQL(
WITH g AS (
  -- A TID scan whatever the statistics say (as scheduler.claim_jobs): the rows were locked by
  -- kLockCandidates in this transaction, so their ctid cannot have moved.
  UPDATE scheduler.jobs j
  SET status = 'leased', reason = NULL, lease_id = scheduler.uuid_v7(),
      lease_until = now() + make_interval(secs => $2::int), leased_by = $3::text,
      attempts = j.attempts + 1, progress = NULL, progress_message = NULL, updated_at = now()
  WHERE j.ctid = ANY ($1::tid[]) AND j.status = 'queued'
  RETURNING j.*
)SQL" JE_SCHED_LEASED("$3");

const std::string_view kThrottleBatch = R"SQL(
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(tenant_id text, job_id uuid, reason text, next_eligible_at timestamptz)
), t AS (
  UPDATE scheduler.jobs j
  SET status = 'throttled', reason = i.reason,
      next_eligible_at = COALESCE(i.next_eligible_at, now()), updated_at = now()
  FROM input i
  WHERE j.tenant_id = i.tenant_id AND j.id = i.job_id AND j.status = 'queued'
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.reason,
            j.next_eligible_at, j.attempts, j.payload_digest
), ev_src AS (
  SELECT t.tenant_id, t.id AS job_id, t.project_id, t.run_id, t.source_id, t.job_type,
         'queued'::text AS from_status, 'throttled'::text AS to_status, t.reason,
         t.attempts AS attempt, NULL::uuid AS lease_id, t.payload_digest, $2::text AS actor,
         'job.throttled'::text AS event_type,
         jsonb_build_object('nextEligibleAt', scheduler.ts(t.next_eligible_at)) AS data
  FROM t
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT t.tenant_id, t.id AS job_id, t.reason, t.next_eligible_at, t.attempts AS attempt FROM t
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
)SQL";

// The statuses are literals, not a parameter: under generic plans a `status = ANY ($n)` cannot
// be matched to the partial indexes (jobs_inflight, jobs_claim_by_type, jobs_throttled), and
// the count became a scan of the whole table (8 ms at 60k jobs, on every admission).
#define JE_SCHED_COUNT_JOBS(statuses)                                                  \
  "SELECT count(*) FROM (SELECT 1 FROM scheduler.jobs j WHERE j.tenant_id = $1::text " \
  "AND j.status IN " statuses                                                          \
  " AND ($2::text IS NULL OR j.job_type = $2::text) "                                  \
  "LIMIT $3::int) c"

const std::string_view kCountActive = JE_SCHED_COUNT_JOBS("('leased', 'running')");
const std::string_view kCountBacklog = JE_SCHED_COUNT_JOBS("('queued', 'throttled')");
const std::string_view kCountThrottled = JE_SCHED_COUNT_JOBS("('throttled')");

const std::string_view kUnthrottleDue = R"SQL(
WITH due AS (
  SELECT j.tenant_id, j.id
  FROM scheduler.jobs j
  WHERE j.status = 'throttled' AND j.next_eligible_at <= now()
  ORDER BY j.next_eligible_at
  LIMIT $1::int
  FOR UPDATE SKIP LOCKED
), q AS (
  UPDATE scheduler.jobs j
  SET status = 'queued', reason = NULL, updated_at = now()
  FROM due d
  WHERE j.tenant_id = d.tenant_id AND j.id = d.id
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.attempts,
            j.payload_digest
), ev_src AS (
  SELECT q.tenant_id, q.id AS job_id, q.project_id, q.run_id, q.source_id, q.job_type,
         'throttled'::text AS from_status, 'queued'::text AS to_status,
         'unthrottled'::text AS reason, q.attempts AS attempt, NULL::uuid AS lease_id,
         q.payload_digest, $2::text AS actor, 'job.queued'::text AS event_type,
         NULL::jsonb AS data
  FROM q
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT q.tenant_id, q.id AS job_id, q.run_id, q.job_type, q.attempts AS attempt FROM q
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
)SQL";

const std::string_view kHeartbeatBatch = R"SQL(
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(tenant_id text, job_id uuid, lease_id uuid, progress smallint, message text)
), locked AS (
  SELECT j.tenant_id, j.id, j.status AS from_status, i.progress, i.message
  FROM input i
  -- One keyed lookup per reported lease, whatever the statistics say. A plain join let the
  -- planner, which believed few jobs in flight (statistics taken before the leases), scan the
  -- whole in-flight index once and rescan the input for every in-flight job: O(in flight x
  -- batch), 24 ms for a completion of 200 with 200 in flight, growing with runner capacity.
  -- OFFSET 0 keeps the subquery from being flattened back into that join.
  CROSS JOIN LATERAL (
    SELECT j.tenant_id, j.id, j.status FROM scheduler.jobs j
    WHERE j.tenant_id = i.tenant_id AND j.id = i.job_id AND j.lease_id = i.lease_id
      AND j.status IN ('leased', 'running')
    OFFSET 0) j
  FOR UPDATE OF j
), hb AS (
  UPDATE scheduler.jobs j
  SET status = 'running',
      started_at = COALESCE(j.started_at, now()),
      lease_until = LEAST(now() + make_interval(secs => $2::int),
                          COALESCE(j.started_at, now())
                            + make_interval(secs => COALESCE(j.timeout_seconds, 2147483647))),
      progress = COALESCE(i.progress, j.progress),
      progress_message = COALESCE(i.message, j.progress_message),
      updated_at = now()
  FROM locked i
  WHERE j.tenant_id = i.tenant_id AND j.id = i.id
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, i.from_status,
            j.lease_until, j.cancel_requested, j.attempts, j.lease_id, j.payload_digest,
            i.progress AS reported_progress, i.message AS reported_message
), ev_src AS (
  SELECT hb.tenant_id, hb.id AS job_id, hb.project_id, hb.run_id, hb.source_id, hb.job_type,
         'leased'::text AS from_status, 'running'::text AS to_status, NULL::text AS reason,
         hb.attempts AS attempt, hb.lease_id, hb.payload_digest, $3::text AS actor,
         'job.started'::text AS event_type, NULL::jsonb AS data
  FROM hb WHERE hb.from_status = 'leased'
  UNION ALL
  SELECT hb.tenant_id, hb.id, hb.project_id, hb.run_id, hb.source_id, hb.job_type, 'running',
         'running', NULL, hb.attempts, hb.lease_id, hb.payload_digest, $3::text, 'job.progress',
         jsonb_build_object('progress', hb.reported_progress, 'message', hb.reported_message)
  FROM hb WHERE hb.reported_progress IS NOT NULL OR hb.reported_message IS NOT NULL
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT i.job_id, hb.id IS NOT NULL AS applied,
       COALESCE(hb.from_status = 'leased', false) AS started,
       COALESCE(hb.cancel_requested, false) AS cancel_requested,
       scheduler.ts(hb.lease_until) AS lease_until, hb.attempts AS attempt, hb.run_id
FROM input i
LEFT JOIN hb ON hb.tenant_id = i.tenant_id AND hb.id = i.job_id
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
)SQL";

const std::string_view kLockForCompletion = R"SQL(
SELECT j.tenant_id, j.id, j.attempts, j.max_attempts, j.backoff_base_ms, j.backoff_factor,
       j.backoff_cap_ms, j.cancel_requested, j.job_type, j.run_id
FROM jsonb_to_recordset($1::jsonb) AS i(tenant_id text, job_id uuid, lease_id uuid)
CROSS JOIN LATERAL (
  -- one keyed lookup per reported lease (see kHeartbeatBatch)
  SELECT j.tenant_id, j.id, j.attempts, j.max_attempts, j.backoff_base_ms, j.backoff_factor,
         j.backoff_cap_ms, j.cancel_requested, j.job_type, j.run_id
  FROM scheduler.jobs j
  WHERE j.tenant_id = i.tenant_id AND j.id = i.job_id AND j.lease_id = i.lease_id
    AND j.status IN ('leased', 'running')
  OFFSET 0) j
FOR UPDATE OF j
)SQL";

const std::string_view kCompleteBatch = R"SQL(
WITH RECURSIVE input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(tenant_id text, job_id uuid, lease_id uuid, status text, reason text, error jsonb,
         next_eligible_at timestamptz, data jsonb, dead_letter_id uuid, error_class text,
         fingerprint text)
  WHERE x.status IN ('succeeded', 'failed', 'timed_out', 'canceled', 'queued')
), locked AS (
  SELECT j.tenant_id, j.id, j.status AS from_status, i.lease_id, i.status AS new_status, i.reason,
         i.error, i.next_eligible_at, i.data, i.dead_letter_id, i.error_class, i.fingerprint
  FROM input i
  CROSS JOIN LATERAL (
    -- one keyed lookup per reported lease (see kHeartbeatBatch)
    SELECT j.tenant_id, j.id, j.status FROM scheduler.jobs j
    WHERE j.tenant_id = i.tenant_id AND j.id = i.job_id AND j.lease_id = i.lease_id
      AND j.status IN ('leased', 'running')
    OFFSET 0) j
  FOR UPDATE OF j
), done AS (
  UPDATE scheduler.jobs j
  SET status = i.new_status, reason = i.reason,
      next_eligible_at = CASE WHEN i.new_status = 'queued' THEN COALESCE(i.next_eligible_at, now())
                              ELSE j.next_eligible_at END,
      lease_id = NULL, lease_until = NULL, leased_by = NULL,
      last_error = COALESCE(i.error, j.last_error),
      progress = CASE WHEN i.new_status = 'succeeded' THEN 100 ELSE j.progress END,
      finished_at = CASE WHEN i.new_status = 'queued' THEN NULL ELSE now() END,
      updated_at = now()
  FROM locked i
  WHERE j.tenant_id = i.tenant_id AND j.id = i.id
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.status,
            j.reason, j.attempts, j.payload_digest, j.last_error, i.from_status, i.lease_id,
            i.dead_letter_id, i.error_class, i.fingerprint, i.data
), dl AS (
  INSERT INTO scheduler.dead_letters (tenant_id, id, job_id, run_id, source_id, job_type,
                                      attempts, final_status, error_class, fingerprint,
                                      error_code, last_error, payload_digest)
  SELECT d.tenant_id, d.dead_letter_id, d.id, d.run_id, d.source_id, d.job_type, d.attempts,
         d.status, COALESCE(d.error_class, 'unknown'), d.fingerprint,
         d.last_error ->> 'code', d.last_error, d.payload_digest
  FROM done d
  WHERE d.dead_letter_id IS NOT NULL AND d.status IN ('failed', 'timed_out')
), doomed (tenant_id, id) AS (
  SELECT e.tenant_id, e.child_id
  FROM scheduler.dag_edges e
  JOIN done d ON e.tenant_id = d.tenant_id AND e.parent_id = d.id
  WHERE d.run_id IS NOT NULL AND d.status IN ('failed', 'timed_out', 'canceled')
  UNION
  SELECT e.tenant_id, e.child_id
  FROM scheduler.dag_edges e
  JOIN doomed x ON e.tenant_id = x.tenant_id AND e.parent_id = x.id
), canceled AS (
  UPDATE scheduler.jobs c
  SET status = 'canceled', reason = 'upstream_failed', finished_at = now(), updated_at = now()
  FROM doomed x
  WHERE c.tenant_id = x.tenant_id AND c.id = x.id AND c.status = 'pending'
  RETURNING c.tenant_id, c.id, c.project_id, c.run_id, c.source_id, c.job_type, c.attempts,
            c.payload_digest
), released AS (
  UPDATE scheduler.jobs c
  SET parents_pending = c.parents_pending - e.n,
      status = CASE WHEN c.parents_pending = e.n THEN 'queued' ELSE c.status END,
      next_eligible_at = CASE WHEN c.parents_pending = e.n THEN now() ELSE c.next_eligible_at END,
      updated_at = now()
  FROM (SELECT de.tenant_id, de.child_id, count(*)::int AS n
        FROM scheduler.dag_edges de
        JOIN done d ON de.tenant_id = d.tenant_id AND de.parent_id = d.id
        WHERE d.run_id IS NOT NULL AND d.status = 'succeeded'
        GROUP BY de.tenant_id, de.child_id) e
  WHERE c.tenant_id = e.tenant_id AND c.id = e.child_id AND c.status = 'pending'
    AND NOT EXISTS (SELECT 1 FROM doomed x WHERE x.tenant_id = e.tenant_id AND x.id = e.child_id)
  RETURNING c.tenant_id, c.id, c.project_id, c.run_id, c.source_id, c.job_type, c.status,
            c.attempts, c.payload_digest
), ev_src AS (
  SELECT d.tenant_id, d.id AS job_id, d.project_id, d.run_id, d.source_id, d.job_type,
         d.from_status, d.status AS to_status, d.reason, d.attempts AS attempt, d.lease_id,
         d.payload_digest, $2::text AS actor,
         CASE WHEN d.status = 'queued' THEN 'job.retry_scheduled' ELSE 'job.' || d.status END
           AS event_type,
         -- a clean success carries no data: the body is then a constant, nothing is built
         CASE WHEN d.data IS NULL AND d.last_error IS NULL THEN NULL
              ELSE COALESCE(d.data, '{}'::jsonb) || jsonb_build_object('error', d.last_error)
         END AS data
  FROM done d
  UNION ALL
  SELECT d.tenant_id, d.id, d.project_id, d.run_id, d.source_id, d.job_type, d.from_status,
         d.status, d.reason, d.attempts, d.lease_id, d.payload_digest, $2::text,
         'job.dead_lettered',
         jsonb_build_object('deadLetterId', d.dead_letter_id, 'errorClass',
                            COALESCE(d.error_class, 'unknown'), 'fingerprint', d.fingerprint,
                            'error', d.last_error)
  FROM done d
  WHERE d.dead_letter_id IS NOT NULL AND d.status IN ('failed', 'timed_out')
  UNION ALL
  SELECT r.tenant_id, r.id, r.project_id, r.run_id, r.source_id, r.job_type, 'pending', 'queued',
         'parents_succeeded', r.attempts, NULL::uuid, r.payload_digest, $2::text, 'job.queued',
         NULL::jsonb
  FROM released r WHERE r.status = 'queued'
  UNION ALL
  SELECT c.tenant_id, c.id, c.project_id, c.run_id, c.source_id, c.job_type, 'pending',
         'canceled', 'upstream_failed', c.attempts, NULL::uuid, c.payload_digest, $2::text,
         'job.canceled', NULL::jsonb
  FROM canceled c
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT 'completed' AS kind, d.tenant_id, d.id AS job_id, d.run_id, d.job_type, d.from_status,
       d.status AS to_status, d.reason, d.attempts AS attempt, d.lease_id
FROM done d
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
UNION ALL
SELECT 'stale', i.tenant_id, i.job_id, NULL, NULL, NULL, NULL, NULL, NULL, i.lease_id
FROM input i
WHERE NOT EXISTS (SELECT 1 FROM done d WHERE d.tenant_id = i.tenant_id AND d.id = i.job_id)
UNION ALL
SELECT 'released', r.tenant_id, r.id, r.run_id, r.job_type, 'pending', 'queued',
       'parents_succeeded', r.attempts, NULL
FROM released r WHERE r.status = 'queued'
UNION ALL
SELECT 'canceled', c.tenant_id, c.id, c.run_id, c.job_type, 'pending', 'canceled',
       'upstream_failed', c.attempts, NULL
FROM canceled c
)SQL";

const std::string_view kSweepExpired = R"SQL(
WITH expired AS (
  SELECT j.tenant_id, j.id, j.status AS from_status, j.lease_id AS old_lease_id
  FROM scheduler.jobs j
  WHERE j.status IN ('leased', 'running') AND j.lease_until < now()
  ORDER BY j.lease_until
  LIMIT $1::int
  FOR UPDATE SKIP LOCKED
), swept AS (
  UPDATE scheduler.jobs j
  SET status = CASE WHEN j.cancel_requested THEN 'canceled'
                    WHEN j.attempts >= j.max_attempts THEN 'timed_out'
                    ELSE 'queued' END,
      reason = CASE WHEN j.cancel_requested THEN 'cancel_requested' ELSE 'lease_expired' END,
      next_eligible_at = now(),
      lease_id = NULL, lease_until = NULL, leased_by = NULL,
      finished_at = CASE WHEN j.cancel_requested OR j.attempts >= j.max_attempts THEN now()
                         ELSE NULL END,
      last_error = CASE WHEN j.cancel_requested THEN j.last_error
                        ELSE jsonb_build_object('code', 'LEASE_EXPIRED',
                                                'message', 'lease expired',
                                                'retryable', true, 'class', 'transient',
                                                'fingerprint', $3::text) END,
      updated_at = now()
  FROM expired e
  WHERE j.tenant_id = e.tenant_id AND j.id = e.id
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.status,
            j.reason, j.attempts, j.payload_digest, j.last_error, e.from_status, e.old_lease_id,
            scheduler.uuid_v7() AS dead_letter_id
), dl AS (
  INSERT INTO scheduler.dead_letters (tenant_id, id, job_id, run_id, source_id, job_type,
                                      attempts, final_status, error_class, fingerprint,
                                      error_code, last_error, payload_digest)
  SELECT s.tenant_id, s.dead_letter_id, s.id, s.run_id, s.source_id, s.job_type,
         s.attempts, 'timed_out', 'transient', $3::text, 'LEASE_EXPIRED', s.last_error,
         s.payload_digest
  FROM swept s WHERE s.status = 'timed_out'
), ev_src AS (
  SELECT s.tenant_id, s.id AS job_id, s.project_id, s.run_id, s.source_id, s.job_type,
         s.from_status, s.status AS to_status, s.reason, s.attempts AS attempt,
         s.old_lease_id AS lease_id, s.payload_digest, $2::text AS actor,
         CASE s.status WHEN 'queued' THEN 'job.lease_expired' ELSE 'job.' || s.status END
           AS event_type,
         jsonb_build_object('error', s.last_error) AS data
  FROM swept s
  UNION ALL
  SELECT s.tenant_id, s.id, s.project_id, s.run_id, s.source_id, s.job_type, s.from_status,
         s.status, s.reason, s.attempts, s.old_lease_id, s.payload_digest, $2::text,
         'job.dead_lettered',
         jsonb_build_object('deadLetterId', s.dead_letter_id, 'errorClass', 'transient',
                            'fingerprint', $3::text, 'error', s.last_error)
  FROM swept s WHERE s.status = 'timed_out'
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT 'swept' AS kind, s.tenant_id, s.id AS job_id, s.run_id, s.job_type, s.from_status,
       s.status AS to_status, s.reason, s.attempts AS attempt, s.old_lease_id AS lease_id
FROM swept s
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
)SQL";

const std::string_view kCancelJobs = R"SQL(
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, job_id uuid)
), locked AS (
  SELECT j.tenant_id, j.id, j.status AS from_status
  FROM scheduler.jobs j
  JOIN input i ON j.tenant_id = i.tenant_id AND j.id = i.job_id
  WHERE j.status IN ('pending', 'queued', 'throttled', 'leased', 'running')
  FOR UPDATE OF j
), c AS (
  UPDATE scheduler.jobs j
  SET status = CASE WHEN l.from_status IN ('leased', 'running') THEN j.status
                    ELSE 'canceled' END,
      reason = CASE WHEN l.from_status IN ('leased', 'running') THEN j.reason
                    ELSE $3::text END,
      cancel_requested = true,
      finished_at = CASE WHEN l.from_status IN ('leased', 'running') THEN NULL ELSE now() END,
      updated_at = now()
  FROM locked l
  WHERE j.tenant_id = l.tenant_id AND j.id = l.id
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, l.from_status,
            j.status, j.attempts, j.payload_digest
), ev_src AS (
  SELECT c.tenant_id, c.id AS job_id, c.project_id, c.run_id, c.source_id, c.job_type,
         c.from_status, 'canceled'::text AS to_status, $3::text AS reason,
         c.attempts AS attempt, NULL::uuid AS lease_id, c.payload_digest, $2::text AS actor,
         'job.canceled'::text AS event_type, NULL::jsonb AS data
  FROM c WHERE c.status = 'canceled'
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT c.tenant_id, c.id AS job_id, c.run_id, c.job_type, c.from_status,
       CASE WHEN c.status = 'canceled' THEN 'canceled' END AS to_status, c.attempts AS attempt
FROM c
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
)SQL";

const std::string_view kCascadeCancel = R"SQL(
WITH RECURSIVE doomed (tenant_id, id) AS (
  SELECT e.tenant_id, e.child_id
  FROM scheduler.dag_edges e
  JOIN jsonb_to_recordset($1::jsonb) AS i(tenant_id text, job_id uuid)
    ON e.tenant_id = i.tenant_id AND e.parent_id = i.job_id
  UNION
  SELECT e.tenant_id, e.child_id
  FROM scheduler.dag_edges e
  JOIN doomed x ON e.tenant_id = x.tenant_id AND e.parent_id = x.id
), c AS (
  UPDATE scheduler.jobs j
  SET status = 'canceled', reason = 'upstream_failed', finished_at = now(), updated_at = now()
  FROM doomed x
  WHERE j.tenant_id = x.tenant_id AND j.id = x.id AND j.status = 'pending'
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.attempts,
            j.payload_digest
), ev_src AS (
  SELECT c.tenant_id, c.id AS job_id, c.project_id, c.run_id, c.source_id, c.job_type,
         'pending'::text AS from_status, 'canceled'::text AS to_status,
         'upstream_failed'::text AS reason, c.attempts AS attempt, NULL::uuid AS lease_id,
         c.payload_digest, $2::text AS actor, 'job.canceled'::text AS event_type,
         NULL::jsonb AS data
  FROM c
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT c.tenant_id, c.id AS job_id, c.run_id, c.job_type, c.attempts AS attempt FROM c
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
)SQL";

const std::string_view kEnqueueBatch = R"SQL(
WITH input AS (
  SELECT *
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
    AS (id uuid, tenant_id text, project_id text, run_id uuid, source_id uuid, job_key text,
        job_type text, status text, priority smallint, max_attempts int, parents_pending int,
        next_eligible_at timestamptz, payload jsonb, payload_digest text,
        correlation_id text, idempotency_key text, replay_of uuid, trace_id text,
        backoff_base_ms int, backoff_factor real, backoff_cap_ms int, timeout_seconds int))
    WITH ORDINALITY AS x(id, tenant_id, project_id, run_id, source_id, job_key, job_type,
                         status, priority, max_attempts, parents_pending, next_eligible_at,
                         payload, payload_digest, correlation_id, idempotency_key, replay_of,
                         trace_id, backoff_base_ms, backoff_factor, backoff_cap_ms,
                         timeout_seconds, ord)
), ins AS (
  INSERT INTO scheduler.jobs (tenant_id, id, project_id, run_id, source_id, job_key, job_type,
                              status, priority, max_attempts, parents_pending, next_eligible_at,
                              payload, payload_digest, correlation_id, idempotency_key,
                              replay_of, trace_id, backoff_base_ms, backoff_factor,
                              backoff_cap_ms, timeout_seconds)
  SELECT i.tenant_id, i.id, i.project_id, i.run_id, i.source_id, i.job_key, i.job_type,
         COALESCE(i.status, 'queued'), COALESCE(i.priority, 5), COALESCE(i.max_attempts, 5),
         COALESCE(i.parents_pending, 0), COALESCE(i.next_eligible_at, now()),
         COALESCE(i.payload, '{}'::jsonb), i.payload_digest, i.correlation_id,
         i.idempotency_key, i.replay_of, i.trace_id, i.backoff_base_ms, i.backoff_factor,
         i.backoff_cap_ms, i.timeout_seconds
  FROM input i
  WHERE COALESCE(i.status, 'queued') IN ('pending', 'queued')
  ORDER BY i.ord
  ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING tenant_id, id, project_id, run_id, source_id, job_type, status, payload_digest,
            replay_of, priority
), ev_src AS (
  SELECT ins.tenant_id, ins.id AS job_id, ins.project_id, ins.run_id, ins.source_id,
         ins.job_type, NULL::text AS from_status, ins.status AS to_status,
         'created'::text AS reason, 0 AS attempt, NULL::uuid AS lease_id, ins.payload_digest,
         $2::text AS actor, 'job.created'::text AS event_type,
         jsonb_build_object('priority', ins.priority) AS data
  FROM ins
  UNION ALL
  SELECT ins.tenant_id, ins.id, ins.project_id, ins.run_id, ins.source_id, ins.job_type, NULL,
         ins.status, 'replay', 0, NULL::uuid, ins.payload_digest, $2::text, 'job.replayed',
         jsonb_build_object('replayOf', ins.replay_of)
  FROM ins WHERE ins.replay_of IS NOT NULL
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT i.ord, i.id AS requested_id, COALESCE(ins.id, ex.id) AS id, ins.id IS NOT NULL AS created,
       COALESCE(ins.status, ex.status) AS status
FROM input i
LEFT JOIN ins ON ins.tenant_id = i.tenant_id AND ins.id = i.id
-- LATERAL: one idempotency-index probe per repeated key, never a hash of the whole jobs
-- table (the plain LEFT JOIN was planned as a hash join over a scan of every job: ~10 % of
-- the enqueue's database time at 60k jobs, growing with the table). OFFSET 0 keeps the
-- planner from pulling the subquery up into that same hash join (it did, with the generic
-- plan made while the table was small: a sequential scan of every job on each enqueue).
LEFT JOIN LATERAL (
  SELECT x.id, x.status FROM scheduler.jobs x
  WHERE ins.id IS NULL AND i.idempotency_key IS NOT NULL
    AND x.tenant_id = i.tenant_id AND x.idempotency_key = i.idempotency_key
  OFFSET 0
) ex ON true
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
ORDER BY i.ord
)SQL";

const std::string_view kInsertEdges = R"SQL(
INSERT INTO scheduler.dag_edges (tenant_id, run_id, parent_id, child_id)
SELECT x.tenant_id, x.run_id, x.parent_id, x.child_id
FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, run_id uuid, parent_id uuid, child_id uuid)
ON CONFLICT DO NOTHING
)SQL";

const std::string_view kRefreshRuns = R"SQL(
WITH input AS (
  SELECT DISTINCT x.tenant_id, x.run_id
  FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, run_id uuid)
  WHERE x.run_id IS NOT NULL
), agg AS (
  SELECT r.tenant_id, r.id, r.status AS old_status,
         count(*) FILTER (WHERE j.status IN ('succeeded', 'failed', 'timed_out', 'canceled'))
           AS terminal,
         count(*) AS total,
         count(*) FILTER (WHERE j.status IN ('failed', 'timed_out')) AS failed,
         count(*) FILTER (WHERE j.status = 'canceled') AS canceled,
         count(*) FILTER (WHERE j.status IN ('leased', 'running', 'succeeded') OR j.attempts > 0)
           AS started
  FROM scheduler.runs r
  JOIN input i ON r.tenant_id = i.tenant_id AND r.id = i.run_id
  JOIN scheduler.jobs j ON j.tenant_id = r.tenant_id AND j.run_id = r.id
  GROUP BY r.tenant_id, r.id, r.status
), next AS (
  SELECT a.*, CASE WHEN a.terminal < a.total THEN
                     CASE WHEN a.started > 0 THEN 'running' ELSE 'queued' END
                   WHEN a.failed > 0 THEN 'failed'
                   WHEN a.canceled > 0 THEN 'canceled'
                   ELSE 'succeeded' END AS new_status
  FROM agg a
), u AS (
  UPDATE scheduler.runs r
  SET status = n.new_status, updated_at = now(),
      started_at = COALESCE(r.started_at, CASE WHEN n.new_status <> 'queued' THEN now() END),
      finished_at = CASE WHEN n.new_status IN ('succeeded', 'failed', 'canceled') THEN now() END
  FROM next n
  WHERE r.tenant_id = n.tenant_id AND r.id = n.id AND r.status <> n.new_status
    AND r.status NOT IN ('succeeded', 'failed', 'canceled')
  RETURNING r.tenant_id, r.id, r.project_id, r.source_id, n.old_status, r.status, n.total,
            n.failed, n.canceled, r.window_scope, r.backfill_id
), ev_src AS (
  SELECT u.tenant_id, u.id, u.project_id, u.source_id, u.old_status, u.status, u.total,
         u.failed, u.canceled
  FROM u WHERE u.status IN ('succeeded', 'failed', 'canceled')
), ev AS (
  -- run.<status> events through the host (see JE_SCHED_EVENTS); eventId from the host.
  SELECT jobengine.append_events_v1(array_agg(ROW(
           e.tenant_id, 'run.' || e.status, e.project_id, e.id, NULL, e.source_id::text, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL,
           json_build_object('idempotencyKey', 'orch-run.' || e.status || '-' || e.id::text,
                             'run', json_build_object('id', e.id, 'status', e.status,
                                                      'fromStatus', e.old_status),
                             'data', json_build_object('jobsTotal', e.total, 'jobsFailed',
                                                       e.failed, 'jobsCanceled', e.canceled))
         )::jobengine.event_input_v1)) AS appended
  FROM ev_src e
)
SELECT u.tenant_id, u.id AS run_id, u.status, u.source_id::text, u.window_scope,
       u.backfill_id::text
FROM u
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
)SQL";

const std::string_view kLockRuns = R"SQL(
SELECT r.id
FROM scheduler.runs r
JOIN (SELECT DISTINCT x.tenant_id, x.run_id
      FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, run_id uuid)) i
  ON r.tenant_id = i.tenant_id AND r.id = i.run_id
ORDER BY r.tenant_id, r.id
FOR UPDATE OF r
)SQL";

const std::string_view kOperatorRetry = R"SQL(
WITH r AS (
  UPDATE scheduler.jobs j
  SET status = 'queued', reason = 'operator_retry', next_eligible_at = now(),
      max_attempts = GREATEST(j.max_attempts, j.attempts + 1), cancel_requested = false,
      finished_at = NULL, updated_at = now()
  WHERE j.tenant_id = $1::text AND j.id = $2::uuid AND j.status IN ('failed', 'timed_out')
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.attempts,
            j.payload_digest, j.max_attempts, scheduler.job_json(j) AS doc
), ev_src AS (
  SELECT r.tenant_id, r.id AS job_id, r.project_id, r.run_id, r.source_id, r.job_type,
         NULL::text AS from_status, 'queued'::text AS to_status,
         'operator_retry'::text AS reason, r.attempts AS attempt, NULL::uuid AS lease_id,
         r.payload_digest, $3::text AS actor, 'job.retry_scheduled'::text AS event_type,
         jsonb_build_object('maxAttempts', r.max_attempts, 'operatorReason', $4::text) AS data
  FROM r
))SQL" JE_SCHED_EVENTS R"SQL(
SELECT r.doc FROM r
WHERE)SQL" JE_SCHED_EVENTS_APPENDED R"SQL(
)SQL";

const std::string_view kInsertArtifacts = R"SQL(
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(tenant_id text, job_id uuid, uri text, digest text, media_type text, size_bytes bigint)
), ins AS (
  INSERT INTO scheduler.artifacts (tenant_id, id, job_id, run_id, uri, digest, media_type,
                                   size_bytes)
  SELECT i.tenant_id, scheduler.uuid_v7(), i.job_id, j.run_id, i.uri, i.digest, i.media_type,
         i.size_bytes
  FROM input i JOIN scheduler.jobs j ON j.tenant_id = i.tenant_id AND j.id = i.job_id
  ON CONFLICT (tenant_id, job_id, digest, uri) DO NOTHING
  RETURNING id
)
SELECT count(*) FROM ins
)SQL";

#undef JE_SCHED_GRANT_COLUMNS
#undef JE_SCHED_EVENTS

}  // namespace jobengine::scheduler::sql
