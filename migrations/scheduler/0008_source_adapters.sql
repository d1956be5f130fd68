-- 0008_source_adapters.sql — what je.sources (abi.h 1.7, issue 15) needs of the scheduler's
-- tables: a source's lock key, and dead letters for single documents.
--
-- Lock keys: syncs of every source sharing a lock_key never overlap (SPEC §8 "lockKey":
-- concelier:{tenant}:{connectorId}). Creating a sync run takes a transaction-scoped advisory
-- lock on (tenant, lock_key) and looks for an active run of any source with that key
-- (runs_active_source); plugins/scheduler/README.md, "Sync DAGs and lock keys". NULL: no lock.
ALTER TABLE scheduler.sources
  ADD COLUMN lock_key text CHECK (lock_key IS NULL OR length(lock_key) BETWEEN 1 AND 200);
CREATE INDEX sources_lock_key ON scheduler.sources (tenant_id, lock_key)
  WHERE lock_key IS NOT NULL;
CREATE INDEX runs_active_source ON scheduler.runs (tenant_id, source_id)
  WHERE source_id IS NOT NULL AND status IN ('queued', 'running');

-- Document dead letters: an adapter's job that finds one malformed document dead-letters that
-- document (subject 'document', payload_digest = the document's sha256, document_uri where it
-- came from) and goes on; the job itself does not fail. One entry per (job, document).
ALTER TABLE scheduler.dead_letters
  ADD COLUMN subject text NOT NULL DEFAULT 'job' CHECK (subject IN ('job', 'document')),
  ADD COLUMN document_uri text;
CREATE UNIQUE INDEX dead_letters_document ON scheduler.dead_letters (tenant_id, job_id, payload_digest)
  WHERE subject = 'document';
