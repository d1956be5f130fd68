// pg-boss measured like bench/throughput: batch enqueue, drain of N pre-enqueued no-op jobs
// (each row set to state 'completed' and kept), and enqueue → handler start latency.
import { createRequire } from "node:module";
import PgBoss from "pg-boss";
import * as c from "./common.mjs";

const Q = "pg-boss";
const VERSION = createRequire(import.meta.url)("pg-boss/package.json").version;
const DB = "refbench_pgboss";
// 0.5 s is the smallest polling interval pg-boss 10 accepts (attorney.js POLICY).
const POLL_S = 0.5;

// Drain settings tried; the best is reported. pg-boss 10 has no teamSize: concurrency is
// several work() calls on the queue, each a polling loop that fetches batchSize jobs
// (FOR UPDATE SKIP LOCKED), hands them to the handler as one array, then completes them
// all in one UPDATE. A loop waits out the rest of its polling interval after every fetch,
// so throughput is at most workers × batchSize / 0.5 s until the database is the limit;
// 16 × 500 lifts that bound (16,000 /s) to see where the database stops it.
// batchSize 200 is the engine's claim batch in bench/throughput.
const SETTINGS = [
  { workers: 4, batchSize: 200 },
  { workers: 8, batchSize: 200 },
  { workers: 8, batchSize: 500 },
  { workers: 16, batchSize: 500 },
].map((s) => ({ ...s, label: `${s.workers} workers, batchSize ${s.batchSize}, polling ${POLL_S} s` }));

// insert(): one INSERT … SELECT FROM json_to_recordset per batch of 500.
async function enqueue(boss, queue) {
  const t0 = c.now();
  for (let i = 0; i < c.N; i += c.BATCH) {
    const n = Math.min(c.BATCH, c.N - i);
    await boss.insert(Array.from({ length: n }, () => ({ name: queue, data: {} })));
  }
  return c.now() - t0;
}

async function drain(boss, db, queue, { workers, batchSize }) {
  const seen = c.counter(c.N);
  const t0 = c.now();
  for (let w = 0; w < workers; w++) {
    await boss.work(queue, { batchSize, pollingIntervalSeconds: POLL_S }, async (jobs) => seen.add(jobs.length));
  }
  await seen.done();
  // Completed jobs stay in the job table; the clock stops once none is left unfinished.
  await c.waitUntilZero(db, "select count(*) as n from pgboss.job where name = $1 and state <> 'completed'", [queue]);
  const ms = c.now() - t0;
  await boss.offWork(queue);
  return ms;
}

// notify: call boss.notifyWorker(id) after each send, which cuts the worker's polling sleep
// short. It only works when producer and worker share one process, so it is reported apart.
async function latency(boss, queue, notify) {
  await boss.createQueue(queue);
  const sent = new Map();
  const lat = [];
  const seen = c.counter(c.LATENCY_JOBS);
  // batchSize 50: at one poll per 0.5 s a single-job fetch would fall behind 50 jobs/s.
  const id = await boss.work(queue, { batchSize: 50, pollingIntervalSeconds: POLL_S }, async (jobs) => {
    const t = c.now();
    for (const job of jobs) lat.push(t - sent.get(job.data.i));
    seen.add(jobs.length);
  });
  await c.sleep(1000); // idle worker
  for (let i = 0; i < c.LATENCY_JOBS; i++) {
    sent.set(i, c.now());
    await boss.send(queue, { i });
    if (notify) boss.notifyWorker(id);
    await c.sleep(c.LATENCY_GAP_MS);
  }
  await seen.done();
  await boss.offWork(queue);
  return lat;
}

await c.createDatabase(DB);
const db = await c.connect(DB);
// max: pool size; 16 polling workers plus completions in flight.
const boss = new PgBoss({ connectionString: c.url(DB), max: 20 });
boss.on("error", (e) => console.error(`${Q}: ${e.message}`));
await boss.start();

const results = [];
for (const [k, setting] of SETTINGS.entries()) {
  // A queue per setting: pg-boss 10 gives each queue its own partition, so every drain
  // starts from a table holding just its 20,000 jobs.
  const queue = `noop_${k}`;
  await boss.createQueue(queue);
  const enqMs = await enqueue(boss, queue);
  if (k === 0) c.report(Q, VERSION, "enqueue", `${c.rate(c.N, enqMs)} /s`, `insert, batches of ${c.BATCH}`);
  await db.query("VACUUM ANALYZE"); // same starting point for every setting, untimed
  const ms = await drain(boss, db, queue, setting);
  results.push({ setting, rate: c.rate(c.N, ms) });
  c.report(Q, VERSION, "drain-try", `${c.rate(c.N, ms)} /s`, setting.label);
}
const best = results.reduce((a, b) => (b.rate > a.rate ? b : a));
c.report(Q, VERSION, "drain", `${best.rate} /s`, best.setting.label);

c.report(Q, VERSION, "latency", c.summary(await latency(boss, "probe", false)), `polling ${POLL_S} s, batchSize 50`);
c.report(Q, VERSION, "latency-notify", c.summary(await latency(boss, "probe_notify", true)), "notifyWorker() after send, same process only");

await boss.stop({ graceful: false, wait: true });
await db.end();
