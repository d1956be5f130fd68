-- 0009_retention.sql — retention of terminal jobs (SPEC §9, issue 16; plugins/scheduler/README.md
-- "Retention"). The leader prunes, per tenant, terminal jobs finished before the tenant's
-- effective cutoff (je.retention: now - retention_days and the audit plugin's guard) in bounded
-- batches, oldest first, then the finished runs left without jobs. These partial indexes let
-- each batch find its oldest candidates without scanning live jobs, and stay small in the
-- steady state (only terminal rows younger than the retention period, plus the backlog).
CREATE INDEX jobs_finished ON scheduler.jobs (tenant_id, finished_at)
  WHERE status IN ('succeeded', 'failed', 'timed_out', 'canceled');
CREATE INDEX runs_finished ON scheduler.runs (tenant_id, finished_at)
  WHERE status IN ('succeeded', 'failed', 'canceled');
-- Artifacts and dead letters of a pruned job are deleted by job id (artifacts' unique key
-- (tenant_id, job_id, digest, uri) and dead_letters_job serve that already).
