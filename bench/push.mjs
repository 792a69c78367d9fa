#!/usr/bin/env node
// Part 4 of `npm run bench` (alone: `npm run bench -- push`, or `node bench/push.mjs`): push
// time-to-effect under `npm run dev`, from sending the admin kill-switch call to the client seeing
// the new value:
//   (a) one headless chromium with the stock @openfeature/ofrep-web-provider, default options;
//   (b) N (1,000) concurrent SSE clients on the advertised eventStreams[0].url, each time-stamping
//       the event; a sample re-fetches with ?flagConfigEtag= right away and must see the new value;
//   (c) idle cost: the same N connections open and nothing changing for 30 s (RSS and CPU of the
//       dev server's workerd processes; DO wall time is not observable locally).
// Loopback only; every wait is bounded; the dev server, browser and streams are always shut down.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevServer } from "./http.mjs";
import { groupTotals } from "./proc-stats.mjs";
import { renderPushResults } from "./push-report.mjs";
import { openClients } from "./sse-clients.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ADMIN = { Authorization: "Bearer dev-admin-token", "Content-Type": "application/json" };
const ENV = "production";
const FLAG = "bench_push_kill";

export const PUSH_DEFAULTS = {
  flips: 12, // ≥ 10 per scenario, alternating disable / enable
  clients: 1000,
  sample: 20, // SSE clients that re-fetch after each event
  idleS: 30,
  browserWaitMs: 10_000, // per flip, then counted as a miss
  eventWaitMs: 5_000, // per flip, for all SSE clients
  gapMs: 500, // between flips
  connectBatch: 50,
  pollMs: 0, // > 0: force the browser provider to poll (the pre-push comparison); (b) and (c) still need eventStreams
  screenshot: join(root, "docs", "img", "push-browser.png"),
  parts: ["browser", "sse", "idle"],
};

const USAGE = `usage: node bench/push.mjs [options]   (or: npm run bench -- push [options])

Push time-to-effect under npm run dev (loopback only). Prints the results table.
  --flips N            flips per scenario (default ${PUSH_DEFAULTS.flips}, at least 10 for the docs)
  --clients N          concurrent SSE clients (default ${PUSH_DEFAULTS.clients})
  --sample N           SSE clients that re-fetch with ?flagConfigEtag= after each event (default ${PUSH_DEFAULTS.sample})
  --idle-s N           idle window with all clients connected (default ${PUSH_DEFAULTS.idleS})
  --parts a,b          any of browser,sse,idle (default all)
  --poll-ms N          force the browser provider to poll every N ms (comparison; not push)
  --screenshot PATH    where the browser part saves its screenshot (default docs/img/push-browser.png)
  --no-screenshot      save none
  --dry-run            print the settings and an empty results table; start nothing
  --help               this text
Run through bench/run.mjs (npm run bench -- push) it also rewrites the push section of docs/benchmarks.md.`;

/** Parses the options above; throws on an unknown one. */
export function parsePushArgs(argv) {
  const o = { ...PUSH_DEFAULTS, dryRun: false, help: false };
  const num = (i) => {
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${argv[i]} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "push") continue; // the sub-command word of bench/run.mjs
    else if (a === "--flips") o.flips = num(i++);
    else if (a === "--clients") o.clients = num(i++);
    else if (a === "--sample") o.sample = num(i++);
    else if (a === "--idle-s") o.idleS = num(i++);
    else if (a === "--poll-ms") o.pollMs = num(i++);
    else if (a === "--parts") o.parts = String(argv[++i] ?? "").split(",").filter(Boolean);
    else if (a === "--screenshot") o.screenshot = argv[++i];
    else if (a === "--no-screenshot") o.screenshot = null;
    else if (a === "--dry-run") o.dryRun = true;
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  for (const p of o.parts) if (!PUSH_DEFAULTS.parts.includes(p)) throw new Error(`unknown part ${p}`);
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function admin(base, method, path, body) {
  const init = { method, headers: ADMIN, signal: AbortSignal.timeout(15_000) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${base}/admin/v1${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function bulk(base, sdkKey, query = "") {
  const res = await fetch(`${base}/ofrep/v1/evaluate/flags${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${sdkKey}` },
    body: JSON.stringify({ context: { targetingKey: "bench-user-1" } }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await res.json();
  return { status: res.status, body, value: body.flags?.find((f) => f.key === FLAG)?.value };
}

/** The flip number i (0-based) of a scenario: disable first, from the flag being on. */
const flipOf = (i) => (i % 2 === 0 ? { action: "disable", expect: false } : { action: "enable", expect: true });

async function flip(base, i, label) {
  const { action, expect } = flipOf(i);
  await admin(base, "POST", `/envs/${ENV}/flags/${FLAG}/${action}`, { reason: `bench push ${label} #${i + 1}` });
  return expect;
}

/** Sets the flag on (and known to the edge) before a scenario, so every scenario starts alike. */
async function resetFlagOn(base, sdkKey) {
  await admin(base, "POST", `/envs/${ENV}/flags/${FLAG}/enable`, { reason: "bench push: reset" });
  for (let i = 0; i < 100; i++) {
    if ((await bulk(base, sdkKey)).value === true) return;
    await sleep(200);
  }
  throw new Error(`the edge did not serve ${FLAG} = true within 20 s`);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function stats(latencies) {
  const s = Float64Array.from(latencies).sort();
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : null };
}

/** (a) One page, stock provider: time from sending each flip to the page's value changing. */
async function browserPart(base, sdkKey, o, log) {
  const { startOfrepPage } = await import("../test/e2e/support/ofrep-page.mjs");
  const { launchChromium } = await import("../test/e2e/support/chromium.mjs");
  const site = await startOfrepPage({ ofrepBaseUrl: base });
  let browser;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    await page.goto(site.pageUrl({ flag: FLAG, sdkKey, pollMs: o.pollMs }), { timeout: 30_000 });
    const seen = async () => page.evaluate("window.__seen ?? []");
    const ready = Date.now() + 20_000;
    while ((await seen()).at(-1)?.value !== true) {
      if (Date.now() > ready) throw new Error(`page never showed ${FLAG} = true: ${JSON.stringify(await seen())} ${await page.evaluate("window.__error ?? ''")}`);
      await sleep(100);
    }
    const latencies = [];
    let misses = 0;
    for (let i = 0; i < o.flips; i++) {
      const before = (await seen()).length;
      const t0 = Date.now();
      const expect = await flip(base, i, "browser");
      let hit;
      while (Date.now() - t0 < o.browserWaitMs) {
        hit = (await seen()).slice(before).find((v) => v.value === expect);
        if (hit) break;
        await sleep(10);
      }
      if (hit) latencies.push(hit.at - t0);
      else misses++;
      log(`browser flip ${i + 1}/${o.flips}: ${hit ? `${hit.at - t0} ms` : `missed (${o.browserWaitMs} ms)`}`);
      await sleep(o.gapMs);
    }
    if (o.screenshot) {
      mkdirSync(dirname(o.screenshot), { recursive: true });
      await page.screenshot({ path: o.screenshot });
      log(`saved ${o.screenshot}`);
    }
    return { mode: o.pollMs > 0 ? `polling every ${o.pollMs} ms (forced)` : "default options (event streams)", flips: o.flips, misses, ...stats(latencies) };
  } finally {
    await browser?.close().catch(() => {});
    await site.close();
  }
}

/** The advertised stream URL; refuses anything that is not loopback (this bench never leaves the box). */
function streamUrlOf(body) {
  const stream = Array.isArray(body.eventStreams) ? body.eventStreams.find((s) => s?.type === "sse") : undefined;
  if (!stream?.url) return null;
  const url = new URL(stream.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) throw new Error(`advertised stream URL is not loopback: ${stream.url}`);
  return url.href;
}

/** (b) and (c): N SSE clients; idle window first (nothing changes), then the flips. */
async function ssePart(server, base, sdkKey, url, o, log) {
  const wantIdle = o.parts.includes("idle");
  const wantSse = o.parts.includes("sse");
  const before = groupTotals(server.pid);
  // During a flip, `sampleWanted` clients re-fetch as soon as their event arrives.
  let current = null; // { expect, refetches: [], sampled: Set of client indexes }
  const sampleEvery = Math.max(1, Math.floor(o.clients / Math.max(1, o.sample)));
  const onEvent = (client, event) => {
    if (current === null || o.sample === 0 || client.index % sampleEvery !== 0) return;
    const flipState = current;
    if (flipState.sampled.has(client.index)) return; // its first event of this flip only
    flipState.sampled.add(client.index);
    const started = performance.now();
    const q = new URLSearchParams();
    if (event.etag !== undefined) q.set("flagConfigEtag", String(event.etag));
    if (event.lastModified !== undefined) q.set("flagConfigLastModified", String(event.lastModified));
    flipState.refetches.push(
      bulk(base, sdkKey, `?${q}`).then(
        (r) => ({ ok: r.status === 200 && r.value === flipState.expect, ms: performance.now() - started, got: r.value }),
        (error) => ({ ok: false, ms: performance.now() - started, got: String(error) }),
      ),
    );
  };
  const t0 = Date.now();
  const pool = await openClients({ url, count: o.clients, batch: o.connectBatch, onEvent });
  try {
    log(`SSE: ${pool.connected()}/${o.clients} connected in ${((Date.now() - t0) / 1000).toFixed(1)} s${pool.errors().length ? `; first error: ${pool.errors()[0]}` : ""}`);
    await sleep(2_000);
    const result = { clients: o.clients, connected: pool.connected() };
    if (wantIdle) {
      const eventsBefore = pool.clients.reduce((a, c) => a + c.events.length, 0);
      const pingsBefore = pool.clients.reduce((a, c) => a + c.pings, 0);
      const start = groupTotals(server.pid);
      log(`idle: ${o.idleS} s with ${pool.connected()} connections and no changes`);
      await sleep(o.idleS * 1000);
      const end = groupTotals(server.pid);
      const workerd = (t) => t.workerd ?? { rssBytes: 0, cpuMs: 0, count: 0 };
      result.idle = {
        seconds: o.idleS,
        connected: pool.connected(),
        workerdProcesses: workerd(end).count,
        rssBeforeBytes: workerd(before).rssBytes,
        rssAfterBytes: workerd(end).rssBytes,
        bytesPerConnection: (workerd(end).rssBytes - workerd(before).rssBytes) / Math.max(1, pool.connected()),
        workerdCpuMs: workerd(end).cpuMs - workerd(start).cpuMs,
        otherCpuMs: Object.entries(end).filter(([k]) => k !== "workerd").reduce((a, [k, v]) => a + v.cpuMs - (start[k]?.cpuMs ?? 0), 0),
        events: pool.clients.reduce((a, c) => a + c.events.length, 0) - eventsBefore,
        pings: pool.clients.reduce((a, c) => a + c.pings, 0) - pingsBefore,
      };
    }
    if (wantSse) {
      const latencies = [];
      const perFlipMax = [];
      let misses = 0;
      const refetch = { total: 0, stale: 0, ms: [] };
      for (let i = 0; i < o.flips; i++) {
        const counts = pool.clients.map((c) => c.events.length);
        current = { expect: flipOf(i).expect, refetches: [], sampled: new Set() };
        const start = performance.now();
        await flip(base, i, "sse");
        const deadline = start + o.eventWaitMs;
        const arrived = () => pool.clients.filter((c, k) => c.events.length > counts[k]).length;
        while (arrived() < pool.clients.length && performance.now() < deadline) await sleep(5);
        let flipMax = 0;
        pool.clients.forEach((c, k) => {
          const e = c.events[counts[k]];
          if (e === undefined) misses++;
          else {
            latencies.push(e.at - start);
            flipMax = Math.max(flipMax, e.at - start);
          }
        });
        perFlipMax.push(flipMax);
        const done = await Promise.race([Promise.all(current.refetches), sleep(15_000).then(() => null)]);
        for (const r of done ?? []) {
          refetch.total++;
          if (!r.ok) refetch.stale++;
          refetch.ms.push(r.ms);
        }
        log(`SSE flip ${i + 1}/${o.flips}: ${arrived()}/${pool.clients.length} got the event, slowest ${flipMax.toFixed(0)} ms; re-fetches ${done ? done.filter((r) => r.ok).length : "timed out"}/${current.refetches.length} fresh`);
        current = null;
        await sleep(o.gapMs);
      }
      result.sse = {
        flips: o.flips,
        misses,
        ...stats(latencies),
        perFlipMax: stats(perFlipMax),
        refetch: { total: refetch.total, stale: refetch.stale, ...stats(refetch.ms) },
        reconnects: pool.clients.reduce((a, c) => a + c.reconnects, 0),
      };
    }
    return result;
  } finally {
    pool.close();
  }
}

/** Runs the selected parts against a fresh dev server; returns the figures (and `error` on failure). */
export async function runPush({ log = () => {}, options = PUSH_DEFAULTS } = {}) {
  const o = { ...PUSH_DEFAULTS, ...options };
  const data = { settings: o, startedAt: new Date().toISOString() };
  const server = await startDevServer({ log });
  try {
    const base = server.base;
    const { key: sdkKey } = await admin(base, "POST", `/envs/${ENV}/sdk-keys`, { name: "bench-push", kind: "client" });
    await admin(base, "PUT", `/envs/${ENV}/flags/${FLAG}`, {
      key: FLAG, type: "boolean", variants: { on: true, off: false }, offVariant: "off", enabled: true,
      rules: [], fallthrough: { variant: "on" }, salt: FLAG, clientSide: true,
      description: "bench/push.mjs: the kill switch it flips", tags: [],
    });
    await resetFlagOn(base, sdkKey);
    const url = streamUrlOf((await bulk(base, sdkKey)).body);
    data.streamAdvertised = url !== null;
    if (url === null && (o.pollMs === 0 || o.parts.some((p) => p !== "browser"))) {
      throw new Error("the bulk evaluation response advertises no eventStreams (push is not in this build); only `--parts browser --poll-ms N` can run");
    }
    if (o.parts.includes("browser")) {
      log(`(a) browser, ${o.flips} flips`);
      data.browser = await browserPart(base, sdkKey, o, log);
    }
    if (o.parts.includes("sse") || o.parts.includes("idle")) {
      await resetFlagOn(base, sdkKey);
      log(`(b)/(c) ${o.clients} SSE clients on ${url.replace(/token=[^&]+/, "token=…")}`);
      Object.assign(data, await ssePart(server, base, sdkKey, url, o, log));
    }
  } catch (error) {
    log(`push failed: ${error.stack ?? error}`);
    data.error = String(error.message ?? error).split("\n")[0];
  } finally {
    await server.stop();
  }
  return data;
}

async function main() {
  const o = parsePushArgs(process.argv.slice(2));
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (o.dryRun) {
    process.stdout.write(`settings: ${JSON.stringify({ ...o, screenshot: o.screenshot && o.screenshot.replace(`${root}/`, "") })}\n\n${renderPushResults(null)}\n`);
    return 0;
  }
  const data = await runPush({ log: (m) => process.stderr.write(`bench push: ${m}\n`), options: o });
  process.stdout.write(`${renderPushResults(data)}\n`);
  return data.error ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error.message ?? error);
      process.exit(1);
    },
  );
}
