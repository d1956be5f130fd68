-- A run's event-time window and backfill (0006) become part of its JSON (GET /runs,
-- GET /runs/{id}, cancel answers): "window": {scope, from, to} and "backfillId", present only
-- when the run has them. The rest of run_json is unchanged from 0001.
CREATE OR REPLACE FUNCTION scheduler.run_json(r scheduler.runs) RETURNS jsonb
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
  || CASE WHEN r.window_scope IS NULL THEN '{}'::jsonb
          ELSE jsonb_build_object('window', jsonb_build_object(
                 'scope', r.window_scope, 'from', scheduler.ts(r.window_from),
                 'to', scheduler.ts(r.window_to))) END
  || CASE WHEN r.backfill_id IS NULL THEN '{}'::jsonb
          ELSE jsonb_build_object('backfillId', r.backfill_id) END
$$;
