-- 0005_schedules.sql — schedules (SPEC §5.1 /schedules, issue 13): the one place a schedule
-- lives. Before, a source kept a `schedule` jsonb that nothing read; now a source has at most
-- one schedule row, and the source's `schedule` field is rendered from it (a view, never a
-- second copy). plugins/scheduler/docs/schedules.md explains the cron, time zone and catch-up
-- rules; plugins/scheduler/README.md ("Schedules") the routes.
--
-- The leader fires (src/schedule_firer.cpp): it picks due rows (`next_fire_at <= now()`) FOR
-- UPDATE SKIP LOCKED, decides every fire in (planned_through, now], records each decision in
-- schedule_fires, whose key (schedule, fire time) makes a fire impossible to record twice —
-- whatever replica leads, however often it retries — and moves planned_through and
-- next_fire_at forward in the same transaction. next_fire_at is computed by the engine (cctz);
-- SQL never interprets the cron.

CREATE TABLE scheduler.schedules (
  tenant_id         text        NOT NULL,
  id                uuid        NOT NULL,
  source_id         uuid        NOT NULL,
  cron              text        NOT NULL,                 -- as given (5 fields or a @macro)
  time_zone         text        NOT NULL DEFAULT 'UTC',   -- IANA name
  max_parallel_runs integer     NOT NULL DEFAULT 1 CHECK (max_parallel_runs BETWEEN 1 AND 1000),
  max_lag_minutes   integer     NOT NULL DEFAULT 0 CHECK (max_lag_minutes >= 0),  -- 0: no limit
  catch_up          text        NOT NULL DEFAULT 'one' CHECK (catch_up IN ('skip', 'one', 'all')),
  enabled           boolean     NOT NULL DEFAULT true,
  next_fire_at      timestamptz,            -- NULL: disabled, or the cron never fires again
  last_fired_at     timestamptz,            -- the fire time of the newest fire that made a run
  planned_through   timestamptz NOT NULL,   -- every fire at or before it is decided
  version           bigint      NOT NULL DEFAULT 1,       -- optimistic concurrency (ETag)
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, source_id),
  FOREIGN KEY (tenant_id, source_id) REFERENCES scheduler.sources (tenant_id, id)
    ON DELETE CASCADE
);

-- The leader's due scan, across tenants.
CREATE INDEX schedules_due ON scheduler.schedules (next_fire_at)
  WHERE enabled AND next_fire_at IS NOT NULL;

-- One row per decided fire: `fired` (a run was created), `skipped` (reason: max_lag, catch_up,
-- max_parallel_runs, source_paused, source_disabled) or `triggered` (POST .../trigger, at the
-- request's time). The primary key is the idempotency of a fire.
CREATE TABLE scheduler.schedule_fires (
  tenant_id   text        NOT NULL,
  schedule_id uuid        NOT NULL,
  fire_at     timestamptz NOT NULL,
  outcome     text        NOT NULL CHECK (outcome IN ('fired', 'skipped', 'triggered')),
  reason      text,
  run_id      uuid,
  leader_epoch bigint,                    -- the deciding leader's epoch (NULL: a trigger)
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, schedule_id, fire_at),
  FOREIGN KEY (tenant_id, schedule_id) REFERENCES scheduler.schedules (tenant_id, id)
    ON DELETE CASCADE
);

-- Schedules a source already had move here as they were. They are due at once: the leader's
-- first round checks their cron and zone (a row whose cron or zone does not parse is disabled
-- with a `schedule.disabled` event saying why) and plans from the time of this migration, so
-- no fire from before it is made up.
INSERT INTO scheduler.schedules (tenant_id, id, source_id, cron, time_zone, max_parallel_runs,
                                 max_lag_minutes, enabled, next_fire_at, planned_through)
SELECT s.tenant_id, scheduler.uuid_v7(), s.id, coalesce(s.schedule->>'cron', ''),
       coalesce(s.schedule->>'timeZone', 'UTC'),
       greatest(1, least(1000, coalesce((s.schedule->>'maxParallelRuns')::integer, 1))),
       greatest(0, coalesce((s.schedule->>'maxLagMinutes')::integer, 0)), true, now(), now()
  FROM scheduler.sources s
 WHERE s.schedule IS NOT NULL AND jsonb_typeof(s.schedule) = 'object';

ALTER TABLE scheduler.sources DROP COLUMN schedule;

-- A schedule as the API shows it (GET /schedules/{id}, and a source's `schedule` field).
CREATE FUNCTION scheduler.schedule_json(s scheduler.schedules) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', s.id, 'sourceId', s.source_id, 'cron', s.cron, 'timeZone', s.time_zone,
    'maxParallelRuns', s.max_parallel_runs, 'maxLagMinutes', s.max_lag_minutes,
    'catchUp', s.catch_up, 'enabled', s.enabled,
    'nextFireAt', scheduler.ts(s.next_fire_at), 'lastFiredAt', scheduler.ts(s.last_fired_at),
    'version', s.version,
    'createdAt', scheduler.ts(s.created_at), 'updatedAt', scheduler.ts(s.updated_at))
$$;

ALTER TABLE scheduler.schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.schedules
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.schedule_fires ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.schedule_fires FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.schedule_fires
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
