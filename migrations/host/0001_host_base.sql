-- Host base schema. The migrator creates schema jobengine and jobengine.schema_migrations
-- itself before running this file (it needs the ledger to know what ran); this file states the
-- schema's purpose and is where later host tables (outbox, idempotency keys, leader epochs)
-- follow as 0002_..., each tenant table under the RLS convention in docs/storage.md.
CREATE SCHEMA IF NOT EXISTS jobengine;

COMMENT ON SCHEMA jobengine IS
  'JobEngine host: migration ledger and host-owned tables. Tenant tables carry tenant_id first '
  'in their primary key and a row-level-security policy on current_setting(''jobengine.tenant'').';

COMMENT ON TABLE jobengine.schema_migrations IS
  'One row per applied migration file (owner = migrations folder); sha256 of the file bytes.';
