-- ratelimit: quotas, operator throttles, circuit breakers and upstream buckets (SPEC §3).
--
-- Only the ratelimit plugin reads or writes these tables. What it must know about jobs (how
-- many of a tenant's job type are active or waiting) it asks its caller through je.ratelimit's
-- count callback, never from the scheduler's tables. Every limit's state changes under a row
-- lock inside the transaction that spends it (a claim, an upstream request), so the limits are
-- exact across any number of replicas. Times are the database's now(), one clock for all.

-- A quota per (tenant, job type). Token bucket: capacity `burst` (default: max_per_hour),
-- refilling at max_per_hour / 3600 tokens per second; `tokens` is the level at `tokens_at`
-- (refilled lazily when spent or read). NULL limits are not enforced.
CREATE TABLE ratelimit.quotas (
  tenant_id      text        NOT NULL,
  id             uuid        NOT NULL,
  job_type       text        NOT NULL,
  max_active     integer     CHECK (max_active >= 0),
  max_per_hour   integer     CHECK (max_per_hour >= 0),
  burst          integer     CHECK (burst >= 1),
  backlog_limit  integer     CHECK (backlog_limit >= 0),  -- overrides default_backlog_limit
  paused         boolean     NOT NULL DEFAULT false,
  pause_reason   text,
  tokens         double precision NOT NULL DEFAULT 0,
  tokens_at      timestamptz NOT NULL DEFAULT now(),
  version        bigint      NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, job_type)
);
CREATE INDEX quotas_job_type ON ratelimit.quotas (job_type);  -- limited_types, every claim

-- Operator overrides with an expiry: pause a source or a job type, or cap a job type's
-- concurrency (leased + running). Expired rows are ignored at once and deleted (with a
-- throttle.expired event) by the plugin's sweeper.
CREATE TABLE ratelimit.throttles (
  tenant_id    text        NOT NULL,
  id           uuid        NOT NULL,
  target_kind  text        NOT NULL CHECK (target_kind IN ('source', 'job_type')),
  target       text        NOT NULL,
  action       text        NOT NULL CHECK (action IN ('pause', 'cap')),
  max_active   integer     CHECK (max_active >= 0),
  reason       text        NOT NULL,
  ticket       text,
  created_by   text,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK ((action = 'cap') = (max_active IS NOT NULL)),
  CHECK (action = 'pause' OR target_kind = 'job_type')
);
CREATE INDEX throttles_target ON ratelimit.throttles (tenant_id, target_kind, target);
-- je.ratelimit limited_types asks by job type across tenants, on every claim.
CREATE INDEX throttles_kind_target ON ratelimit.throttles (target_kind, target, expires_at);
CREATE INDEX throttles_expiry ON ratelimit.throttles (expires_at);

-- A circuit breaker per (tenant, job type), created by the first reported outcome.
-- window_slots: [{"start": epoch seconds, "ok": n, "failed": n}, ...], the sliding window
-- (the slots that counted something; core/limit_views.hpp reads and writes it).
CREATE TABLE ratelimit.breakers (
  tenant_id        text        NOT NULL,
  job_type         text        NOT NULL,
  state            text        NOT NULL DEFAULT 'closed'
                               CHECK (state IN ('closed', 'open', 'half_open')),
  window_slots     jsonb       NOT NULL DEFAULT '[]',
  opened_until     timestamptz,
  probes_admitted  integer     NOT NULL DEFAULT 0,
  probe_successes  integer     NOT NULL DEFAULT 0,
  changed_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, job_type)
);
CREATE INDEX breakers_not_closed ON ratelimit.breakers (job_type) WHERE state <> 'closed';

-- An upstream token bucket per (tenant, host), configured from the source's rate policy on
-- every acquire; current_per_s moves between configured/64 and configured (AIMD).
CREATE TABLE ratelimit.upstream_buckets (
  tenant_id         text        NOT NULL,
  host              text        NOT NULL,
  rpm               integer     NOT NULL CHECK (rpm >= 1),
  burst             integer     NOT NULL CHECK (burst >= 1),
  cooldown_seconds  integer     NOT NULL CHECK (cooldown_seconds >= 0),
  current_per_s     double precision NOT NULL,
  level             double precision NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  cooldown_until    timestamptz,
  PRIMARY KEY (tenant_id, host)
);

-- Row-level security: the scheduler's policy, written out literally per table (grep-able).
-- A tenant-bound transaction sees its own rows; a "system" one (claims, sweeps) sees all.
ALTER TABLE ratelimit.quotas ENABLE ROW LEVEL SECURITY;
ALTER TABLE ratelimit.quotas FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ratelimit.quotas
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE ratelimit.throttles ENABLE ROW LEVEL SECURITY;
ALTER TABLE ratelimit.throttles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ratelimit.throttles
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE ratelimit.breakers ENABLE ROW LEVEL SECURITY;
ALTER TABLE ratelimit.breakers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ratelimit.breakers
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE ratelimit.upstream_buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE ratelimit.upstream_buckets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ratelimit.upstream_buckets
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

-- The admission state of a claim, in one round trip (admission_store.cpp). input: [{"tenant",
-- "jobType", "sourceId"}] (one per candidate group). Locks, in a fixed order so concurrent
-- claims cannot deadlock, what admission will change or must count exactly: the quotas of
-- these job types and the active cap throttles on them (FOR UPDATE: the caller then counts the
-- active jobs, so the count cannot race another replica's claim), and the breakers that are
-- not closed (open ones may turn half_open; half_open ones count probes). Closed breakers and
-- pauses are read without a lock: admitting everything changes nothing. Times are epoch
-- microseconds of the database clock; `now` is the one every decision uses.
CREATE FUNCTION ratelimit.admission_state_v1(input jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SET jit = off AS $$
DECLARE
  tenants text[];
  types text[];
  sources text[];  -- NULL where a group has no source
  result jsonb;
BEGIN
  SELECT array_agg(x.tenant), array_agg(x."jobType"), array_agg(x."sourceId")
  INTO tenants, types, sources
  FROM jsonb_to_recordset(input) AS x(tenant text, "jobType" text, "sourceId" text);

  PERFORM 1 FROM ratelimit.quotas q
  WHERE (q.tenant_id, q.job_type) IN (SELECT * FROM unnest(tenants, types))
  ORDER BY q.tenant_id, q.job_type
  FOR UPDATE OF q;
  PERFORM 1 FROM ratelimit.throttles t
  WHERE t.action = 'cap' AND t.target_kind = 'job_type' AND t.expires_at > now()
    AND (t.tenant_id, t.target) IN (SELECT * FROM unnest(tenants, types))
  ORDER BY t.tenant_id, t.id
  FOR UPDATE OF t;
  PERFORM 1 FROM ratelimit.breakers b
  WHERE b.state <> 'closed' AND (b.tenant_id, b.job_type) IN (SELECT * FROM unnest(tenants, types))
  ORDER BY b.tenant_id, b.job_type
  FOR UPDATE OF b;

  SELECT jsonb_build_object(
    'now', (extract(epoch FROM now()) * 1000000)::bigint,
    'quotas', COALESCE((
      SELECT jsonb_agg(jsonb_build_object(
        'tenant', q.tenant_id, 'id', q.id, 'jobType', q.job_type, 'maxActive', q.max_active,
        'maxPerHour', q.max_per_hour, 'burst', q.burst, 'paused', q.paused,
        'tokens', q.tokens, 'tokensAt', (extract(epoch FROM q.tokens_at) * 1000000)::bigint))
      FROM ratelimit.quotas q
      WHERE (q.tenant_id, q.job_type) IN (SELECT * FROM unnest(tenants, types))), '[]'::jsonb),
    'throttles', COALESCE((
      SELECT jsonb_agg(jsonb_build_object(
        'tenant', t.tenant_id, 'id', t.id, 'targetKind', t.target_kind, 'target', t.target,
        'action', t.action, 'maxActive', t.max_active,
        'expiresAt', (extract(epoch FROM t.expires_at) * 1000000)::bigint))
      FROM ratelimit.throttles t
      WHERE t.expires_at > now()
        AND ((t.target_kind = 'job_type'
              AND (t.tenant_id, t.target) IN (SELECT * FROM unnest(tenants, types)))
          OR (t.target_kind = 'source'
              AND (t.tenant_id, t.target) IN (SELECT * FROM unnest(tenants, sources))))),
      '[]'::jsonb),
    'breakers', COALESCE((
      SELECT jsonb_agg(jsonb_build_object(
        'tenant', b.tenant_id, 'jobType', b.job_type, 'state', b.state,
        'slots', b.window_slots, 'probesAdmitted', b.probes_admitted,
        'probeSuccesses', b.probe_successes,
        'openedUntil', (extract(epoch FROM b.opened_until) * 1000000)::bigint))
      FROM ratelimit.breakers b
      WHERE (b.tenant_id, b.job_type) IN (SELECT * FROM unnest(tenants, types))), '[]'::jsonb))
  INTO result;
  RETURN result;
END
$$;
