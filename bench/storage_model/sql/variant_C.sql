-- Storage-model bench, variant C (applied to a copy of tmpl_b): B plus a slim
-- scheduler.queue table holding only queued and leased jobs; the claim scans and leases the
-- queue row, completion deletes it. scheduler.jobs keeps the record with no index on
-- status/lease columns, so its updates can be HOT. C50/C40 lower jobs' fillfactor (run.sh).
DROP INDEX scheduler.jobs_claim_by_type;
DROP INDEX scheduler.jobs_inflight;
DROP INDEX scheduler.jobs_throttled;
CREATE TABLE scheduler.queue (
  tenant_id        text        NOT NULL,
  id               uuid        NOT NULL,
  job_type         text        NOT NULL,
  priority         smallint    NOT NULL,
  next_eligible_at timestamptz NOT NULL,
  lease_id         uuid,
  lease_until      timestamptz,
  PRIMARY KEY (tenant_id, id)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01,
       autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0,
       autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 500);
CREATE INDEX queue_claim ON scheduler.queue (job_type, priority DESC, next_eligible_at, id)
  WHERE lease_id IS NULL;
CREATE INDEX queue_inflight ON scheduler.queue (tenant_id, id) WHERE lease_id IS NOT NULL;
ALTER TABLE scheduler.queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.queue FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.queue
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
GRANT ALL ON scheduler.queue TO app;

-- Same shape as claim_candidates + claim_jobs (per-type LATERAL ordered scans, pinned plan),
-- but over the queue table; leases the queue row, then the job row (HOT-able update).
CREATE FUNCTION scheduler.claim_queue(types text[], n integer, lease_seconds integer, worker text)
RETURNS SETOF scheduler.jobs
LANGUAGE plpgsql VOLATILE ROWS 50 SET enable_seqscan = off SET enable_hashjoin = off
SET enable_mergejoin = off SET enable_bitmapscan = off SET jit = off AS $$
BEGIN
  RETURN QUERY
    WITH c AS (
      SELECT c.tenant_id, c.id
      FROM (SELECT DISTINCT t.name FROM unnest(types) AS t(name)) AS wanted
      CROSS JOIN LATERAL (
        SELECT q.tenant_id, q.id, q.priority, q.next_eligible_at
        FROM scheduler.queue q
        WHERE q.lease_id IS NULL AND q.job_type = wanted.name AND q.next_eligible_at <= now()
        ORDER BY q.priority DESC, q.next_eligible_at, q.id
        LIMIT n
        FOR UPDATE OF q SKIP LOCKED
      ) AS c
      ORDER BY c.priority DESC, c.next_eligible_at, c.id
      LIMIT n
    ), ql AS (
      UPDATE scheduler.queue q
      SET lease_id = scheduler.uuid_v7(), lease_until = now() + make_interval(secs => lease_seconds)
      FROM c
      WHERE q.tenant_id = c.tenant_id AND q.id = c.id
      RETURNING q.tenant_id, q.id, q.lease_id, q.lease_until
    ), g AS (
      UPDATE scheduler.jobs j
      SET status = 'leased', reason = NULL, lease_id = ql.lease_id, lease_until = ql.lease_until,
          leased_by = worker, attempts = j.attempts + 1, progress = NULL, progress_message = NULL,
          updated_at = now()
      FROM ql
      WHERE j.tenant_id = ql.tenant_id AND j.id = ql.id
      RETURNING j.*
    )
    SELECT * FROM g;
END
$$;
GRANT EXECUTE ON FUNCTION scheduler.claim_queue(text[], integer, integer, text) TO app;
