-- 0001_init.sql — the scheduler schema: sources, runs, jobs, DAG edges, artifacts, the
-- append-only job history, dead letters and pack runs (SPEC §1–§4, DESIGN §5).
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
       autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0);

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

-- One row per transition (SPEC §2), never updated; deleted only by the audited retention
-- path. Lean on purpose: the orch.event.v1 envelope lives once, in the host's outbox
-- (jobengine.events); this table is the per-job index of facts (GET /jobs/{id}/history).
-- seq comes from one sequence: per job it follows the transition order because each
-- transition holds the job's row lock when it draws its number.
CREATE TABLE scheduler.job_history (
  tenant_id    text        NOT NULL,
  job_id       uuid        NOT NULL,
  seq          bigint      GENERATED ALWAYS AS IDENTITY,
  from_status  text,                                 -- NULL for creation
  to_status    text        NOT NULL,
  reason       text,
  attempt      integer     NOT NULL DEFAULT 0,
  lease_id     uuid,
  actor        text,                                 -- worker id, "runner", "sweeper", subject
  at           timestamptz NOT NULL DEFAULT now(),
  data         jsonb,                                -- error, progress, backoff, ...
  PRIMARY KEY (tenant_id, job_id, seq)
);

CREATE FUNCTION scheduler.job_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('jobengine.retention_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'scheduler.job_history is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER job_history_append_only BEFORE UPDATE OR DELETE ON scheduler.job_history
  FOR EACH ROW EXECUTE FUNCTION scheduler.job_history_append_only();

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

ALTER TABLE scheduler.job_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.job_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.job_history
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
