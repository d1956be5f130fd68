// sql.cpp — the text of the statements declared in sql.hpp. Kept in a .cpp so the SQL is
// compiled once and the header stays readable; see docs/queries.md for the reasoning.
#include "core/sql.hpp"

namespace jobengine::scheduler::sql {

namespace {

// The grant columns returned by both claim paths (alias g = the updated job row).
#define JE_SCHED_GRANT_COLUMNS                                                                \
  "g.tenant_id, g.id, g.project_id, g.run_id, g.source_id, g.job_type, g.job_key, "           \
  "g.attempts AS attempt, g.max_attempts, g.lease_id, g.lease_until, g.priority, g.payload, " \
  "g.payload_digest, g.idempotency_key, g.correlation_id, g.trace_id, g.timeout_seconds, "    \
  "g.created_at, g.next_eligible_at, g.cancel_requested"

}  // namespace

const std::string_view kClaimBatch = R"SQL(
WITH cand AS (
  SELECT j.tenant_id, j.id
  FROM scheduler.jobs j
  WHERE j.status = 'queued'
    AND j.next_eligible_at <= now()
    AND j.job_type = ANY ($1::text[])
  ORDER BY j.priority DESC, j.next_eligible_at, j.id
  LIMIT $2::int
  FOR UPDATE SKIP LOCKED
), g AS (
  UPDATE scheduler.jobs j
  SET status = 'leased', reason = NULL, lease_id = scheduler.uuid_v7(),
      lease_until = now() + make_interval(secs => $3::int), leased_by = $4::text,
      attempts = j.attempts + 1, progress = NULL, progress_message = NULL, updated_at = now()
  FROM cand c
  WHERE j.tenant_id = c.tenant_id AND j.id = c.id
  RETURNING j.*
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, attempt,
                                     lease_id, actor)
  SELECT g.tenant_id, g.id, 'queued', 'leased', g.attempts, g.lease_id, $4::text FROM g
)
SELECT )SQL" JE_SCHED_GRANT_COLUMNS R"SQL(
FROM g
ORDER BY g.priority DESC, g.next_eligible_at, g.id
)SQL";

const std::string_view kLockCandidates = R"SQL(
SELECT j.tenant_id, j.id, j.job_type, j.source_id, j.priority
FROM scheduler.jobs j
WHERE j.status = 'queued'
  AND j.next_eligible_at <= now()
  AND j.job_type = ANY ($1::text[])
ORDER BY j.priority DESC, j.next_eligible_at, j.id
LIMIT $2::int
FOR UPDATE SKIP LOCKED
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
  RETURNING j.*
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, attempt,
                                     lease_id, actor)
  SELECT g.tenant_id, g.id, 'queued', 'leased', g.attempts, g.lease_id, $3::text FROM g
)
SELECT )SQL" JE_SCHED_GRANT_COLUMNS R"SQL(
FROM g
ORDER BY g.priority DESC, g.next_eligible_at, g.id
)SQL";

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
  RETURNING j.tenant_id, j.id, j.reason, j.next_eligible_at, j.attempts
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, reason,
                                     attempt, actor, data)
  SELECT t.tenant_id, t.id, 'queued', 'throttled', t.reason, t.attempts, $2::text,
         jsonb_build_object('nextEligibleAt', t.next_eligible_at)
  FROM t
)
SELECT t.tenant_id, t.id AS job_id, t.reason, t.next_eligible_at, t.attempts AS attempt FROM t
)SQL";

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
  RETURNING j.tenant_id, j.id, j.run_id, j.job_type, j.attempts
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, reason,
                                     attempt, actor)
  SELECT q.tenant_id, q.id, 'throttled', 'queued', 'unthrottled', q.attempts, $2::text FROM q
)
SELECT q.tenant_id, q.id AS job_id, q.run_id, q.job_type, q.attempts AS attempt FROM q
)SQL";

const std::string_view kHeartbeatBatch = R"SQL(
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(tenant_id text, job_id uuid, lease_id uuid, progress smallint, message text)
), locked AS (
  SELECT j.tenant_id, j.id, j.status AS from_status, i.progress, i.message
  FROM scheduler.jobs j
  JOIN input i ON j.tenant_id = i.tenant_id AND j.id = i.job_id
  WHERE j.lease_id = i.lease_id AND j.status IN ('leased', 'running')
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
  RETURNING j.tenant_id, j.id, i.from_status, j.lease_until, j.cancel_requested, j.attempts,
            j.lease_id
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, attempt,
                                     lease_id, actor)
  SELECT hb.tenant_id, hb.id, 'leased', 'running', hb.attempts, hb.lease_id, $3::text
  FROM hb WHERE hb.from_status = 'leased'
)
SELECT i.job_id, hb.id IS NOT NULL AS applied,
       COALESCE(hb.from_status = 'leased', false) AS started,
       COALESCE(hb.cancel_requested, false) AS cancel_requested, hb.lease_until,
       hb.attempts AS attempt
FROM input i
LEFT JOIN hb ON hb.tenant_id = i.tenant_id AND hb.id = i.job_id
)SQL";

const std::string_view kLockForCompletion = R"SQL(
SELECT j.tenant_id, j.id, j.attempts, j.max_attempts, j.backoff_base_ms, j.backoff_factor,
       j.backoff_cap_ms, j.cancel_requested, j.job_type, j.run_id
FROM scheduler.jobs j
JOIN jsonb_to_recordset($1::jsonb) AS i(tenant_id text, job_id uuid, lease_id uuid)
  ON j.tenant_id = i.tenant_id AND j.id = i.job_id
WHERE j.lease_id = i.lease_id AND j.status IN ('leased', 'running')
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
  FROM scheduler.jobs j
  JOIN input i ON j.tenant_id = i.tenant_id AND j.id = i.job_id
  WHERE j.lease_id = i.lease_id AND j.status IN ('leased', 'running')
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
  RETURNING j.tenant_id, j.id, j.run_id, j.source_id, j.job_type, j.status, j.reason,
            j.attempts, j.payload_digest, j.last_error, i.from_status, i.lease_id,
            i.dead_letter_id, i.error_class, i.fingerprint, i.data
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, reason,
                                     attempt, lease_id, actor, data)
  SELECT d.tenant_id, d.id, d.from_status, d.status, d.reason, d.attempts, d.lease_id,
         $2::text, d.data
  FROM done d
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
  RETURNING c.tenant_id, c.id, c.run_id, c.job_type, c.attempts
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
  RETURNING c.tenant_id, c.id, c.run_id, c.job_type, c.status, c.attempts
), h2 AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, reason,
                                     attempt, actor)
  SELECT r.tenant_id, r.id, 'pending', 'queued', 'parents_succeeded', r.attempts, $2::text
  FROM released r WHERE r.status = 'queued'
  UNION ALL
  SELECT c.tenant_id, c.id, 'pending', 'canceled', 'upstream_failed', c.attempts, $2::text
  FROM canceled c
)
SELECT 'completed' AS kind, d.tenant_id, d.id AS job_id, d.run_id, d.job_type, d.from_status,
       d.status AS to_status, d.reason, d.attempts AS attempt, d.lease_id
FROM done d
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
  RETURNING j.tenant_id, j.id, j.run_id, j.source_id, j.job_type, j.status, j.reason,
            j.attempts, j.payload_digest, j.last_error, e.from_status, e.old_lease_id
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, reason,
                                     attempt, lease_id, actor)
  SELECT s.tenant_id, s.id, s.from_status, s.status, s.reason, s.attempts, s.old_lease_id,
         $2::text
  FROM swept s
), dl AS (
  INSERT INTO scheduler.dead_letters (tenant_id, id, job_id, run_id, source_id, job_type,
                                      attempts, final_status, error_class, fingerprint,
                                      error_code, last_error, payload_digest)
  SELECT s.tenant_id, scheduler.uuid_v7(), s.id, s.run_id, s.source_id, s.job_type,
         s.attempts, 'timed_out', 'transient', $3::text, 'LEASE_EXPIRED', s.last_error,
         s.payload_digest
  FROM swept s WHERE s.status = 'timed_out'
)
SELECT 'swept' AS kind, s.tenant_id, s.id AS job_id, s.run_id, s.job_type, s.from_status,
       s.status AS to_status, s.reason, s.attempts AS attempt, s.old_lease_id AS lease_id
FROM swept s
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
  RETURNING j.tenant_id, j.id, j.run_id, j.job_type, l.from_status, j.status, j.attempts
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, reason,
                                     attempt, actor)
  SELECT c.tenant_id, c.id, c.from_status, 'canceled', $3::text, c.attempts, $2::text
  FROM c WHERE c.status = 'canceled'
)
SELECT c.tenant_id, c.id AS job_id, c.run_id, c.job_type, c.from_status,
       CASE WHEN c.status = 'canceled' THEN 'canceled' END AS to_status, c.attempts AS attempt
FROM c
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
  RETURNING j.tenant_id, j.id, j.run_id, j.job_type, j.attempts
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, reason,
                                     attempt, actor)
  SELECT c.tenant_id, c.id, 'pending', 'canceled', 'upstream_failed', c.attempts, $2::text
  FROM c
)
SELECT c.tenant_id, c.id AS job_id, c.run_id, c.job_type, c.attempts AS attempt FROM c
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
  RETURNING tenant_id, id, status
), h AS (
  INSERT INTO scheduler.job_history (tenant_id, job_id, from_status, to_status, reason,
                                     attempt, actor)
  SELECT ins.tenant_id, ins.id, NULL, ins.status, 'created', 0, $2::text FROM ins
)
SELECT i.ord, i.id AS requested_id, COALESCE(ins.id, ex.id) AS id, ins.id IS NOT NULL AS created,
       COALESCE(ins.status, ex.status) AS status
FROM input i
LEFT JOIN ins ON ins.tenant_id = i.tenant_id AND ins.id = i.id
LEFT JOIN scheduler.jobs ex
  ON ins.id IS NULL AND ex.tenant_id = i.tenant_id AND ex.idempotency_key = i.idempotency_key
ORDER BY i.ord
)SQL";

const std::string_view kInsertEdges = R"SQL(
INSERT INTO scheduler.dag_edges (tenant_id, run_id, parent_id, child_id)
SELECT x.tenant_id, x.run_id, x.parent_id, x.child_id
FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, run_id uuid, parent_id uuid, child_id uuid)
ON CONFLICT DO NOTHING
)SQL";

#undef JE_SCHED_GRANT_COLUMNS

}  // namespace jobengine::scheduler::sql
