# Storage-model bench, SQL generator: writes the enqueue PREPARE file and the pgbench drain
# script of every statement shape (A..F) into the directory given as argv[1] (run.sh's temp
# dir). The statements model the scheduler's kEnqueueBatch / claim / kCompleteBatch
# (plugins/scheduler/src/core/sql.cpp) on each storage variant; completion leaves out the
# dead-letter, DAG-cascade and release parts. See README.md.
import sys
S = sys.argv[1]

# JE_SCHED_EVENTS as in plugins/scheduler/src/core/sql.cpp before host migration 0004 (variant A)
EV_A = """, ev_seq AS (SELECT jobengine.reserve_event_seqs((SELECT count(*) FROM ev_src)::int) AS first WHERE EXISTS (SELECT 1 FROM ev_src))
, ev AS (INSERT INTO jobengine.events (tenant_id, seq, event_type, occurred_at, project_id, run_id, job_id, source_id, body)
SELECT e.tenant_id, s.first + row_number() OVER () - 1, e.event_type, clock_timestamp(),
e.project_id, e.run_id, e.job_id, e.source_id::text,
json_build_object('eventId', 'urn:orch:event:' || scheduler.uuid_v7()::text,
'idempotencyKey', 'orch-' || e.event_type || '-' || e.job_id::text || '-' || COALESCE(e.attempt, 0)::text,
'actor', json_build_object('subject', e.actor),
'job', json_build_object('id', e.job_id, 'type', e.job_type, 'runId', e.run_id,
'sourceId', e.source_id, 'attempt', e.attempt, 'leaseId', e.lease_id, 'status',
e.to_status, 'fromStatus', e.from_status, 'reason', e.reason, 'payloadDigest',
e.payload_digest), 'data', COALESCE(e.data, '{}'::jsonb))
FROM ev_src e CROSS JOIN ev_seq s)
"""
# typed columns, no body (B, C)
EV_B = """, ev_seq AS (SELECT jobengine.reserve_event_seqs((SELECT count(*) FROM ev_src)::int) AS first WHERE EXISTS (SELECT 1 FROM ev_src))
, ev AS (INSERT INTO jobengine.events (tenant_id, seq, event_type, occurred_at, project_id, run_id, job_id, source_id,
job_type, from_status, to_status, reason, attempt, lease_id, payload_digest, actor, data)
SELECT e.tenant_id, s.first + row_number() OVER () - 1, e.event_type, clock_timestamp(),
e.project_id, e.run_id, e.job_id, e.source_id::text,
e.job_type, e.from_status, e.to_status, e.reason, e.attempt, e.lease_id, e.payload_digest, e.actor, e.data::json
FROM ev_src e CROSS JOIN ev_seq s)
"""
# one outbox row per statement (per tenant) with a json array of the transitions (E)
EV_E = """, ev_t AS (SELECT e.tenant_id, json_agg(json_build_object('jobId', e.job_id, 'type', e.job_type, 'event', e.event_type,
'from', e.from_status, 'to', e.to_status, 'reason', e.reason, 'attempt', e.attempt, 'leaseId', e.lease_id,
'payloadDigest', e.payload_digest, 'runId', e.run_id, 'data', e.data)) AS body
FROM ev_src e GROUP BY e.tenant_id)
, ev_seq AS (SELECT jobengine.reserve_event_seqs((SELECT count(*) FROM ev_t)::int) AS first WHERE EXISTS (SELECT 1 FROM ev_t))
, ev AS (INSERT INTO jobengine.events (tenant_id, seq, event_type, occurred_at, actor, body)
SELECT t.tenant_id, s.first + row_number() OVER () - 1, 'job.transitions', clock_timestamp(), $2::text, t.body
FROM ev_t t CROSS JOIN ev_seq s)
"""
EV = {'A': EV_A, 'B': EV_B, 'C': EV_B, 'D': '', 'E': EV_E, 'F': EV_B}

# ---------------- enqueue (kEnqueueBatch) ----------------
INPUT = """WITH input AS (
  SELECT *
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
    AS (id uuid, tenant_id text, project_id text, run_id uuid, source_id uuid, job_key text,
        job_type text, status text, priority smallint, max_attempts int, parents_pending int,
        next_eligible_at timestamptz, payload jsonb, payload_digest text,
        correlation_id text, idempotency_key text, replay_of uuid, trace_id text,
        backoff_base_ms int, backoff_factor real, backoff_cap_ms int, timeout_seconds int))
    WITH ORDINALITY AS x(id, tenant_id, project_id, run_id, source_id, job_key, job_type,
                         status, priority, max_attempts, parents_pending, next_eligible_at,
                         payload, payload_digest, correlation_id, idempotency_key, replay_of,
                         trace_id, backoff_base_ms, backoff_factor, backoff_cap_ms,
                         timeout_seconds, ord)
), ins AS (
  INSERT INTO scheduler.jobs (tenant_id, id, project_id, run_id, source_id, job_key, job_type,
                              status, priority, max_attempts, parents_pending, next_eligible_at,
                              payload, payload_digest, correlation_id, idempotency_key,
                              replay_of, trace_id, backoff_base_ms, backoff_factor,
                              backoff_cap_ms, timeout_seconds)
  SELECT i.tenant_id, i.id, i.project_id, i.run_id, i.source_id, i.job_key, i.job_type,
         COALESCE(i.status, 'queued'), COALESCE(i.priority, 5), COALESCE(i.max_attempts, 5),
         COALESCE(i.parents_pending, 0), COALESCE(i.next_eligible_at, now()),
         COALESCE(i.payload, '{}'::jsonb), i.payload_digest, i.correlation_id,
         i.idempotency_key, i.replay_of, i.trace_id, i.backoff_base_ms, i.backoff_factor,
         i.backoff_cap_ms, i.timeout_seconds
  FROM input i
  WHERE COALESCE(i.status, 'queued') IN ('pending', 'queued')
  ORDER BY i.ord
  ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING tenant_id, id, project_id, run_id, source_id, job_type, status, payload_digest,
            replay_of, priority, next_eligible_at
)"""
QINS = """, qins AS (
  INSERT INTO scheduler.queue (tenant_id, id, job_type, priority, next_eligible_at)
  SELECT ins.tenant_id, ins.id, ins.job_type, ins.priority, ins.next_eligible_at
  FROM ins WHERE ins.status = 'queued'
)"""
def created_src(typed):
    data = "json_build_object('priority', ins.priority)" if typed else "jsonb_build_object('priority', ins.priority)"
    data2 = "json_build_object('replayOf', ins.replay_of)" if typed else "jsonb_build_object('replayOf', ins.replay_of)"
    return f""", ev_src AS (
  SELECT ins.tenant_id, ins.id AS job_id, ins.project_id, ins.run_id, ins.source_id,
         ins.job_type, NULL::text AS from_status, ins.status AS to_status,
         'created'::text AS reason, 0 AS attempt, NULL::uuid AS lease_id, ins.payload_digest,
         $2::text AS actor, 'job.created'::text AS event_type,
         {data} AS data
  FROM ins
  UNION ALL
  SELECT ins.tenant_id, ins.id, ins.project_id, ins.run_id, ins.source_id, ins.job_type, NULL,
         ins.status, 'replay', 0, NULL::uuid, ins.payload_digest, $2::text, 'job.replayed',
         {data2}
  FROM ins WHERE ins.replay_of IS NOT NULL
)
"""
ENQ_TAIL = """SELECT i.ord, i.id AS requested_id, COALESCE(ins.id, ex.id) AS id, ins.id IS NOT NULL AS created,
       COALESCE(ins.status, ex.status) AS status
FROM input i
LEFT JOIN ins ON ins.tenant_id = i.tenant_id AND ins.id = i.id
LEFT JOIN LATERAL (
  SELECT x.id, x.status FROM scheduler.jobs x
  WHERE ins.id IS NULL AND i.idempotency_key IS NOT NULL
    AND x.tenant_id = i.tenant_id AND x.idempotency_key = i.idempotency_key
) ex ON true
ORDER BY i.ord
"""
for v in 'ABCDEF':
    q = INPUT + (QINS if v in 'CDEF' else '')  # F: queue state/attempts take their defaults
    if v != 'D':
        q += created_src(v != 'A') + EV[v]
    q += ENQ_TAIL
    with open(f'{S}/enqueue_prepare_{v}.sql', 'w') as f:
        f.write("SET jobengine.tenant = 'system';\n")
        f.write("PREPARE enq(jsonb, text) AS\n" + q + ";\n")

# ---------------- drain: complete previous batch, then claim (one transaction) ----------------
GRANT = """g.tenant_id, g.id, g.project_id, g.run_id, g.source_id, g.job_type, g.job_key,
g.attempts AS attempt, g.max_attempts, g.lease_id, scheduler.ts(g.lease_until) AS
lease_until, g.priority, g.payload, g.payload_digest, g.idempotency_key, g.correlation_id,
g.trace_id, g.timeout_seconds, g.created_at, g.next_eligible_at, g.cancel_requested"""
# the runner turns the returned grants into the next completion batch; here the statement
# aggregates them into the jsonb the next transaction's completion receives (\\gset prev)
CLAIM_TAIL = f"""SELECT COALESCE(jsonb_agg(jsonb_build_object('tenant_id', r.tenant_id, 'job_id', r.id,
  'lease_id', r.lease_id, 'status', 'succeeded') ORDER BY r.priority DESC, r.next_eligible_at, r.id), '[]'::jsonb) AS prev
FROM (SELECT {GRANT} FROM g) r
"""
def claim(v):
    fn = {'A': 'scheduler.claim_jobs', 'B': 'scheduler.claim_jobs', 'F': 'scheduler.claim_live'}.get(
        v, 'scheduler.claim_queue')
    q = f"""WITH g AS (
  SELECT * FROM {fn}(ARRAY['bench.noop']::text[], 200, 300, :worker::text)
)"""
    if v != 'D':
        data = ("jsonb_build_object('workerId', :worker::text, 'leaseUntil', scheduler.ts(g.lease_until))" if v == 'A'
                else "json_build_object('workerId', :worker::text, 'leaseUntil', scheduler.ts(g.lease_until))")
        q += f""", ev_src AS (
  SELECT g.tenant_id, g.id AS job_id, g.project_id, g.run_id, g.source_id, g.job_type,
         'queued'::text AS from_status, 'leased'::text AS to_status, NULL::text AS reason,
         g.attempts AS attempt, g.lease_id, g.payload_digest, :worker::text AS actor,
         'job.leased'::text AS event_type,
         {data} AS data
  FROM g
)
""" + EV[v].replace('$2::text', ':worker::text')
    return q + CLAIM_TAIL

CINPUT = """WITH input AS (
  SELECT * FROM jsonb_to_recordset(:prev::jsonb)
    AS x(tenant_id text, job_id uuid, lease_id uuid, status text, reason text, error jsonb,
         next_eligible_at timestamptz, data jsonb, dead_letter_id uuid, error_class text,
         fingerprint text)
  WHERE x.status IN ('succeeded', 'failed', 'timed_out', 'canceled', 'queued')
)"""
# kCompleteBatch without the dead-letter / DAG cascade / release parts. Every variant locks the
# reported leases by key (LATERAL ... OFFSET 0), as the engine does since d490263; the first
# results in README.md were taken with a plain join there (see its note).
DONE_AB = """, locked AS (
  SELECT j.tenant_id, j.id, j.status AS from_status, i.lease_id, i.status AS new_status, i.reason,
         i.error, i.next_eligible_at, i.data, i.dead_letter_id, i.error_class, i.fingerprint
  FROM input i
  CROSS JOIN LATERAL (
    SELECT j.tenant_id, j.id, j.status FROM scheduler.jobs j
    WHERE j.tenant_id = i.tenant_id AND j.id = i.job_id AND j.lease_id = i.lease_id
      AND j.status IN ('leased', 'running')
    OFFSET 0) j
  FOR UPDATE OF j
)"""
# C/D/E: the queue row is the lease authority; lock it (and read the job's status), delete it
DONE_Q = """, locked AS (
  SELECT q.tenant_id, q.id, j.status AS from_status, i.lease_id, i.status AS new_status, i.reason,
         i.error, i.next_eligible_at, i.data, i.dead_letter_id, i.error_class, i.fingerprint
  FROM input i
  CROSS JOIN LATERAL (
    SELECT q.tenant_id, q.id FROM scheduler.queue q
    WHERE q.tenant_id = i.tenant_id AND q.id = i.job_id AND q.lease_id = i.lease_id
    OFFSET 0) q
  JOIN scheduler.jobs j ON j.tenant_id = q.tenant_id AND j.id = q.id
  FOR UPDATE OF q
), dq AS (
  DELETE FROM scheduler.queue q USING locked l
  WHERE q.tenant_id = l.tenant_id AND q.id = l.id AND l.new_status <> 'queued'
)"""
DONE = """, done AS (
  UPDATE scheduler.jobs j
  SET status = i.new_status, reason = i.reason,
      next_eligible_at = CASE WHEN i.new_status = 'queued' THEN COALESCE(i.next_eligible_at, now())
                              ELSE j.next_eligible_at END,
      lease_id = NULL, lease_until = NULL, leased_by = NULL,
      last_error = COALESCE(i.error, j.last_error),
      progress = CASE WHEN i.new_status = 'succeeded' THEN 100 ELSE j.progress END,
      finished_at = CASE WHEN i.new_status = 'queued' THEN NULL ELSE now() END,
      updated_at = now()
  FROM locked i
  WHERE j.tenant_id = i.tenant_id AND j.id = i.id
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.status,
            j.reason, j.attempts, j.payload_digest, j.last_error, i.from_status, i.lease_id,
            i.dead_letter_id, i.error_class, i.fingerprint, i.data
)"""
# F: the queue row holds the lease and the attempt count; fence on it, delete it, and make the
# job row's one update (the terminal one; jobs never held the lease, so no lease columns). The
# retry branch (an UPDATE of the queue row back to queued) is left out: the bench only succeeds.
DONE_F = """, locked AS (
  SELECT q.tenant_id, q.id, q.state AS from_status, q.attempts, q.started_at, i.lease_id,
         i.status AS new_status, i.reason, i.error, i.data, i.dead_letter_id, i.error_class,
         i.fingerprint
  FROM input i
  CROSS JOIN LATERAL (
    SELECT q.tenant_id, q.id, q.state, q.attempts, q.started_at FROM scheduler.queue q
    WHERE q.tenant_id = i.tenant_id AND q.id = i.job_id AND q.lease_id = i.lease_id
      AND q.state IN ('leased', 'running')
    OFFSET 0) q
  WHERE i.status <> 'queued'
  FOR UPDATE OF q
), dq AS (
  DELETE FROM scheduler.queue q USING locked l
  WHERE q.tenant_id = l.tenant_id AND q.id = l.id
), done AS (
  UPDATE scheduler.jobs j
  SET status = i.new_status, reason = i.reason, attempts = i.attempts, started_at = i.started_at,
      last_error = COALESCE(i.error, j.last_error),
      progress = CASE WHEN i.new_status = 'succeeded' THEN 100 ELSE j.progress END,
      finished_at = now(), updated_at = now()
  FROM locked i
  WHERE j.tenant_id = i.tenant_id AND j.id = i.id
  RETURNING j.tenant_id, j.id, j.project_id, j.run_id, j.source_id, j.job_type, j.status,
            j.reason, j.attempts, j.payload_digest, j.last_error, i.from_status, i.lease_id,
            i.dead_letter_id, i.error_class, i.fingerprint, i.data
)"""
def complete(v):
    q = CINPUT + (DONE_F if v == 'F' else (DONE_AB if v in 'AB' else DONE_Q) + DONE)
    if v != 'D':
        data = ("COALESCE(d.data, '{}'::jsonb) || jsonb_build_object('error', d.last_error)" if v == 'A'
                else "CASE WHEN d.data IS NULL AND d.last_error IS NULL THEN NULL ELSE (COALESCE(d.data, '{}'::jsonb) || jsonb_build_object('error', d.last_error))::json END")
        q += f""", ev_src AS (
  SELECT d.tenant_id, d.id AS job_id, d.project_id, d.run_id, d.source_id, d.job_type,
         d.from_status, d.status AS to_status, d.reason, d.attempts AS attempt, d.lease_id,
         d.payload_digest, :worker::text AS actor,
         CASE WHEN d.status = 'queued' THEN 'job.retry_scheduled' ELSE 'job.' || d.status END
           AS event_type,
         {data} AS data
  FROM done d
)
""" + EV[v].replace('$2::text', ':worker::text')
    return q + "SELECT count(*) AS completed FROM done"

for v in 'ABCDEF':
    with open(f'{S}/drain_{v}.pgb', 'w') as f:
        # pgbench would take ':orch' inside the string literal for a variable: spell the colons
        # with chr(58) (constant-folded at plan time)
        body = "BEGIN;\n" + complete(v) + ";\n" + claim(v) + "\\gset\nCOMMIT;\n"
        body = body.replace("'urn:orch:event:'", "('urn' || chr(58) || 'orch' || chr(58) || 'event' || chr(58))")
        assert "'urn:" not in body
        f.write(body)
