-- 0003_exports.sql — audit export bundles (SPEC §7, issue 14): one row per export requested
-- through POST /audit/exports, run by the audit.export job (plugins/audit/src/export_job.cpp).
--
-- The bundle is a file on the replica whose job built it (`replica`); GET .../bundle sends it
-- from there. Only the audit plugin reads or writes this table.

CREATE TABLE audit.exports (
  id             uuid        NOT NULL,
  tenant_id      text        NOT NULL,
  window_from    timestamptz NOT NULL,
  window_to      timestamptz NOT NULL CHECK (window_to > window_from),
  status         text        NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  entries_done   bigint      NOT NULL DEFAULT 0 CHECK (entries_done >= 0),
  entries_total  bigint      CHECK (entries_total >= 0),             -- known once running
  error          text,                                               -- when failed
  requested_by   text        NOT NULL,                               -- actor.subject
  reason         text        NOT NULL,
  ticket         text,
  job_id         uuid,                                               -- the audit.export job
  bundle_path    text,                                               -- when succeeded
  bundle_sha256  text,
  bundle_size    bigint,
  replica        text,                                               -- host holding the file
  created_at     timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  finished_at    timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX exports_id ON audit.exports (id);
CREATE INDEX exports_created ON audit.exports (tenant_id, created_at);

ALTER TABLE audit.exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.exports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit.exports
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
