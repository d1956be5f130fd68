-- 0006_watermarks_backfills.sql — watermarks and backfills (SPEC §4, issue 13).
--
-- A run may cover an event-time window of a source: window_scope / window_from / window_to
-- (a live sync or schedule fire covers [the scope's watermark, fire time), window_from NULL
-- when there was no watermark yet; a backfill window covers its [from, to)). When such a run
-- ends `succeeded`, the same transaction (JobService::refreshRuns) locks the scope's watermark
-- row and moves it by core/watermark_rules: forward only, never across a window that has not
-- succeeded. The one way back is PUT /sources/{id}/watermarks/{scope} (orch:backfill, reason
-- and ticket, a watermark.set event). plugins/scheduler/README.md, "Watermarks and backfills".

ALTER TABLE scheduler.runs
  ADD COLUMN window_scope text,
  ADD COLUMN window_from  timestamptz,
  ADD COLUMN window_to    timestamptz,
  ADD COLUMN backfill_id  uuid;

-- The windows of one (source, scope) that end after a watermark (the advance step's read).
CREATE INDEX runs_window ON scheduler.runs (tenant_id, source_id, window_scope, window_to)
  WHERE window_scope IS NOT NULL;
-- The runs of one backfill (progress, cancel, its end).
CREATE INDEX runs_backfill ON scheduler.runs (tenant_id, backfill_id) WHERE backfill_id IS NOT NULL;

CREATE TABLE scheduler.watermarks (
  tenant_id   text        NOT NULL,
  source_id   uuid        NOT NULL,
  scope       text        NOT NULL,
  watermark   timestamptz NOT NULL,
  run_id      uuid,                   -- the run whose success moved it last (NULL: set by PUT)
  version     bigint      NOT NULL DEFAULT 1,
  advanced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, source_id, scope),
  FOREIGN KEY (tenant_id, source_id) REFERENCES scheduler.sources (tenant_id, id)
    ON DELETE CASCADE
);

-- status: queued until the first of its windows ends (then running; GET also shows running as
-- soon as one of its jobs started), then succeeded (every window succeeded), failed (one
-- failed or timed out), canceled (POST .../cancel, or a window canceled).
CREATE TABLE scheduler.backfills (
  tenant_id      text        NOT NULL,
  id             uuid        NOT NULL,
  source_id      uuid        NOT NULL,
  scope          text        NOT NULL DEFAULT 'default',
  window_from    timestamptz NOT NULL,
  window_to      timestamptz NOT NULL CHECK (window_to > window_from),
  window_minutes integer     NOT NULL CHECK (window_minutes > 0),
  reason         text        NOT NULL,
  ticket         text        NOT NULL,
  status         text        NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
  windows_total  integer     NOT NULL,
  created_by     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, source_id) REFERENCES scheduler.sources (tenant_id, id)
    ON DELETE CASCADE
);
-- The overlap check of POST /backfills: active backfills of one (source, scope).
CREATE INDEX backfills_active ON scheduler.backfills (tenant_id, source_id, scope)
  WHERE status IN ('queued', 'running');

-- A backfill as the API shows it, with its progress aggregated from its runs.
CREATE FUNCTION scheduler.backfill_json(b scheduler.backfills) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', b.id, 'sourceId', b.source_id, 'scope', b.scope,
    'from', scheduler.ts(b.window_from), 'to', scheduler.ts(b.window_to),
    'windowMinutes', b.window_minutes, 'reason', b.reason, 'ticket', b.ticket,
    'status', CASE WHEN b.status = 'queued' AND p.started > 0 THEN 'running' ELSE b.status END,
    'progress', jsonb_build_object(
      'windowsTotal', b.windows_total, 'windowsSucceeded', p.succeeded,
      'windowsFailed', p.failed, 'windowsCanceled', p.canceled, 'windowsActive', p.active,
      'percent', CASE WHEN b.windows_total = 0 THEN 100
                      ELSE ((p.succeeded + p.failed + p.canceled) * 100) / b.windows_total END),
    'createdBy', b.created_by,
    'createdAt', scheduler.ts(b.created_at), 'updatedAt', scheduler.ts(b.updated_at),
    'finishedAt', scheduler.ts(b.finished_at))
  FROM (SELECT count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE r.status = 'failed') AS failed,
               count(*) FILTER (WHERE r.status = 'canceled') AS canceled,
               count(*) FILTER (WHERE r.status IN ('queued', 'running')) AS active,
               count(*) FILTER (WHERE r.status <> 'queued') AS started
          FROM scheduler.runs r
         WHERE r.tenant_id = b.tenant_id AND r.backfill_id = b.id) p
$$;

ALTER TABLE scheduler.watermarks ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.watermarks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.watermarks
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE scheduler.backfills ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduler.backfills FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduler.backfills
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
