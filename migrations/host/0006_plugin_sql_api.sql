-- The host SQL functions plugins may call inside their own statements (ABI 1.2, abi.h "Host
-- SQL functions"), and the request metadata every event carries (SPEC §6: actor {subject,
-- scopes}, operator {reason, ticket}, requestId, traceId).
--
-- Why: the scheduler inserted into jobengine.events and called jobengine.reserve_event_seqs /
-- jobengine.event_body in its own SQL, so every change of the outbox's columns was a change of
-- an undeclared ABI (0004 forced a scheduler edit in the same commit). From here on a plugin's
-- SQL names only the *_v1 objects below, which stay as they are while any ABI 1.x plugin may
-- call them; a change is a new _v2 next to them. tests/contract checks the plugins' SQL.
--
-- Request metadata: the host sets two transaction-local settings when it begins a transaction
-- (host/src/store/store.cpp): jobengine.actor, the subject (the request token's `sub`, or
-- "system:<plugin id>" for work the engine does by itself), and jobengine.request, a JSON
-- object {scopes, operator: {reason, ticket}, requestId, traceId} while serving an API request,
-- else ''. Every event appended in that transaction takes them, whoever builds the row, so a
-- plugin can neither forget nor forge them. They are stored once per row in two columns
-- (actor: a short text, request: NULL for engine-made events) and folded into the envelope by
-- jobengine.event_body() at read time, like the job columns of 0004.
ALTER TABLE jobengine.events ADD COLUMN request jsonb;

-- The host-owned fields of an envelope for a row written from 0006 on (actor set), or '{}'.
CREATE FUNCTION jobengine.event_request_fields(actor text, request jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN actor IS NULL THEN '{}'::jsonb ELSE jsonb_strip_nulls(jsonb_build_object(
    'actor', jsonb_build_object('subject', actor, 'scopes', request -> 'scopes'),
    'operator', request -> 'operator',
    'requestId', request -> 'requestId',
    'traceId', request -> 'traceId')) END
$$;

-- The envelope body of an outbox row (what every reader returns; replaces 0004's version):
--  * a job transition row (job_type set): the `job` object rebuilt from the typed columns, the
--    derived eventId and idempotencyKey, the stored body, then the host-owned request fields;
--  * any other row written from 0006 on: a derived eventId unless the body has its own, the
--    stored body, then the request fields;
--  * rows written before 0006 without job columns: exactly as stored.
CREATE OR REPLACE FUNCTION jobengine.event_body(e jobengine.events) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN e.job_type IS NOT NULL THEN
      (jsonb_build_object(
         'eventId', jobengine.event_id(e.occurred_at, e.seq),
         'idempotencyKey', 'orch-' || e.event_type || '-' || e.job_id::text || '-' ||
                           COALESCE(e.attempt, 0)::text,
         'actor', jsonb_build_object('subject', e.actor),
         'job', jsonb_build_object(
                  'id', e.job_id, 'type', e.job_type, 'runId', e.run_id, 'sourceId', e.source_id,
                  'attempt', e.attempt, 'leaseId', e.lease_id, 'status', e.job_status,
                  'fromStatus', e.from_status, 'reason', e.reason,
                  'payloadDigest', e.payload_digest))
       || e.body::jsonb
       || jobengine.event_request_fields(e.actor, e.request))::json
    WHEN e.actor IS NOT NULL THEN
      (jsonb_build_object('eventId', jobengine.event_id(e.occurred_at, e.seq))
       || e.body::jsonb
       || jobengine.event_request_fields(e.actor, e.request))::json
    ELSE e.body
  END
$$;

-- One event to append (abi.h): the typed job fields of a job transition (job_type .. payload
-- digest, NULL for other events) and `body`, the envelope's other fields ({"data": {...},
-- "run": {...}}; NULL means {"data": {}}). The host adds schemaVersion, eventId, seq,
-- occurredAt and the request fields.
CREATE TYPE jobengine.event_input_v1 AS (
  tenant_id      text,
  event_type     text,
  project_id     text,
  run_id         uuid,
  job_id         uuid,
  source_id      text,
  job_type       text,
  job_status     text,
  from_status    text,
  reason         text,
  attempt        integer,
  lease_id       uuid,
  payload_digest text,
  body           json
);

-- Appends events to the outbox in array order, one seq reservation for all of them; returns
-- how many. Row-level security checks each tenant_id against the transaction's binding.
CREATE FUNCTION jobengine.append_events_v1(events jobengine.event_input_v1[]) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  k integer := coalesce(cardinality(events), 0);
  first bigint;
  subject text := coalesce(nullif(current_setting('jobengine.actor', true), ''), 'system:unknown');
  req jsonb := nullif(current_setting('jobengine.request', true), '')::jsonb;
BEGIN
  IF k = 0 THEN
    RETURN 0;
  END IF;
  first := jobengine.reserve_event_seqs(k);
  INSERT INTO jobengine.events (tenant_id, seq, event_type, occurred_at, project_id, run_id,
                                job_id, source_id, job_type, job_status, from_status, reason,
                                attempt, lease_id, payload_digest, actor, request, body)
  SELECT e.tenant_id, first + e.ord - 1, e.event_type, clock_timestamp(), e.project_id,
         e.run_id, e.job_id, e.source_id, e.job_type, e.job_status, e.from_status, e.reason,
         e.attempt, e.lease_id, e.payload_digest, subject, req,
         coalesce(e.body, '{"data": {}}'::json)
  FROM unnest(events) WITH ORDINALITY AS e(tenant_id, event_type, project_id, run_id, job_id,
                                           source_id, job_type, job_status, from_status, reason,
                                           attempt, lease_id, payload_digest, body, ord);
  RETURN k;
END $$;

-- A job's events in seq order (its history): seq, type, time and the envelope body as
-- jobengine.event_body() builds it. The tenant is named (it leads the index), and row-level
-- security still binds the read to the transaction's tenant.
CREATE FUNCTION jobengine.job_events_v1(p_tenant text, p_job_id uuid, p_after_seq bigint,
                                        p_max_rows integer)
RETURNS TABLE (seq bigint, event_type text, occurred_at timestamptz, body json)
LANGUAGE sql STABLE AS $$
  SELECT e.seq, e.event_type, e.occurred_at, jobengine.event_body(e)
  FROM jobengine.events e
  WHERE e.tenant_id = p_tenant AND e.job_id = p_job_id AND e.seq > coalesce(p_after_seq, -1)
  ORDER BY e.seq
  LIMIT coalesce(p_max_rows, 2147483647)
$$;
