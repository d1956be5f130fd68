-- The event outbox (SPEC §6, DESIGN §4): every orch.event.v1 event is one row, written in the
-- same transaction as the change it describes. It doubles as the job history (job.* rows
-- carry job_id), so each fact is written once.
--
-- seq: strictly increasing in delivery order and never observed with a gap, without
-- serializing writers. seq = (top-level transaction id << 20) | n, where n counts the
-- transaction's events (jobengine.reserve_event_seqs). Readers only read rows whose
-- transaction id is below the oldest still-running transaction (pg_snapshot_xmin): such
-- transactions have all finished, and any later writer has a larger transaction id, so once a
-- reader passed seq X no row with seq <= X can appear any more. Numbers are not consecutive.
CREATE TABLE jobengine.events (
  tenant_id   text        NOT NULL,
  seq         bigint      NOT NULL,
  event_type  text        NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  project_id  text,
  run_id      uuid,
  job_id      uuid,
  source_id   text,
  body        jsonb       NOT NULL DEFAULT '{}'::jsonb,  -- the rest of the envelope
  PRIMARY KEY (tenant_id, seq)
);
-- The stream hub reads every tenant in seq order.
CREATE UNIQUE INDEX events_seq ON jobengine.events (seq);
-- Job history: GET /jobs/{id}/history.
CREATE INDEX events_job ON jobengine.events (tenant_id, job_id, seq) WHERE job_id IS NOT NULL;
CREATE INDEX events_run ON jobengine.events (tenant_id, run_id, seq) WHERE run_id IS NOT NULL;

ALTER TABLE jobengine.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobengine.events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobengine.events
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

-- Reserves k event sequence numbers in the current transaction and returns the first one;
-- the caller uses first, first + 1, ..., first + k - 1.
CREATE FUNCTION jobengine.reserve_event_seqs(k integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  n bigint := coalesce(nullif(current_setting('jobengine.event_n', true), '')::bigint, 0);
BEGIN
  IF k < 1 THEN
    RAISE EXCEPTION 'reserve_event_seqs: k must be positive, got %', k;
  END IF;
  IF n + k > 1048576 THEN
    RAISE EXCEPTION 'a transaction may append at most 1048576 events';
  END IF;
  PERFORM set_config('jobengine.event_n', (n + k)::text, true);
  RETURN (pg_current_xact_id()::text::bigint << 20) | n;
END $$;

-- The delivery horizon: rows with seq below it belong to finished transactions only.
CREATE FUNCTION jobengine.event_horizon() RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20
$$;

-- Idempotency records (SPEC §5): the first response to (tenant, key, method, path), stored in
-- the same transaction as the change it answered.
CREATE TABLE jobengine.idempotency_keys (
  tenant_id    text        NOT NULL,
  key          text        NOT NULL,
  method       text        NOT NULL,
  path         text        NOT NULL,
  request_hash text        NOT NULL,
  status       integer     NOT NULL,
  headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  body         text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key, method, path)
);
CREATE INDEX idempotency_expiry ON jobengine.idempotency_keys (expires_at);
ALTER TABLE jobengine.idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobengine.idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobengine.idempotency_keys
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
