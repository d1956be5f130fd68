-- 0001_init.sql — the scheduler schema: sources, runs, jobs, DAG edges, artifacts, dead letters
-- and pack runs (SPEC §1–§4, DESIGN §5).
--
-- Job history is NOT a table of its own: every transition is one row in the host's event
-- outbox jobengine.events (migrations/host/0002_events.sql), written by the same statement
-- that makes the transition. The outbox is append-only and carries job_id/run_id columns with
-- an index per job, so it serves GET /jobs/{id}/history ("write each fact once", DESIGN §5).
--
-- Rules every table follows:
--  * tenant_id is the first column of the primary key and of every tenant-scoped index
--    (Citus-ready: distribute by tenant_id). The claim / sweep indexes are the exception: they
--    serve the cross-tenant runner and sweeper ("system" binding) and are ordered for them.
--  * Row-level security, forced, on jobengine.tenant; 'system' is the explicit cross-tenant
--    binding used by the in-process runner and the sweeper.
--  * Status values are text with CHECK constraints (readable in psql, cheap to compare).
-- Hot-path notes (docs/queries.md): the claim index is PARTIAL on status = 'queued', so the
-- millions of terminal rows never enter it; in-flight jobs have their own tiny partial index
-- whose key does not include lease_until, so heartbeats (which only move lease_until and
-- progress) are HOT updates; jobs has fillfactor 80 to leave room for them.

CREATE SCHEMA IF NOT EXISTS scheduler;

-- UUIDv7 (RFC 9562) in SQL for ids minted inside statements (lease ids). Not monotonic within
-- a millisecond (the C++ generator is); lease ids only need uniqueness and rough time order.
CREATE FUNCTION scheduler.uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint)
                                FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

-- RFC 3339 UTC with milliseconds and 'Z', the API's time format (SPEC §1).
CREATE FUNCTION scheduler.ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE TABLE scheduler.sources (
  tenant_id      text        NOT NULL,
  id             uuid        NOT NULL,
  name           text        NOT NULL,               -- "concelier:osv"
  kind           text        NOT NULL,               -- source kind registered by an adapter
  upstream_host  text,
  schedule       jsonb,                              -- {cron, timeZone, maxParallelRuns, maxLagMinutes}
  rate_policy    jsonb,                              -- {rpm, burst, cooldownSeconds}; NULL = egress denied
  config         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  enabled        boolean     NOT NULL DEFAULT true,
  paused         boolean     NOT NULL DEFAULT false,
  pause_reason   text,
  version        bigint      NOT NULL DEFAULT 1,     -- optimistic concurrency (ETag)
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE scheduler.runs (
  tenant_id        text        NOT NULL,
  id               uuid        NOT NULL,
  project_id       text,
  source_id        uuid,
  kind             text        NOT NULL DEFAULT 'dag'
                   CHECK (kind IN ('dag', 'sync', 'backfill', 'pack', 'schedule', 'batch')),
  status           text        NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
  reason           text,
  correlation_id   text,
  idempotency_key  text,
  trace_id         text,
  plan             jsonb,                            -- {order, depth, criticalPath}
  jobs_total       integer     NOT NULL DEFAULT 0,
  created_by       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX runs_idempotency ON scheduler.runs (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_source ON scheduler.runs (tenant_id, source_id, id) WHERE source_id IS NOT NULL;

CREATE TABLE scheduler.jobs (
  tenant_id          text        NOT NULL,
  id                 uuid        NOT NULL,
  project_id         text,
  run_id             uuid,
  source_id          uuid,
  job_key            text,                           -- unique within its run
  job_type           text        NOT NULL,
  status             text        NOT NULL
                     CHECK (status IN ('pending', 'queued', 'throttled', 'leased', 'running',
                                       'succeeded', 'failed', 'timed_out', 'canceled')),
  reason             text,
  priority           smallint    NOT NULL DEFAULT 5 CHECK (priority BETWEEN 0 AND 9),
  attempts           integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts       integer     NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
  parents_pending    integer     NOT NULL DEFAULT 0 CHECK (parents_pending >= 0),
  next_eligible_at   timestamptz NOT NULL DEFAULT now(),
  lease_id           uuid,
  lease_until        timestamptz,
  leased_by          text,                           -- worker / task runner id
  payload            jsonb       NOT NULL DEFAULT '{}'::jsonb,
  payload_digest     text        NOT NULL,           -- sha256:<hex> of canonical payload
  correlation_id     text,
  idempotency_key    text,
  replay_of          uuid,
  trace_id           text,
  progress           smallint    CHECK (progress BETWEEN 0 AND 100),
  progress_message   text,
  cancel_requested   boolean     NOT NULL DEFAULT false,
  backoff_base_ms    integer     CHECK (backoff_base_ms > 0),     -- NULL: job type default
  backoff_factor     real        CHECK (backoff_factor >= 1),
  backoff_cap_ms     integer     CHECK (backoff_cap_ms > 0),
  timeout_seconds    integer     CHECK (timeout_seconds > 0),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  started_at         timestamptz,
  finished_at        timestamptz,
  last_error         jsonb,                          -- {code, message, retryable, class, fingerprint}
  PRIMARY KEY (tenant_id, id),
  CHECK ((status IN ('leased', 'running')) = (lease_id IS NOT NULL))
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.01,
       autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0,
       autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 500);
-- Analyze early and often: with stale statistics on a young, fast-growing table the planner
-- answers the claim with a bitmap scan + sort over every queued row (measured: 3 ms at 3k
-- queued, growing linearly) instead of the ordered index scan that stops after LIMIT rows
-- (0.5 ms, flat).

-- The claim index: exactly the claim order, only queued rows.
CREATE INDEX jobs_claim ON scheduler.jobs (priority DESC, next_eligible_at, id)
  WHERE status = 'queued';
-- In-flight jobs for the expired-lease sweep. Keyed without lease_until so heartbeats stay HOT;
-- the set is bounded by worker concurrency, so the sweep filters it cheaply.
CREATE INDEX jobs_inflight ON scheduler.jobs (tenant_id, id)
  WHERE status IN ('leased', 'running');
-- Throttled jobs waiting for next_eligible_at (the unthrottle sweep).
CREATE INDEX jobs_throttled ON scheduler.jobs (next_eligible_at)
  WHERE status = 'throttled';
CREATE UNIQUE INDEX jobs_idempotency ON scheduler.jobs (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX jobs_run_key ON scheduler.jobs (tenant_id, run_id, job_key)
  WHERE run_id IS NOT NULL;
CREATE INDEX jobs_source ON scheduler.jobs (tenant_id, source_id, id) WHERE source_id IS NOT NULL;
-- GET /jobs keyset pagination: newest first by (created_at, id).
CREATE INDEX jobs_list ON scheduler.jobs (tenant_id, created_at DESC, id DESC);
CREATE INDEX runs_list ON scheduler.runs (tenant_id, created_at DESC, id DESC);

-- The API's camelCase rendering of a job row (GET /jobs, /jobs/{id}, run detail): one place,
-- so every route answers the same shape.
CREATE FUNCTION scheduler.job_json(j scheduler.jobs) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object(
    'id', j.id, 'tenantId', j.tenant_id, 'projectId', j.project_id, 'runId', j.run_id,
    'sourceId', j.source_id, 'jobKey', j.job_key, 'type', j.job_type, 'status', j.status,
    'reason', j.reason, 'priority', j.priority, 'attempts', j.attempts,
    'maxAttempts', j.max_attempts, 'parentsPending', j.parents_pending,
    'nextEligibleAt', scheduler.ts(j.next_eligible_at), 'leaseId', j.lease_id,
    'leaseUntil', scheduler.ts(j.lease_until), 'leasedBy', j.leased_by, 'payload', j.payload,
    'payloadDigest', j.payload_digest, 'correlationId', j.correlation_id,
    'idempotencyKey', j.idempotency_key, 'replayOf', j.replay_of, 'traceId', j.trace_id,
    'progress', j.progress, 'progressMessage', j.progress_message,
    'cancelRequested', j.cancel_requested, 'timeoutSeconds', j.timeout_seconds,
    'createdAt', scheduler.ts(j.created_at), 'updatedAt', scheduler.ts(j.updated_at),
    'startedAt', scheduler.ts(j.started_at), 'finishedAt', scheduler.ts(j.finished_at),
    'lastError', j.last_error)
$$;

-- A run with its job counts by status (derived on read; the status itself is stored).
CREATE FUNCTION scheduler.run_json(r scheduler.runs) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', r.id, 'tenantId', r.tenant_id, 'projectId', r.project_id, 'sourceId', r.source_id,
    'kind', r.kind, 'status', r.status, 'reason', r.reason, 'correlationId', r.correlation_id,
    'traceId', r.trace_id, 'jobsTotal', r.jobs_total, 'createdBy', r.created_by,
    'createdAt', scheduler.ts(r.created_at), 'updatedAt', scheduler.ts(r.updated_at),
    'startedAt', scheduler.ts(r.started_at), 'finishedAt', scheduler.ts(r.finished_at),
    'counts', COALESCE((SELECT jsonb_object_agg(c.status, c.n)
                        FROM (SELECT j.status, count(*) AS n FROM scheduler.jobs j
                              WHERE j.tenant_id = r.tenant_id AND j.run_id = r.id
                              GROUP BY j.status) c), '{}'::jsonb))
$$;

-- The claim's candidate scan, in claim order, locked with SKIP LOCKED. A function with SET
-- clauses so the scan is always the ordered jobs_claim index scan that stops after n rows:
-- with statistics that predate a burst of queued rows the planner otherwise picks bitmap scan +
-- sort over every queued row (measured 22-300 ms instead of 0.3 ms per claim of 32; see
-- plugins/scheduler/docs/queries.md). Runs as the caller, so row-level security applies.
CREATE FUNCTION scheduler.claim_candidates(types text[], n integer)
RETURNS TABLE (tenant_id text, id uuid)
LANGUAGE plpgsql VOLATILE SET enable_sort = off SET enable_bitmapscan = off AS $$
BEGIN
  RETURN QUERY
    SELECT j.tenant_id, j.id
    FROM scheduler.jobs j
    WHERE j.status = 'queued' AND j.next_eligible_at <= now() AND j.job_type = ANY (types)
    ORDER BY j.priority DESC, j.next_eligible_at, j.id
    LIMIT n
    FOR UPDATE SKIP LOCKED;
END
$$;

-- "child may start only after parent succeeded", inside one run. parents_pending on the child
-- counts the parents not yet succeeded, so a release is one decrement, not a scan.
CREATE TABLE scheduler.dag_edges (
  tenant_id   text NOT NULL,
  run_id      uuid NOT NULL,
  parent_id   uuid NOT NULL,
  child_id    uuid NOT NULL,
  PRIMARY KEY (tenant_id, parent_id, child_id),
  CHECK (parent_id <> child_id)
);
CREATE INDEX dag_edges_child ON scheduler.dag_edges (tenant_id, child_id);

CREATE TABLE scheduler.artifacts (
  tenant_id    text        NOT NULL,
  id           uuid        NOT NULL,
  job_id       uuid        NOT NULL,
  run_id       uuid,
  uri          text        NOT NULL,
  digest       text        NOT NULL CHECK (digest LIKE 'sha256:%'),
  media_type   text,
  size_bytes   bigint      CHECK (size_bytes >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, job_id, digest, uri)
);
CREATE INDEX artifacts_digest ON scheduler.artifacts (tenant_id, digest);

CREATE TABLE scheduler.dead_letters (
  tenant_id        text        NOT NULL,
  id               uuid        NOT NULL,
  job_id           uuid        NOT NULL,
  run_id           uuid,
  source_id        uuid,
  job_type         text        NOT NULL,
  attempts         integer     NOT NULL,
  final_status     text        NOT NULL CHECK (final_status IN ('failed', 'timed_out')),
  error_class      text        NOT NULL CHECK (error_class IN ('transient', 'permanent', 'unknown')),
  fingerprint      text        NOT NULL,
  error_code       text,
  last_error       jsonb,
  payload_digest   text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  replayed_job_id  uuid,
  replayed_at      timestamptz,
  replayed_by      text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX dead_letters_job ON scheduler.dead_letters (tenant_id, job_id);
CREATE INDEX dead_letters_fingerprint ON scheduler.dead_letters (tenant_id, fingerprint, id);
CREATE INDEX dead_letters_type ON scheduler.dead_letters (tenant_id, job_type, id);

CREATE TABLE scheduler.pack_runs (
  tenant_id        text        NOT NULL,
  id               uuid        NOT NULL,
  project_id       text        NOT NULL,
  run_id           uuid,
  job_id           uuid,
  pack_ref         text        NOT NULL,
  inputs           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status           text        NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
  task_runner_id   text,
  correlation_id   text,
  created_by       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX pack_runs_project ON scheduler.pack_runs (tenant_id, project_id, id);

-- Ordered, resumable log lines of a pack run: seq is per pack run, assigned by the appender
-- (max + 1 under the pack run's row lock), so a reader resumes with "seq > last seen".
CREATE TABLE scheduler.pack_run_logs (
  tenant_id     text        NOT NULL,
  pack_run_id   uuid        NOT NULL,
  seq           bigint      NOT NULL,
  at            timestamptz NOT NULL DEFAULT now(),
  stream        text        NOT NULL DEFAULT 'stdout',
  level         text,
  message       text        NOT NULL,
  data          jsonb,
  PRIMARY KEY (tenant_id, pack_run_id, seq)
);

-- Row-level security: the same policy on every table, written out literally so it can be
-- audited with grep. The app role connects without BYPASSRLS and is not the owner.

ALTER TABLE scheduler.sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.sources FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.sources
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.runs
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.jobs
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.dag_edges ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.dag_edges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.dag_edges
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.artifacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.artifacts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.artifacts
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.dead_letters ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.dead_letters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.dead_letters
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.pack_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.pack_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.pack_runs
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.pack_run_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.pack_run_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.pack_run_logs
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
