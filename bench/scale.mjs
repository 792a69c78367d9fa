#!/usr/bin/env node
// Part 5 of `npm run bench` (alone: `npm run bench -- scale [--sizes 15,1000,10000,100000]`): how the
// service behaves as an environment grows, against a real `npm run dev` (wrangler dev / workerd on
// loopback), for each size on a fresh state directory:
//   publish     import the N flags (chunks of ≤ 10,000, the first one `replace`, so the environment
//               holds exactly N) → KV has the version → the edge serves the last flag;
//   cold        the dev server restarted on the same state: the first single-flag evaluation (the
//               isolate holds no snapshot: KV read, parse, compile);
//   change      one flag changed, KV has the new version, then the first evaluation that must see
//               it (`?flagConfigEtag=<version>`, as a provider re-fetches after a change event);
//   steady      single-flag evaluations with keys rotating over all N flags (8 in flight);
//   bulk        OFREP bulk evaluation of all N flags, full body read, per 1,000 flags.
// Ratios are against the 15-flag row of the same run. It drives whatever snapshot format is in the
// tree; a size whose snapshot cannot be published is reported as such (and its evaluations skipped).
// Every flag has 3 rules and a 25 % rollout (bench/fixtures.mjs `oursFlag`).
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { flagKeys, oursFlag } from "./fixtures.mjs";
import { startDevServer } from "./http.mjs";

const ADMIN = { Authorization: "Bearer dev-admin-token", "Content-Type": "application/json" };
const ENV = "staging";
export const SCALE_SIZES = [15, 1_000, 10_000, 100_000];
const CHUNK = 10_000;
const STEADY_REQUESTS = 2_000;
const STEADY_CONCURRENCY = 8;
/** One-flag changes per size; the median first evaluation after them counts. */
const CHANGES = 5;
/** How long a size may take to be published and served before it counts as not publishable. */
const PUBLISH_WAIT_MS = 180_000;
const CONTEXT = { targetingKey: "user-42", plan: "pro", email: "user42@corp.io", country: "DE" };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
const median = (xs) => percentile([...xs].sort((a, b) => a - b), 50);

/** Parses `--sizes a,b,c`; throws on anything else. */
export function parseScaleArgs(argv) {
  const o = { sizes: SCALE_SIZES, merge: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "scale") continue;
    if (a === "--merge") {
      o.merge = true;
      continue;
    }
    if (a === "--sizes") {
      o.sizes = String(argv[++i] ?? "").split(",").map(Number);
      if (o.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--sizes needs positive integers, e.g. 15,1000,10000");
    } else throw new Error(`unknown option ${a}\nusage: npm run bench -- scale [--sizes 15,1000,10000,100000] [--merge]\n  --merge  keep the rows of other sizes from the last run (bench/.build/scale-last.json)`);
  }
  if (!o.sizes.includes(15)) o.sizes = [15, ...o.sizes]; // the baseline of every ratio
  return o;
}

async function admin(base, method, path, body) {
  const res = await fetch(`${base}/admin/v1${path}`, { method, headers: ADMIN, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function environmentStatus(base) {
  const status = await admin(base, "GET", "/status");
  return status.environments.find((e) => e.env === ENV);
}

/** One timed request; returns ms and the status (the body is read whole). */
async function timed(url, init) {
  const t = performance.now();
  const res = await fetch(url, init);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t, status: res.status, bytes: body.byteLength, res };
}

const evalInit = (key) => ({ method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify({ context: CONTEXT }) });

/** Waits until KV has at least `version` (or the publish reports an error and the wait times out). */
async function waitPublished(base, version, deadline) {
  for (;;) {
    const s = await environmentStatus(base);
    if (s.publishedVersion >= version) return { ok: true, status: s };
    if (Date.now() > deadline) return { ok: false, status: s };
    await sleep(100);
  }
}

async function measureSize(n, { log }) {
  const dir = mkdtempSync(join(tmpdir(), "edgeflags-scale-"));
  const persistDir = join(dir, "state");
  const row = { flags: n };
  let server = await startDevServer({ log, persistDir, readyPath: "/health/live" });
  try {
    const base = server.base;
    const { key } = await admin(base, "POST", `/envs/${ENV}/sdk-keys`, { name: "bench-scale", kind: "server" });
    const keys = flagKeys(n);
    const last = keys[keys.length - 1];
    // publish: import → KV has it → the edge serves the last flag.
    const t0 = performance.now();
    let version = 0;
    for (let i = 0; i < keys.length; i += CHUNK) {
      const flags = keys.slice(i, i + CHUNK).map(oursFlag);
      const mode = i === 0 ? "replace" : "merge";
      const tc = performance.now();
      try {
        const res = await admin(base, "POST", `/envs/${ENV}/import?mode=${mode}`, { flags });
        version = res.environmentVersion;
      } catch (error) {
        throw new Error(`import of flags ${i}-${i + flags.length - 1} failed after ${((performance.now() - tc) / 1000).toFixed(0)} s (${i} flags in): ${error.message ?? error}`);
      }
      if (n > CHUNK) log(`${n} flags: ${i + flags.length} imported (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    row.importMs = performance.now() - t0;
    const deadline = Date.now() + PUBLISH_WAIT_MS;
    const kv = await waitPublished(base, version, deadline);
    row.flagBytes = kv.status.flagBytes;
    row.largestValueBytes = kv.status.largestValueBytes;
    if (!kv.ok) {
      row.publishError = kv.status.lastPublishError ?? `not published within ${PUBLISH_WAIT_MS / 1000} s`;
      log(`${n} flags: not publishable: ${row.publishError}`);
      return row;
    }
    row.kvMs = performance.now() - t0;
    for (;;) {
      const r = await timed(`${base}/ofrep/v1/evaluate/flags/${last}`, evalInit(key));
      if (r.status === 200) break;
      if (Date.now() > deadline) throw new Error(`${n} flags: the edge never served ${last} (last status ${r.status})`);
      await sleep(50);
    }
    row.publishMs = performance.now() - t0;
    log(`${n} flags: imported in ${row.importMs.toFixed(0)} ms, in KV after ${row.kvMs.toFixed(0)} ms, served after ${row.publishMs.toFixed(0)} ms`);

    // cold: restart on the same state; the first evaluation loads the snapshot.
    await server.stop();
    server = await startDevServer({ log, persistDir, readyPath: "/health/live" });
    const middle = keys[keys.length >> 1];
    const cold = await timed(`${server.base}/ofrep/v1/evaluate/flags/${middle}`, evalInit(key));
    if (cold.status !== 200) throw new Error(`${n} flags: cold evaluation answered ${cold.status}`);
    row.coldMs = cold.ms;

    // change: one flag changes; the first evaluation that must see it (median of CHANGES changes).
    const changes = [];
    for (let c = 0; c < CHANGES; c++) {
      const changed = await admin(server.base, "PATCH", `/envs/${ENV}/flags/${keys[(c * 7919) % keys.length]}`, { description: `changed ${c} ${Date.now()}` });
      const after = await waitPublished(server.base, changed.environmentVersion, Date.now() + PUBLISH_WAIT_MS);
      if (!after.ok) throw new Error(`${n} flags: the one-flag change was not published: ${after.status.lastPublishError}`);
      const first = await timed(`${server.base}/ofrep/v1/evaluate/flags/${keys[0]}?flagConfigEtag=${changed.environmentVersion}`, evalInit(key));
      if (first.status !== 200) throw new Error(`${n} flags: evaluation after the change answered ${first.status}`);
      changes.push(first.ms);
    }
    row.changeMs = median(changes);

    // steady: keys rotating over every flag (stride 7919, prime), 8 requests in flight.
    const latencies = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < STEADY_REQUESTS; i = next++) {
        const k = keys[(i * 7919) % keys.length];
        const r = await timed(`${server.base}/ofrep/v1/evaluate/flags/${k}`, evalInit(key));
        if (r.status !== 200) throw new Error(`${n} flags: steady evaluation of ${k} answered ${r.status}`);
        latencies.push(r.ms);
      }
    };
    for (let i = 0; i < 200; i++) await timed(`${server.base}/ofrep/v1/evaluate/flags/${keys[i % keys.length]}`, evalInit(key)); // warm-up
    const ts = performance.now();
    await Promise.all(Array.from({ length: STEADY_CONCURRENCY }, worker));
    const sorted = latencies.sort((a, b) => a - b);
    row.steady = { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, rps: sorted.length / ((performance.now() - ts) / 1000) };

    // bulk: all N flags, full body.
    const reps = n <= 1_000 ? 20 : n <= 10_000 ? 8 : 3;
    const bulk = [];
    let bulkBytes = 0;
    for (let i = 0; i < reps + 1; i++) {
      const r = await timed(`${server.base}/ofrep/v1/evaluate/flags`, evalInit(key));
      if (r.status !== 200) throw new Error(`${n} flags: bulk answered ${r.status}`);
      bulkBytes = r.bytes;
      if (i > 0) bulk.push(r.ms); // the first one warms up
    }
    row.bulk = { reps, ms: median(bulk), bytes: bulkBytes, msPer1000: median(bulk) / (n / 1000) };
    log(`${n} flags: cold ${row.coldMs.toFixed(1)} ms, after a change ${row.changeMs.toFixed(1)} ms, steady p50 ${row.steady.p50.toFixed(2)} ms, bulk ${row.bulk.ms.toFixed(1)} ms`);
    return row;
  } catch (error) {
    log(`${n} flags: dev server log:\n${server.logTail()}`);
    throw error;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs every size (15 first: the baseline); a failing size is recorded and the others still run.
 * With `options.previous` (`--merge`), rows of sizes not run now are kept from that earlier run.
 */
export async function runScale({ log = () => {}, options = { sizes: SCALE_SIZES } } = {}) {
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg();
  const rows = [];
  for (const n of [...new Set(options.sizes)].sort((a, b) => a - b)) {
    try {
      rows.push(await measureSize(n, { log }));
    } catch (error) {
      log(`${n} flags failed: ${error.stack ?? error}`);
      rows.push({ flags: n, error: String(error.message ?? error).split("\n")[0] });
    }
  }
  if (options.previous) {
    const now = new Set(rows.map((r) => r.flags));
    for (const r of options.previous.rows ?? []) if (!now.has(r.flags)) rows.push({ ...r, from: options.previous.startedAt });
    rows.sort((a, b) => a.flags - b.flags);
  }
  return { startedAt, loadStart, loadEnd: os.loadavg(), cores: os.cpus().length, sizes: options.sizes, changes: CHANGES, chunk: CHUNK, steadyRequests: STEADY_REQUESTS, steadyConcurrency: STEADY_CONCURRENCY, rows };
}
