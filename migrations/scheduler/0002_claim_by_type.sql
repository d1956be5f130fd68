-- Claims walk one ordered index per job type they can run, not one index over every queued job.
--
-- Why: every claim names the job types its claimer runs (the in-process runner: the types with
-- handlers; a worker: the types it asks for). With the single jobs_claim index over all queued
-- jobs, a backlog of a type nobody is claiming right now (an external type whose workers are
-- down, or busy on another replica) sits at the head of that index, and every claim of any other
-- type walked through it and filtered it out row by row. Measured with make bench: 40k queued
-- external jobs in front made each runner claim cost ~100 ms, so the runner drained ~650 jobs/s
-- and enqueue -> start took ~100 ms on an idle engine.
--
-- Now: jobs_claim_by_type is the claim order behind a leading job_type, and claim_candidates
-- runs one ordered, LIMITed, SKIP LOCKED scan per named type (a LATERAL join over the type
-- list) and merges the heads in claim order. Each scan stops after n rows whatever the other
-- types hold. Rows a type's scan locked beyond the merged LIMIT stay locked only until the
-- claiming transaction ends (milliseconds) and are not leased; other claimers skip them.
-- enable_sort = off keeps each per-type scan on the ordered index whatever the statistics say
-- (see plugins/scheduler/docs/queries.md); the final merge sort of at most n x types rows is
-- the only sort left, and the planner still makes it because nothing else can order them.
-- jit = off: that sort's disabled-sort estimate (1e10) passes jit_above_cost, and compiling
-- the plan took ~400 ms per claim (measured). The host also turns JIT off per connection.
-- ROWS 50: the planner's default guess for a set-returning function is 1000 rows, which made
-- the claim's UPDATE hash-join the candidates against a sequential scan of the whole jobs
-- table (measured: 35-55 ms per claim at 50k rows, growing with the table) instead of a
-- primary-key lookup per candidate.
CREATE INDEX jobs_claim_by_type ON scheduler.jobs (job_type, priority DESC, next_eligible_at, id)
  WHERE status = 'queued';
DROP INDEX scheduler.jobs_claim;

-- The candidates now carry what the admission path needs (no join back to jobs).
DROP FUNCTION scheduler.claim_candidates(text[], integer);
CREATE FUNCTION scheduler.claim_candidates(types text[], n integer)
RETURNS TABLE (tenant_id text, id uuid, job_type text, source_id uuid, priority smallint,
               next_eligible_at timestamptz)
LANGUAGE plpgsql VOLATILE ROWS 50 SET enable_sort = off SET enable_bitmapscan = off SET jit = off
AS $$
BEGIN
  RETURN QUERY
    SELECT c.tenant_id, c.id, c.job_type, c.source_id, c.priority, c.next_eligible_at
    FROM (SELECT DISTINCT t.name FROM unnest(types) AS t(name)) AS wanted
    CROSS JOIN LATERAL (
      SELECT j.tenant_id, j.id, j.job_type, j.source_id, j.priority, j.next_eligible_at
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

-- Leases up to n candidates and returns the leased rows (the claim statement adds the events).
-- The UPDATE lives here so its plan can be pinned: statistics on a queue table are always
-- behind (rows arrive and leave faster than ANALYZE runs), and with a table the planner still
-- believed tiny it hash-joined the candidates against a sequential scan of every job
-- (measured: 50-80 ms per claim at 60k rows, 1 ms with the primary-key lookups). With
-- sequential scans and hash / merge joins disabled, a primary-key lookup per candidate is the
-- only plan left.
CREATE FUNCTION scheduler.claim_jobs(types text[], n integer, lease_seconds integer,
                                     worker text)
RETURNS SETOF scheduler.jobs
LANGUAGE plpgsql VOLATILE ROWS 50 SET enable_seqscan = off SET enable_hashjoin = off
SET enable_mergejoin = off SET jit = off AS $$
BEGIN
  RETURN QUERY
    WITH g AS (
      UPDATE scheduler.jobs j
      SET status = 'leased', reason = NULL, lease_id = scheduler.uuid_v7(),
          lease_until = now() + make_interval(secs => lease_seconds), leased_by = worker,
          attempts = j.attempts + 1, progress = NULL, progress_message = NULL,
          updated_at = now()
      FROM scheduler.claim_candidates(types, n) c
      WHERE j.tenant_id = c.tenant_id AND j.id = c.id
      RETURNING j.*
    )
    SELECT * FROM g;
END
$$;
