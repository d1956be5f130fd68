-- 0008_retention.sql — retention of the outbox (SPEC §9, issue 16; docs/operations.md
-- "Retention"). The leader's outbox pruner deletes, per tenant, a prefix of the tenant's
-- events in seq order (everything older than the tenant's effective cutoff, below the delivery
-- horizon) and records here how far: every event with seq <= pruned_through_seq is gone, every
-- later one is kept. A resume position below it (GET /events?after=, SSE Last-Event-ID,
-- WebSocket ?after=) is answered 410 POSITION_PRUNED naming the oldest available position.
--
-- Only the host reads or writes this table.
CREATE TABLE jobengine.retention (
  tenant_id          text        NOT NULL,
  pruned_through_seq bigint      NOT NULL,
  cutoff             timestamptz NOT NULL,            -- the effective cutoff of the last pruning
  rows_pruned        bigint      NOT NULL DEFAULT 0,  -- outbox rows pruned so far, in total
  pruned_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

ALTER TABLE jobengine.retention ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobengine.retention FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobengine.retention
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
