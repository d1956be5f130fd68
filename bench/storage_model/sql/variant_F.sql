-- Storage-model bench, variant F (applied to a copy of tmpl_b): B plus a scheduler.queue table
-- that owns the live state (plugins/scheduler/docs/storage_next_steps.md, "claims never touch
-- the job row"). The claim updates only the queue row and reads the grant's columns from jobs
-- by primary key; completion deletes the queue row and makes the job row's one update (the
-- terminal one). scheduler.jobs has no index on status or lease columns, so that update can be
-- HOT. run.sh's F<nn> / Fq<nn> tags change the jobs / queue fillfactor of a copy.
DROP INDEX scheduler.jobs_claim_by_type;
DROP INDEX scheduler.jobs_inflight;
DROP INDEX scheduler.jobs_throttled;
CREATE TABLE scheduler.queue (
  tenant_id        text        NOT NULL,
  id               uuid        NOT NULL,
  job_type         text        NOT NULL,
  priority         smallint    NOT NULL,
  next_eligible_at timestamptz NOT NULL,
  state            text        NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'throttled', 'leased', 'running')),
  attempts         integer     NOT NULL DEFAULT 0,
  lease_id         uuid,
  lease_until      timestamptz,
  leased_by        text,
  started_at       timestamptz,
  progress         smallint,
  progress_message text,
  cancel_requested boolean     NOT NULL DEFAULT false,
  reason           text,
  PRIMARY KEY (tenant_id, id),
  CHECK ((state IN ('leased', 'running')) = (lease_id IS NOT NULL))
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01,
       autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0,
       autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 500);
CREATE INDEX queue_claim ON scheduler.queue (job_type, priority DESC, next_eligible_at, id)
  WHERE state = 'queued';
CREATE INDEX queue_inflight ON scheduler.queue (tenant_id, id) WHERE state IN ('leased', 'running');
CREATE INDEX queue_throttled ON scheduler.queue (next_eligible_at) WHERE state = 'throttled';
ALTER TABLE scheduler.queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.queue FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.queue
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
GRANT ALL ON scheduler.queue TO app;

-- Same shape as claim_candidates + claim_jobs (per-type LATERAL ordered scans, pinned plan),
-- over the queue table. Leases the queue row only; the grant's record columns come from jobs
-- by primary key (no update), the live ones (attempts, lease) from the queue row.
CREATE FUNCTION scheduler.claim_live(types text[], n integer, lease_seconds integer, worker text)
RETURNS TABLE (tenant_id text, id uuid, project_id text, run_id uuid, source_id uuid,
               job_type text, job_key text, attempts integer, max_attempts integer,
               lease_id uuid, lease_until timestamptz, priority smallint, payload jsonb,
               payload_digest text, idempotency_key text, correlation_id text, trace_id text,
               timeout_seconds integer, created_at timestamptz, next_eligible_at timestamptz,
               cancel_requested boolean)
LANGUAGE plpgsql VOLATILE ROWS 50 SET enable_seqscan = off SET enable_hashjoin = off
SET enable_mergejoin = off SET enable_bitmapscan = off SET jit = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    WITH c AS (
      SELECT c.tenant_id, c.id
      FROM (SELECT DISTINCT t.name FROM unnest(types) AS t(name)) AS wanted
      CROSS JOIN LATERAL (
        SELECT q.tenant_id, q.id, q.priority, q.next_eligible_at
        FROM scheduler.queue q
        WHERE q.state = 'queued' AND q.job_type = wanted.name AND q.next_eligible_at <= now()
        ORDER BY q.priority DESC, q.next_eligible_at, q.id
        LIMIT n
        FOR UPDATE OF q SKIP LOCKED
      ) AS c
      ORDER BY c.priority DESC, c.next_eligible_at, c.id
      LIMIT n
    ), ql AS (
      UPDATE scheduler.queue q
      SET state = 'leased', lease_id = scheduler.uuid_v7(),
          lease_until = now() + make_interval(secs => lease_seconds), leased_by = worker,
          attempts = q.attempts + 1, progress = NULL, progress_message = NULL, reason = NULL
      FROM c
      WHERE q.tenant_id = c.tenant_id AND q.id = c.id
      RETURNING q.tenant_id, q.id, q.attempts, q.lease_id, q.lease_until, q.priority,
                q.next_eligible_at, q.cancel_requested
    )
    SELECT j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.job_key,
           ql.attempts, j.max_attempts, ql.lease_id, ql.lease_until, ql.priority, j.payload,
           j.payload_digest, j.idempotency_key, j.correlation_id, j.trace_id, j.timeout_seconds,
           j.created_at, ql.next_eligible_at, ql.cancel_requested
    FROM ql JOIN scheduler.jobs j ON j.tenant_id = ql.tenant_id AND j.id = ql.id;
END
$$;
GRANT EXECUTE ON FUNCTION scheduler.claim_live(text[], integer, integer, text) TO app;
