-- Job transition events keep the envelope's standard `job` fields (SPEC §6) in typed columns
-- instead of a JSON body built on every write; readers reassemble the body with
-- jobengine.event_body(row).
--
-- Why: a job transition is the hottest write in the engine (three per no-op job: created,
-- leased, succeeded), and each one built a ~15-key body with json_build_object plus a random
-- UUIDv7 event id in SQL. Readers (the stream feeder when someone listens, GET /events,
-- GET /jobs/{id}/history) are far rarer than writers, so the work moves to read time:
--   * job_type .. actor: the `job` object's fields and the actor's subject;
--   * eventId is derived from (occurred_at, seq): a UUIDv7 whose 48-bit time is occurred_at in
--     milliseconds and whose 74 random bits carry seq, which is unique, so the id is unique and
--     the same on every read;
--   * idempotencyKey is "orch-<eventType>-<jobId>-<attempt>", as the writers built it.
-- Rows written before this migration (and events appended through je.events, which carry
-- their own eventId) have job_type NULL and are returned exactly as stored.
-- Adding nullable columns without a default rewrites nothing.
ALTER TABLE jobengine.events
  ADD COLUMN job_type       text,
  ADD COLUMN job_status     text,
  ADD COLUMN from_status    text,
  ADD COLUMN reason         text,
  ADD COLUMN attempt        integer,
  ADD COLUMN lease_id       uuid,
  ADD COLUMN payload_digest text,
  ADD COLUMN actor          text;

-- "urn:orch:event:<uuidv7>" for an outbox row: time = occurred_at (ms), random bits = seq.
CREATE FUNCTION jobengine.event_id(occurred_at timestamptz, seq bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'urn:orch:event:' || substr(t, 1, 8) || '-' || substr(t, 9, 4) || '-7' ||
         substr(r, 1, 3) || '-' || substr(r, 4, 4) || '-' || substr(r, 8, 12)
  FROM (SELECT lpad(to_hex((extract(epoch FROM occurred_at) * 1000)::bigint), 12, '0') AS t,
               -- 3 hex digits of rand_a (seq bits 62..63, zero while xids stay below 2^42),
               -- then the variant (binary 10) and seq bits 0..61 as 16 hex digits.
               lpad(to_hex(seq >> 62), 3, '0') ||
               to_hex((seq & 4611686018427387903) | (-9223372036854775807 - 1)) AS r) x
$$;

-- The stored body of an outbox row with the typed job columns folded back in. What every
-- reader returns as the envelope's body (host/src/events/event_envelope.hpp).
CREATE FUNCTION jobengine.event_body(e jobengine.events) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN e.job_type IS NULL THEN e.body ELSE
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
     || e.body::jsonb)::json
  END
$$;
