-- 0002_providers_and_statements.sql — the Excititor adapter's own tables (SPEC §8, issue 15):
-- the provider registry, the raw-document store, per-run fetch provenance, the
-- conditional-request state per upstream URI, and the VEX statements. No other plugin reads or
-- writes them; the scheduler's side of a provider (its source, schedule, watermark, dead
-- letters) goes through je.sources. A copy of sources-concelier/0002 with providers and
-- statements in place of connectors and observations.
--
-- Aggregation-only: a statement is what one document said about one (vulnerability, product),
-- immutable, with provenance and the raw document's digest; nothing here merges statements or
-- derives verdicts across documents.

-- UUIDv7 (RFC 9562) for statement ids minted in SQL, so id order is creation order (the
-- statements list is keyset-paginated by id). The plugin's own copy: no plugin calls another
-- owner's functions.
CREATE FUNCTION excititor.uuid_v7() RETURNS uuid
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

CREATE TABLE excititor.providers (
  tenant_id      text        NOT NULL,
  provider_id    text        NOT NULL CHECK (provider_id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  source_kind    text        NOT NULL CHECK (source_kind IN ('openvex', 'csaf', 'cyclonedx')),
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
  PRIMARY KEY (tenant_id, provider_id),
  UNIQUE (tenant_id, source_id)
);

-- Raw documents, verbatim and content-addressed: the same bytes are stored once per tenant
-- whoever fetched them and however often.
CREATE TABLE excititor.raw_documents (
  tenant_id    text        NOT NULL,
  digest       text        NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
  body         bytea       NOT NULL,
  media_type   text        NOT NULL,
  size_bytes   bigint      NOT NULL,
  stored_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, digest)
);

-- What one sync run fetched: one row per document, with provenance, and how far the pipeline
-- got with it (fetched -> normalized, or dead_lettered by normalize).
CREATE TABLE excititor.fetched_documents (
  tenant_id      text        NOT NULL,
  run_id         uuid        NOT NULL,
  ordinal        integer     NOT NULL,
  provider_id    text        NOT NULL,
  uri            text        NOT NULL,
  digest         text        NOT NULL,
  fetched_at     timestamptz NOT NULL DEFAULT now(),
  upstream_etag  text,
  last_modified  text,
  status         text        NOT NULL DEFAULT 'fetched'
                 CHECK (status IN ('fetched', 'normalized', 'dead_lettered')),
  PRIMARY KEY (tenant_id, run_id, ordinal),
  FOREIGN KEY (tenant_id, digest) REFERENCES excititor.raw_documents (tenant_id, digest)
);

-- Conditional requests: the validators an upstream last answered for a listing URI. fetch
-- writes them unconfirmed with its run; normalize confirms them once the run's documents are
-- statements. Only confirmed validators are sent (If-None-Match / If-Modified-Since), so a
-- run that failed after its fetch never turns the next sync's request into a 304 that would
-- skip documents nobody normalized.
CREATE TABLE excititor.upstream_validators (
  tenant_id      text        NOT NULL,
  provider_id    text        NOT NULL,
  uri            text        NOT NULL,
  etag           text,
  last_modified  text,
  run_id         uuid        NOT NULL,
  confirmed      boolean     NOT NULL DEFAULT false,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, provider_id, uri)
);

-- One statement per (vulnerability, product) of a document, status normalized
-- (not_affected | affected | fixed | under_investigation) beside the word as written. The same
-- bytes normalized twice create nothing new: (provider, digest, vulnerability, product) is
-- unique.
CREATE TABLE excititor.statements (
  tenant_id      text        NOT NULL,
  id             uuid        NOT NULL,
  provider_id    text        NOT NULL,
  source_kind    text        NOT NULL,
  document_id    text        NOT NULL,
  vulnerability  text        NOT NULL,
  product        text        NOT NULL,
  status         text        NOT NULL
                 CHECK (status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
  status_raw     text        NOT NULL,
  justification  text,
  modified       timestamptz,
  detail         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  digest         text        NOT NULL,
  uri            text        NOT NULL,
  fetched_at     timestamptz NOT NULL,
  upstream_etag  text,
  run_id         uuid        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, provider_id, digest, vulnerability, product)
);
CREATE INDEX statements_vulnerability ON excititor.statements (tenant_id, vulnerability, id);
CREATE INDEX statements_product ON excititor.statements (tenant_id, product, id);
CREATE INDEX statements_provider ON excititor.statements (tenant_id, provider_id, id);

-- Row-level security, the scheduler's policy, written out per table (grep-able).
ALTER TABLE excititor.providers ENABLE ROW LEVEL SECURITY;
ALTER TABLE excititor.providers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON excititor.providers
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
ALTER TABLE excititor.raw_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE excititor.raw_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON excititor.raw_documents
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
ALTER TABLE excititor.fetched_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE excititor.fetched_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON excititor.fetched_documents
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
ALTER TABLE excititor.upstream_validators ENABLE ROW LEVEL SECURITY;
ALTER TABLE excititor.upstream_validators FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON excititor.upstream_validators
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
ALTER TABLE excititor.statements ENABLE ROW LEVEL SECURITY;
ALTER TABLE excititor.statements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON excititor.statements
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
