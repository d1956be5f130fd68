-- 0002_ledger.sql — the audit ledger (SPEC §7, issue 14): one hash chain of entries per tenant,
-- appended by the leader's appender (plugins/audit/docs/ledger.md) from the event outbox.
--
-- Only the audit plugin reads or writes these tables. It learns about events through je.events
-- read_after (ABI 1.5), never from the host's tables.
--
-- An entry is src/core/ledger_chain.hpp's: `entry` holds its canonical JSON (RFC 8785) exactly
-- as GET /audit returns it and audit.jsonl will hold it, "hash" included; the hash covers that
-- JSON without "hash", after prev_hash. The other columns are copies of entry fields, kept for
-- the GET /audit filters and for reading the chain without parsing it; GET /audit/verify
-- recomputes from `entry` alone, so a column edited by hand cannot make a changed entry pass.

CREATE TABLE audit.entries (
  tenant_id     text        NOT NULL,
  position      bigint      NOT NULL CHECK (position >= 1),  -- 1, 2, 3 ... per tenant
  event_seq     bigint      NOT NULL,                        -- the outbox seq it chains
  event_id      text        NOT NULL,
  event_type    text        NOT NULL,
  occurred_at   timestamptz NOT NULL,
  actor_subject text,                                        -- actor.subject of the event
  subject_kind  text,                                        -- the entry's subject, when any
  subject_id    text,
  entry         text        NOT NULL,                        -- canonical JSON, hash included
  prev_hash     text        NOT NULL,
  hash          text        NOT NULL,
  PRIMARY KEY (tenant_id, position)
);
-- An outbox seq is chained once. A seq belongs to exactly one tenant (the event's), so unique
-- per tenant is unique overall, and the key stays tenant_id-first (DESIGN §5).
CREATE UNIQUE INDEX entries_event_seq ON audit.entries (tenant_id, event_seq);
-- GET /audit filters, each ending in position (the page order).
CREATE INDEX entries_occurred ON audit.entries (tenant_id, occurred_at, position);
CREATE INDEX entries_actor ON audit.entries (tenant_id, actor_subject, position);
-- action: an exact eventType, or a prefix (`job.*` is LIKE 'job.%'): text_pattern_ops serves
-- both, whatever the database's collation.
CREATE INDEX entries_action ON audit.entries (tenant_id, event_type text_pattern_ops, position);
-- subject: `kind:id`, or an id of any kind.
CREATE INDEX entries_subject ON audit.entries (tenant_id, subject_id, subject_kind, position)
  WHERE subject_id IS NOT NULL;

-- The head of each tenant's chain: its last position and hash, written in the same transaction
-- as the entries. The appender continues from it; GET /audit/verify compares the walk with it
-- (entries removed at the end of a chain leave a head nobody reaches).
CREATE TABLE audit.chain_heads (
  tenant_id  text        NOT NULL,
  position   bigint      NOT NULL CHECK (position >= 1),
  hash       text        NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

ALTER TABLE audit.entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit.entries
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

ALTER TABLE audit.chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.chain_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit.chain_heads
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

-- How far the outbox is chained: the last seq the appender read (every tenant). Written in the
-- same transaction as the entries it produced, so a restart, a crash or another replica taking
-- over continues exactly after it. Not tenant data (one row for the whole database), so no
-- tenant_id and no policy (docs/storage.md, "Tables without tenant data").
CREATE TABLE audit.ledger_cursor (
  id         boolean     PRIMARY KEY DEFAULT true CHECK (id),  -- at most one row
  last_seq   bigint      NOT NULL CHECK (last_seq >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audit.ledger_cursor (id, last_seq) VALUES (true, 0);
