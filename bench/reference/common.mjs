// Helpers shared by the two queue benches: the figures they print and how they wait.
import { performance } from "node:perf_hooks";
import pg from "pg";

// Same job count and enqueue batch as bench/throughput (je_bench_throughput defaults).
export const N = Number(process.env.REFBENCH_JOBS || 20000);
export const BATCH = 500;
// Latency probe: 200 single enqueues, ~20 ms apart, on an idle worker.
export const LATENCY_JOBS = Number(process.env.REFBENCH_LATENCY_JOBS || 200);
export const LATENCY_GAP_MS = 20;

export const url = (db) => `postgres://postgres@127.0.0.1:${process.env.PGPORT}/${db}`;
export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function rate(jobs, ms) {
  return Math.round((jobs * 1000) / ms);
}

// Nearest-rank percentile of a list of milliseconds.
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// One grep-able line: "<queue> <version>  <figure>  <value> [(settings)]".
export function report(queue, version, figure, value, settings = "") {
  console.log(`${queue} ${version}  ${figure}  ${value}${settings ? `  (${settings})` : ""}`);
}

// A handler-side counter: done() resolves once the handler has seen `target` jobs.
export function counter(target) {
  let seen = 0;
  let resolve;
  const reached = new Promise((r) => (resolve = r));
  return {
    add(k = 1) {
      seen += k;
      if (seen >= target) resolve();
    },
    get seen() {
      return seen;
    },
    done: () => reached,
  };
}

// Neither library awaits its completion write before taking the next job, so the handler
// count alone would stop the clock early. After it, poll (every 5 ms, only at the tail of
// the drain) until the database says no job is left unfinished: the figure includes the
// last completion being committed.
export async function waitUntilZero(client, sql, params = []) {
  for (;;) {
    const { rows } = await client.query(sql, params);
    if (Number(rows[0].n) === 0) return;
    await sleep(5);
  }
}

export async function connect(db) {
  const c = new pg.Client({ connectionString: url(db) });
  await c.connect();
  return c;
}

// A fresh database per queue so neither sees the other's tables.
export async function createDatabase(db) {
  const c = await connect("postgres");
  await c.query(`DROP DATABASE IF EXISTS ${db}`);
  await c.query(`CREATE DATABASE ${db}`);
  await c.end();
}

export function summary(latencies) {
  return `p50 ${percentile(latencies, 50).toFixed(1)} ms p99 ${percentile(latencies, 99).toFixed(1)} ms`;
}
