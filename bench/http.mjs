// Part 3: the Worker under `npm run dev` (wrangler dev / workerd on 127.0.0.1), loaded with
// autocannon: OFREP bulk evaluation vs the static liveness route, same settings, same run.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { root } from "./build.mjs";

/** Per route: `durationS` seconds in total, measured as `segments` slices alternating A B B A A B … */
export const HTTP_SETTINGS = { connections: 10, durationS: 10, segments: 5, warmupS: 3, pipelining: 1 };
export const OFREP_BODY = JSON.stringify({ context: { targetingKey: "user-1", plan: "pro" } });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `npm run dev -- --port P --persist-to <fresh dir>` in its own process group.
 * `stop()` kills the whole group (npm → scripts/dev.mjs → wrangler → workerd) and is idempotent
 * and synchronous-safe (usable from signal and exit handlers).
 * `persistDir`: reuse this state directory (kept on stop), e.g. to restart on the same state;
 * `readyPath`: the route that must answer 200 before the server counts as ready (default /health).
 */
export async function startDevServer({ log = () => {}, persistDir = undefined, readyPath = "/health" } = {}) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "edgeflags-bench-"));
  const persist = persistDir ?? join(dir, "state");
  const logFile = join(dir, "dev.log");
  const fd = openSync(logFile, "a");
  const args = [
    "run", "dev", "--",
    "--port", String(port),
    "--persist-to", persist,
    // Beyond --port/--persist-to, to keep the run isolated and quiet: our own inspector port (no
    // clash with another dev server), no hotkeys UI, and no per-request log line (that would cost
    // CPU in wrangler's process for every request on a 2-core box).
    "--inspector-port", String(inspectorPort),
    "--show-interactive-dev-session=false",
    "--log-level", "warn",
  ];
  const child = spawn("npm", args, {
    cwd: root,
    detached: true, // own process group, so the whole tree can be signalled at once
    stdio: ["ignore", fd, fd],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1", CI: "true", FORCE_COLOR: "0" },
  });
  closeSync(fd);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });

  const signalGroup = (sig) => {
    try {
      process.kill(-child.pid, sig);
      return true;
    } catch {
      return false; // group already gone
    }
  };
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    signalGroup("SIGTERM");
  };
  // From here on, Ctrl-C / SIGTERM / any exit takes the dev server down with us. The signal path
  // stays asynchronous so Node reaps its child (npm) instead of leaving a zombie behind.
  const onSignal = (sig) => {
    const code = sig === "SIGINT" ? 130 : 143;
    setTimeout(() => process.exit(code), 10_000).unref();
    stop().finally(() => process.exit(code));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", stopSync); // last resort (synchronous): at least signal the group
  const stop = async () => {
    stopSync();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    for (let i = 0; i < 50 && signalGroup(0); i++) await sleep(100); // up to 5 s for a clean exit
    if (signalGroup(0)) signalGroup("SIGKILL");
    for (let i = 0; i < 20 && signalGroup(0); i++) await sleep(100);
    rmSync(dir, { recursive: true, force: true });
    process.removeListener("exit", stopSync);
  };

  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const deadline = started + 90_000; // wrangler start + migrations (~10-30 s) + first /health (seeds)
  let lastStatus = "no answer";
  try {
    while (Date.now() < deadline) {
      if (exited) throw new Error(`dev server exited early; log:\n${tail(logFile)}`);
      try {
        const res = await fetch(`${base}${readyPath}`, { signal: AbortSignal.timeout(10_000) });
        lastStatus = `HTTP ${res.status}`;
        await res.arrayBuffer();
        if (res.status === 200) break;
      } catch (e) {
        lastStatus = e.cause?.code ?? e.name;
      }
      await sleep(500);
    }
    if (Date.now() >= deadline) throw new Error(`GET ${readyPath} never returned 200 (last: ${lastStatus}); log:\n${tail(logFile)}`);
  } catch (e) {
    await stop();
    throw e;
  }
  log(`dev server ready on ${base} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { base, port, pid: child.pid, stop, stopSync, logTail: () => tail(logFile) };
}

function tail(file) {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-40).join("\n");
  } catch {
    return "(no log)";
  }
}

/** One autocannon run; also collects every response time (ms) so segments can be merged. */
function cannon(opts, latencies) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    if (latencies) instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Merge the segments of one route: req/s over the summed durations, percentiles over all responses. */
function summarize(name, segments, latencies) {
  const total = segments.reduce((a, r) => a + r.requests.total, 0);
  const seconds = segments.reduce((a, r) => a + r.duration, 0);
  const sorted = Float64Array.from(latencies).sort();
  return {
    name,
    rps: total / seconds,
    total,
    seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    avgLatency: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    non2xx: segments.reduce((a, r) => a + r.non2xx, 0),
    errors: segments.reduce((a, r) => a + r.errors + r.timeouts, 0),
    // autocannon's own per-segment figures, for cross-checking
    segments: segments.map((r) => ({ rps: r.requests.average, p99: r.latency.p99 })),
  };
}

export async function runHttp({ log = () => {} } = {}) {
  const server = await startDevServer({ log });
  try {
    const routes = {
      ofrep: {
        url: `${server.base}/ofrep/v1/evaluate/flags`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: OFREP_BODY,
      },
      live: { url: `${server.base}/health/live`, method: "GET" },
    };
    // Sanity: both answer 200 and the OFREP body is a bulk evaluation.
    const probe = await fetch(routes.ofrep.url, { method: "POST", headers: routes.ofrep.headers, body: OFREP_BODY });
    const probeBody = await probe.json();
    if (probe.status !== 200 || !Array.isArray(probeBody.flags)) {
      throw new Error(`OFREP probe failed: HTTP ${probe.status} ${JSON.stringify(probeBody).slice(0, 300)}`);
    }
    const flagCount = probeBody.flags.length;
    const bytes = Buffer.byteLength(JSON.stringify(probeBody));

    const common = { connections: HTTP_SETTINGS.connections, pipelining: HTTP_SETTINGS.pipelining };
    for (const r of Object.values(routes)) {
      await cannon({ ...r, ...common, duration: HTTP_SETTINGS.warmupS });
    }
    // Short alternating segments, so bursts of background load (2 shared cores) hit both routes alike.
    const segment = HTTP_SETTINGS.durationS / HTTP_SETTINGS.segments;
    log(`warmed up (${HTTP_SETTINGS.warmupS} s per route); measuring ${HTTP_SETTINGS.durationS} s per route (${HTTP_SETTINGS.segments} alternating ${segment}-s segments each)`);
    const results = { live: [], ofrep: [] };
    const latencies = { live: [], ofrep: [] };
    for (let i = 0; i < HTTP_SETTINGS.segments; i++) {
      for (const id of i % 2 === 0 ? ["live", "ofrep"] : ["ofrep", "live"]) {
        results[id].push(await cannon({ ...routes[id], ...common, duration: segment }, latencies[id]));
      }
    }
    const live = summarize("GET /health/live (static JSON)", results.live, latencies.live);
    const ofrep = summarize("POST /ofrep/v1/evaluate/flags", results.ofrep, latencies.ofrep);
    return { live, ofrep, flagCount, bytes };
  } finally {
    await server.stop();
  }
}
