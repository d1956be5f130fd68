-- The claim leases the rows its candidate scan locked by their tuple ids, not through a join.
--
-- Why: claim_jobs joined the candidates to scheduler.jobs on (tenant_id, id), and the plan of
-- that join depended on what the planner believed about the table. With statistics taken while
-- the table was nearly empty (a fresh deployment, the first minutes of a burst) it estimated a
-- full scan of jobs at two rows, materialized that scan and filtered it against every
-- candidate: O(jobs x batch). Measured with bench/profile/run.sh (auto_explain): 670-1,070 ms
-- per claim of 200 with 11k jobs in the table, 2.1 million rows removed by the join filter,
-- until the next ANALYZE replaced the cached plan. Disabling sequential scans and hash / merge
-- joins (0002) did not prevent it: a full index scan is not a sequential scan.
--
-- Now: claim_candidates also returns each locked row's ctid, and claim_jobs updates
-- `WHERE ctid = ANY (...)`, a TID scan whatever the statistics say. The ctid is the version the
-- candidate scan locked FOR UPDATE in this same transaction, so nothing else can have moved
-- it; the UPDATE re-checks status = 'queued' anyway. enable_seqscan stays off so a table the
-- planner believes tiny cannot be scanned whole instead (the TID scan is then the only path).
DROP FUNCTION scheduler.claim_candidates(text[], integer);
CREATE FUNCTION scheduler.claim_candidates(types text[], n integer)
RETURNS TABLE (tenant_id text, id uuid, job_type text, source_id uuid, priority smallint,
               next_eligible_at timestamptz, row_id tid)
LANGUAGE plpgsql VOLATILE ROWS 50 SET enable_sort = off SET enable_bitmapscan = off SET jit = off
AS $$
BEGIN
  RETURN QUERY
    SELECT c.tenant_id, c.id, c.job_type, c.source_id, c.priority, c.next_eligible_at, c.row_id
    FROM (SELECT DISTINCT t.name FROM unnest(types) AS t(name)) AS wanted
    CROSS JOIN LATERAL (
      SELECT j.tenant_id, j.id, j.job_type, j.source_id, j.priority, j.next_eligible_at,
             j.ctid AS row_id
      FROM scheduler.jobs j
      WHERE j.status = 'queued' AND j.job_type = wanted.name AND j.next_eligible_at <= now()
      ORDER BY j.priority DESC, j.next_eligible_at, j.id
      LIMIT n
      FOR UPDATE OF j SKIP LOCKED
    ) AS c
    ORDER BY c.priority DESC, c.next_eligible_at, c.id
    LIMIT n;
END
$$;

CREATE OR REPLACE FUNCTION scheduler.claim_jobs(types text[], n integer, lease_seconds integer,
                                                worker text)
RETURNS SETOF scheduler.jobs
LANGUAGE plpgsql VOLATILE ROWS 50 SET enable_seqscan = off SET jit = off AS $$
DECLARE
  locked_rows tid[];
BEGIN
  SELECT array_agg(c.row_id) INTO locked_rows FROM scheduler.claim_candidates(types, n) c;
  IF locked_rows IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    WITH g AS (
      UPDATE scheduler.jobs j
      SET status = 'leased', reason = NULL, lease_id = scheduler.uuid_v7(),
          lease_until = now() + make_interval(secs => lease_seconds), leased_by = worker,
          attempts = j.attempts + 1, progress = NULL, progress_message = NULL,
          updated_at = now()
      WHERE j.ctid = ANY (locked_rows) AND j.status = 'queued'
      RETURNING j.*
    )
    SELECT * FROM g;
END
$$;
