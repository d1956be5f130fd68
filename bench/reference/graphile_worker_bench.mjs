// graphile-worker measured like bench/throughput: batch enqueue, drain of N pre-enqueued
// no-op jobs (each deleted = completed on its own row), and enqueue → handler start latency.
import { createRequire } from "node:module";
import { run, makeWorkerUtils, Logger } from "graphile-worker";
import * as c from "./common.mjs";

const Q = "graphile-worker";
const VERSION = createRequire(import.meta.url)("graphile-worker/package.json").version;
const DB = "refbench_gw";
const connectionString = c.url(DB);
// Its info lines ("Worker connected…", one per job start at debug) would drown the figures.
const logger = new Logger(() => (level, message) => {
  if (level === "error") console.error(`${Q}: ${message}`);
});

// Drain settings tried; the best one is reported. The last is the configuration of the
// library's own performance page (worker.graphile.org/docs/performance): 24 concurrent
// jobs, pool 25, a local queue of 500 locked jobs, job completions batched.
const SETTINGS = [
  { label: "concurrency 10, no batching", worker: { concurrentJobs: 10, maxPoolSize: 12 } },
  {
    label: "concurrency 4, localQueue 200, completeJobBatchDelay 0",
    worker: { concurrentJobs: 4, maxPoolSize: 10, localQueue: { size: 200 }, completeJobBatchDelay: 0 },
  },
  {
    label: "concurrency 24, localQueue 500, completeJobBatchDelay 0",
    worker: {
      concurrentJobs: 24, maxPoolSize: 25, localQueue: { size: 500 },
      completeJobBatchDelay: 0, failJobBatchDelay: 0,
    },
  },
];

function start(worker, taskList) {
  return run({
    logger,
    noHandleSignals: true,
    taskList,
    // pollInterval only matters for future-dated jobs; new jobs wake the worker by NOTIFY.
    preset: { worker: { connectionString, pollInterval: 2000, ...worker } },
  });
}

// add_jobs: one SQL call (one transaction) per batch of 500.
async function enqueue(utils) {
  const t0 = c.now();
  for (let i = 0; i < c.N; i += c.BATCH) {
    const n = Math.min(c.BATCH, c.N - i);
    await utils.addJobs(Array.from({ length: n }, () => ({ identifier: "noop", payload: {} })));
  }
  return c.now() - t0;
}

async function drain(db, setting) {
  const seen = c.counter(c.N);
  const t0 = c.now();
  const runner = await start(setting.worker, { noop: async () => seen.add() });
  await seen.done();
  // Completed jobs are deleted; the clock stops once none is left.
  await c.waitUntilZero(db, "select count(*) as n from graphile_worker._private_jobs");
  const ms = c.now() - t0;
  await runner.stop();
  return ms;
}

async function latency(utils, setting) {
  const sent = new Map();
  const lat = [];
  const seen = c.counter(c.LATENCY_JOBS);
  const runner = await start(setting.worker, {
    probe: async (payload) => {
      lat.push(c.now() - sent.get(payload.i));
      seen.add();
    },
  });
  await c.sleep(1000); // let the worker settle into idle (LISTEN, empty local queue)
  for (let i = 0; i < c.LATENCY_JOBS; i++) {
    sent.set(i, c.now());
    await utils.addJob("probe", { i });
    await c.sleep(c.LATENCY_GAP_MS);
  }
  await seen.done();
  await runner.stop();
  return lat;
}

await c.createDatabase(DB);
const db = await c.connect(DB);
const utils = await makeWorkerUtils({ connectionString, logger });
await utils.migrate();

const results = [];
for (const [k, setting] of SETTINGS.entries()) {
  const enqMs = await enqueue(utils);
  // The first batch enqueue, into empty tables, is the enqueue figure (like bench/throughput).
  if (k === 0) c.report(Q, VERSION, "enqueue", `${c.rate(c.N, enqMs)} /s`, `addJobs, batches of ${c.BATCH}`);
  await db.query("VACUUM ANALYZE"); // same starting point for every setting, untimed
  const ms = await drain(db, setting);
  results.push({ setting, rate: c.rate(c.N, ms) });
  c.report(Q, VERSION, "drain-try", `${c.rate(c.N, ms)} /s`, setting.label);
}
const best = results.reduce((a, b) => (b.rate > a.rate ? b : a));
c.report(Q, VERSION, "drain", `${best.rate} /s`, best.setting.label);

// Latency with the default setting (no local queue) and, if another won, the best drain one.
const latencySettings = best.setting === SETTINGS[0] ? [SETTINGS[0]] : [SETTINGS[0], best.setting];
for (const setting of latencySettings) {
  const figure = setting === SETTINGS[0] ? "latency" : "latency-best";
  c.report(Q, VERSION, figure, c.summary(await latency(utils, setting)), `${setting.label}; LISTEN/NOTIFY`);
}

await utils.release();
await db.end();
