\pset pager off
SET jobengine.tenant = 't1';
-- enqueue a DAG a -> b, a -> c, b -> d, c -> d plus a standalone job, with an idempotent repeat
EXECUTE kEnqueueBatch('[
 {"id":"00000000-0000-7000-8000-00000000000a","tenant_id":"t1","run_id":"00000000-0000-7000-8000-0000000000f1","job_key":"a","job_type":"demo.x","status":"queued","payload_digest":"sha256:x","priority":5},
 {"id":"00000000-0000-7000-8000-00000000000b","tenant_id":"t1","run_id":"00000000-0000-7000-8000-0000000000f1","job_key":"b","job_type":"demo.x","status":"pending","parents_pending":1,"payload_digest":"sha256:x"},
 {"id":"00000000-0000-7000-8000-00000000000c","tenant_id":"t1","run_id":"00000000-0000-7000-8000-0000000000f1","job_key":"c","job_type":"demo.x","status":"pending","parents_pending":1,"payload_digest":"sha256:x"},
 {"id":"00000000-0000-7000-8000-00000000000d","tenant_id":"t1","run_id":"00000000-0000-7000-8000-0000000000f1","job_key":"d","job_type":"demo.x","status":"pending","parents_pending":2,"payload_digest":"sha256:x"},
 {"id":"00000000-0000-7000-8000-000000000001","tenant_id":"t1","job_type":"demo.x","priority":9,"idempotency_key":"k1","payload":{"n":1},"payload_digest":"sha256:y"}
]', 'api');
EXECUTE kInsertEdges('[
 {"tenant_id":"t1","run_id":"00000000-0000-7000-8000-0000000000f1","parent_id":"00000000-0000-7000-8000-00000000000a","child_id":"00000000-0000-7000-8000-00000000000b"},
 {"tenant_id":"t1","run_id":"00000000-0000-7000-8000-0000000000f1","parent_id":"00000000-0000-7000-8000-00000000000a","child_id":"00000000-0000-7000-8000-00000000000c"},
 {"tenant_id":"t1","run_id":"00000000-0000-7000-8000-0000000000f1","parent_id":"00000000-0000-7000-8000-00000000000b","child_id":"00000000-0000-7000-8000-00000000000d"},
 {"tenant_id":"t1","run_id":"00000000-0000-7000-8000-0000000000f1","parent_id":"00000000-0000-7000-8000-00000000000c","child_id":"00000000-0000-7000-8000-00000000000d"}]');
EXECUTE kEnqueueBatch('[{"id":"00000000-0000-7000-8000-000000000099","tenant_id":"t1","job_type":"demo.x","idempotency_key":"k1","payload_digest":"sha256:y"}]', 'api');
-- RLS: tenant t1 cannot insert for t2
\set ON_ERROR_STOP 0
EXECUTE kEnqueueBatch('[{"id":"00000000-0000-7000-8000-000000000077","tenant_id":"t2","job_type":"demo.x","payload_digest":"sha256:y"}]', 'api');
\set ON_ERROR_STOP 1
-- claim: priority 9 standalone first, then a
BEGIN;
EXECUTE kClaimBatch('{demo.x}', 10, 30, 'w1');
COMMIT;
SELECT id, status, lease_id IS NOT NULL AS leased, attempts FROM scheduler.jobs ORDER BY id;
-- heartbeat a (leased -> running), stale heartbeat for the other
SELECT lease_id AS la FROM scheduler.jobs WHERE job_key = 'a' \gset
SELECT lease_id AS l1 FROM scheduler.jobs WHERE id = '00000000-0000-7000-8000-000000000001' \gset
EXECUTE kHeartbeatBatch(format('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000a","lease_id":"%s","progress":40,"message":"half"},{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-000000000001","lease_id":"00000000-0000-0000-0000-000000000000"}]', :'la')::jsonb, 60, 'w1');
-- complete a succeeded (releases b and c), and the standalone with a stale lease
EXECUTE kCompleteBatch(format('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000a","lease_id":"%s","status":"succeeded"},{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-000000000001","lease_id":"00000000-0000-0000-0000-000000000000","status":"succeeded"}]', :'la')::jsonb, 'w1');
-- fence: repeating the same completion is stale
EXECUTE kCompleteBatch(format('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000a","lease_id":"%s","status":"succeeded"}]', :'la')::jsonb, 'w1');
-- claim b and c; b fails finally (dead letter) -> d canceled upstream_failed; c retried
EXECUTE kClaimBatch('{demo.x}', 10, 30, 'w2');
SELECT lease_id AS lb FROM scheduler.jobs WHERE job_key = 'b' \gset
SELECT lease_id AS lc FROM scheduler.jobs WHERE job_key = 'c' \gset
EXECUTE kLockForCompletion(format('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000b","lease_id":"%s"}]', :'lb')::jsonb);
EXECUTE kCompleteBatch(format('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000b","lease_id":"%s","status":"failed","reason":"permanent_error","error":{"code":"SCHEMA_INVALID","message":"bad"},"dead_letter_id":"00000000-0000-7000-8000-0000000000d1","error_class":"permanent","fingerprint":"sha256:fp"},{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000c","lease_id":"%s","status":"queued","reason":"retry_scheduled","next_eligible_at":"2020-01-01T00:00:00Z","error":{"code":"TIMEOUT"},"data":{"backoffMs":4000}}]', :'lb', :'lc')::jsonb, 'w2');
SELECT id, job_key, status, reason, parents_pending, attempts FROM scheduler.jobs ORDER BY id;
SELECT job_id, job_type, final_status, error_class, fingerprint, error_code FROM scheduler.dead_letters;
-- throttle / unthrottle / cancel
EXECUTE kThrottleBatch('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000c","reason":"rate_limited","next_eligible_at":"2020-01-01T00:00:00Z"}]', 'runner');
EXECUTE kUnthrottleDue(10, 'runner');
BEGIN;
EXECUTE kLockCandidates('{demo.x}', 10);
EXECUTE kLeaseLocked('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000c"}]', 1, 'w3');
COMMIT;
EXECUTE kCancelJobs('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000c"}]', 'alice', 'operator');
-- lease expiry: lease of 1 s; wait, sweep as system (cancel_requested -> canceled)
SELECT pg_sleep(1.2);
SET jobengine.tenant = 'system';
EXECUTE kSweepExpired(100, 'sweeper', 'sha256:lease');
EXECUTE kCascadeCancel('[{"tenant_id":"t1","job_id":"00000000-0000-7000-8000-00000000000c"}]', 'sweeper');
SELECT job_id, seq, event_type, body -> 'job' ->> 'fromStatus' AS from_status,
       body -> 'job' ->> 'status' AS to_status FROM jobengine.events ORDER BY job_id, seq;
\set ON_ERROR_STOP 0
SET jobengine.tenant = 't2';
SELECT count(*) AS t2_sees FROM scheduler.jobs;
RESET jobengine.tenant;
SELECT count(*) AS unbound_sees FROM scheduler.jobs;
