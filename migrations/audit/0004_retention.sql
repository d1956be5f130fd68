-- 0004_retention.sql — audit ledger retention (SPEC §7, issue 14; plugins/audit/docs/ledger.md
-- "Retention"): entries older than [plugins.audit] retention_days are pruned by the leader, but
-- only once succeeded exports cover them, and the chain stays verifiable from an anchor.
--
-- Only the audit plugin reads or writes these tables.

-- The chain slice a succeeded export's bundle holds (its audit.jsonl's first and last
-- position), set when the export succeeds. NULL for an export with no entries, for one not (yet)
-- succeeded, and for exports that succeeded before this migration: those cover nothing, so
-- their entries are pruned only after a new export of them.
ALTER TABLE audit.exports ADD COLUMN first_position bigint CHECK (first_position >= 1);
ALTER TABLE audit.exports ADD COLUMN last_position bigint CHECK (last_position >= first_position);
-- The pruner looks up a tenant's covering exports.
CREATE INDEX exports_covering ON audit.exports (tenant_id, last_position)
  WHERE status = 'succeeded' AND first_position IS NOT NULL;

-- Where a pruned chain now starts: the last pruned entry's position and hash (the "pruned head").
-- The first retained entry is position + 1 and its prevHash is hash, so GET /audit/verify walks
-- from here instead of from the genesis hash. Moved forward, in the pruning transaction, every
-- time entries are pruned; that transaction also appends the audit.pruned event (event_id),
-- which the ledger chains like any other, so the anchor is itself in the chain.
CREATE TABLE audit.chain_anchors (
  tenant_id   text        NOT NULL,
  position    bigint      NOT NULL CHECK (position >= 1),  -- the last pruned position
  hash        text        NOT NULL,                        -- that entry's hash
  cutoff      timestamptz NOT NULL,                        -- now() - retention_days when pruned
  export_ids  jsonb       NOT NULL DEFAULT '[]'::jsonb,    -- the exports that covered the pruning
  event_id    text        NOT NULL,                        -- the audit.pruned event
  pruned_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

ALTER TABLE audit.chain_anchors ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.chain_anchors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit.chain_anchors
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
