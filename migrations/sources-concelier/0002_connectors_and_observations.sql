-- 0002_connectors_and_observations.sql — the Concelier adapter's own tables (SPEC §8, issue
-- 15): the connector registry, the raw-document store, per-run fetch provenance, the
-- conditional-request state per upstream URI, and the observations. No other plugin reads or
-- writes them; the scheduler's side of a connector (its source, schedule, watermark, dead
-- letters) goes through je.sources.
--
-- Aggregation-only: observations are what one document said, immutable, with provenance and
-- the raw document's digest; nothing here merges or derives verdicts.

-- UUIDv7 (RFC 9562) for observation ids minted in SQL, so id order is creation order (the
-- observations list is keyset-paginated by id). The plugin's own copy: no plugin calls another
-- owner's functions.
CREATE FUNCTION concelier.uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint)
                                FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

CREATE TABLE concelier.connectors (
  tenant_id      text        NOT NULL,
  connector_id   text        NOT NULL CHECK (connector_id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  source_kind    text        NOT NULL CHECK (source_kind IN ('osv', 'nvd', 'kev')),
  base_uri       text        NOT NULL,
  capabilities   jsonb       NOT NULL DEFAULT '[]'::jsonb,
  auth_ref       text,                             -- env:NAME or file:/path; never the secret
  schedule       jsonb,                            -- as the scheduler's source schedule
  rate_policy    jsonb,                            -- {rpm, burst, cooldownSeconds}; NULL = no egress
  artifact_kinds jsonb       NOT NULL DEFAULT '[]'::jsonb,
  egress_guard   jsonb       NOT NULL,             -- {allowlist: [...], airgapMode: bool}
  options        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  enabled        boolean     NOT NULL DEFAULT true,
  source_id      uuid        NOT NULL,             -- the scheduler's source (je.sources)
  version        bigint      NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, connector_id),
  UNIQUE (tenant_id, source_id)
);

-- Raw documents, verbatim and content-addressed: the same bytes are stored once per tenant
-- whoever fetched them and however often.
CREATE TABLE concelier.raw_documents (
  tenant_id    text        NOT NULL,
  digest       text        NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
  body         bytea       NOT NULL,
  media_type   text        NOT NULL,
  size_bytes   bigint      NOT NULL,
  stored_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, digest)
);

-- What one sync run fetched: one row per document, with provenance, and how far the pipeline
-- got with it (fetched -> parsed -> mapped, or dead_lettered at parse).
CREATE TABLE concelier.fetched_documents (
  tenant_id      text        NOT NULL,
  run_id         uuid        NOT NULL,
  ordinal        integer     NOT NULL,
  connector_id   text        NOT NULL,
  uri            text        NOT NULL,
  digest         text        NOT NULL,
  fetched_at     timestamptz NOT NULL DEFAULT now(),
  upstream_etag  text,
  last_modified  text,
  status         text        NOT NULL DEFAULT 'fetched'
                 CHECK (status IN ('fetched', 'parsed', 'mapped', 'dead_lettered')),
  extracted      jsonb,                            -- parse's records, read by map
  PRIMARY KEY (tenant_id, run_id, ordinal),
  FOREIGN KEY (tenant_id, digest) REFERENCES concelier.raw_documents (tenant_id, digest)
);

-- Conditional requests: the validators an upstream last answered for a listing URI. fetch
-- writes them unconfirmed with its run; map confirms them once the run's documents are
-- observations. Only confirmed validators are sent (If-None-Match / If-Modified-Since), so a
-- run that failed after its fetch never turns the next sync's request into a 304 that would
-- skip documents nobody mapped.
CREATE TABLE concelier.upstream_validators (
  tenant_id      text        NOT NULL,
  connector_id   text        NOT NULL,
  uri            text        NOT NULL,
  etag           text,
  last_modified  text,
  run_id         uuid        NOT NULL,
  confirmed      boolean     NOT NULL DEFAULT false,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, connector_id, uri)
);

-- One observation per advisory in a document. The same bytes mapped twice create nothing new:
-- (connector, digest, advisory) is unique.
CREATE TABLE concelier.observations (
  tenant_id      text        NOT NULL,
  id             uuid        NOT NULL,
  connector_id   text        NOT NULL,
  source_kind    text        NOT NULL,
  advisory_id    text        NOT NULL,
  aliases        text[]      NOT NULL DEFAULT '{}',
  modified       timestamptz,
  published      timestamptz,
  summary        text        NOT NULL DEFAULT '',
  detail         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  digest         text        NOT NULL,
  uri            text        NOT NULL,
  fetched_at     timestamptz NOT NULL,
  upstream_etag  text,
  run_id         uuid        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, connector_id, digest, advisory_id)
);
CREATE INDEX observations_advisory ON concelier.observations (tenant_id, advisory_id, id);
CREATE INDEX observations_connector ON concelier.observations (tenant_id, connector_id, id);
CREATE INDEX observations_aliases ON concelier.observations USING gin (aliases);

-- Row-level security, the scheduler's policy, written out per table (grep-able).
ALTER TABLE concelier.connectors ENABLE ROW LEVEL SECURITY;
ALTER TABLE concelier.connectors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON concelier.connectors
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
ALTER TABLE concelier.raw_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE concelier.raw_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON concelier.raw_documents
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
ALTER TABLE concelier.fetched_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE concelier.fetched_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON concelier.fetched_documents
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
ALTER TABLE concelier.upstream_validators ENABLE ROW LEVEL SECURITY;
ALTER TABLE concelier.upstream_validators FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON concelier.upstream_validators
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
ALTER TABLE concelier.observations ENABLE ROW LEVEL SECURITY;
ALTER TABLE concelier.observations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON concelier.observations
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
