#!/usr/bin/env node
// `npm run bench [-- --skip-http] [--skip-push]` (= node --expose-gc bench/run.mjs),
// `npm run bench -- evaluator` for part 1 alone (rewrites only the evaluator section),
// `npm run bench -- push [push options]` for part 4 alone (see `node bench/push.mjs --help`), or
// `npm run bench -- scale [--sizes 15,1000,10000,100000]` for part 5 alone (bench/scale.mjs).
//
// 1. evaluator throughput vs flagd-core (2 modes), unleash-client, GrowthBook (2 APIs), a
//    hand-written reference evaluator (bench/reference.mjs, the limit) and a murmur3-only baseline
//    (ours is shipped src/ code, bundled by bench/build.mjs), for short-id and UUID targeting keys;
//    then (1c, bench/targeting.mjs) the benchmark flag with a segment rule and with prerequisites;
// 2. single-flag latency with a 10,000-flag vs a 15-flag snapshot;
// 3. HTTP: OFREP bulk evaluation vs the static /health/live route under `npm run dev`;
// 4. push: time from a kill switch to a browser / 1,000 SSE clients seeing it, and the idle cost;
// 5. scale (only when asked for: it takes many minutes): publish, cold, after-a-change, steady and
//    bulk figures for 15 to 100,000 flags.
// Writes docs/benchmarks.md and prints the same tables (parts 4 and 5 alone rewrite only their
// sections; a full run keeps the scale section as it was).
// `npm run bench -- dashboard`: the dashboard's load and 1,000-flag table (bench/dashboard.mjs),
// written between its own markers, which a full run keeps.
import { mkdirSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import v8 from "node:v8";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadEvaluator, root } from "./build.mjs";
import * as engines from "./engines.mjs";
import { CONTEXT_COUNT, KEY_SHAPES, flagKeys, makeUsers, matchesRules, oursFlag } from "./fixtures.mjs";
import { reference } from "./reference.mjs";
import { renderEvaluatorResults, renderEvaluatorSection, withEvaluatorSection } from "./evaluator-report.mjs";
import { HTTP_SETTINGS, runHttp } from "./http.mjs";
import { CPU_CLOCK_STEP_NS, MIN_CPU_TIME_NS, allocation, callsFor, cpuTime, time } from "./measure.mjs";
import { renderDoc, renderResults } from "./report.mjs";
import { parsePushArgs, runPush } from "./push.mjs";
import { extractDashboardSection, renderDashboardSection, runDashboard, withDashboardSection } from "./dashboard.mjs";
import { extractPushSection, renderPushResults, renderPushSection, withPushSection } from "./push-report.mjs";
import { parseScaleArgs, runScale } from "./scale.mjs";
import { runTargeting } from "./targeting.mjs";
import { extractScaleSection, renderScaleResults, renderScaleSection, withScaleSection } from "./scale-report.mjs";

const argv = process.argv.slice(2);
const pushOnly = argv[0] === "push";
const dashboardOnly = argv[0] === "dashboard";
const evaluatorOnly = argv[0] === "evaluator";
const scaleOnly = argv[0] === "scale";
const skipHttp = argv.includes("--skip-http");
const skipPush = argv.includes("--skip-push");
const docPath = join(root, "docs", "benchmarks.md");
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** Any outgoing TCP connection during parts 1-2 is counted and refused (peers must stay offline). */
function trapNetwork() {
  const original = net.Socket.prototype.connect;
  const attempts = [];
  net.Socket.prototype.connect = function trapped(...args) {
    const target = args[0];
    attempts.push(typeof target === "object" && target !== null ? `${target.host ?? ""}:${target.port ?? target.path}` : String(target));
    throw new Error("bench: network access is not allowed during the evaluator benchmarks");
  };
  return {
    attempts,
    restore: () => {
      net.Socket.prototype.connect = original;
    },
  };
}

/**
 * Timing rounds, interleaved (round-robin over all engines / cases); each one's fastest round
 * counts. The 2 cores are shared with other work, and a round can be slowed by a third or more.
 */
export const ROUNDS = 3;

/** Times every engine (single and bulk) in ROUNDS interleaved rounds, then measures allocation. */
async function measureEngines(list, inputsOf) {
  const best = new Map(list.map((e) => [e.id, {}]));
  const perRound = new Map(list.map((e) => [e.id, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const e of list) {
      const inputs = inputsOf.get(e.id);
      const b = best.get(e.id);
      const r = {};
      for (const kind of ["single", "bulk"]) {
        const t = await time(e[kind], inputs);
        r[kind] = t.avg;
        r[`${kind}P50`] = t.p50;
        r[`${kind}Cpu`] = cpuTime(e[kind], inputs).median;
        if (!b[kind] || t.avg < b[kind].avg) b[kind] = t;
      }
      perRound.get(e.id).push(r);
      log(`round ${round}/${ROUNDS} ${e.id.padEnd(18)} single ${(1e9 / b.single.avg).toFixed(0)} ops/s  bulk ${(1e9 / b.bulk.avg).toFixed(0)} /s (best wall mean so far); this round CPU ${r.singleCpu.toFixed(1)} ns / ${(r.bulkCpu / 1000).toFixed(2)} µs`);
    }
  }
  return list.map((e) => {
    const inputs = inputsOf.get(e.id);
    const b = best.get(e.id);
    return {
      id: e.id,
      name: e.name,
      api: e.api,
      note: e.note,
      rounds: perRound.get(e.id),
      single: { ...b.single, bytes: allocation(e.single, inputs, { n: callsFor(b.single.avg) }) },
      bulk: { ...b.bulk, bytes: allocation(e.bulk, inputs, { n: callsFor(b.bulk.avg) }) },
    };
  });
}

/** Every engine serves `on` to all rule-matching users; the rollout share is ~25 % of the rest. */
function agreement(e, users, inputs) {
  let on = 0;
  let ruleUsers = 0;
  let ruleOn = 0;
  for (let i = 0; i < inputs.length; i++) {
    const isOn = e.isOn(e.single(inputs[i]));
    if (isOn) on++;
    if (matchesRules(users[i])) {
      ruleUsers++;
      if (isOn) ruleOn++;
    }
  }
  const bulkCount = e.bulkCount(e.bulk(inputs[0]));
  return { id: e.id, on, ruleUsers, ruleOn, rolloutShare: (on - ruleOn) / (inputs.length - ruleUsers), bulkCount };
}

/** The reference must bucket exactly as we do (same hash input, same formula): checked on every user. */
function sameBuckets(ev, ref, users) {
  const ours = ev.bucketerFor(ev.saltOf({ key: engines.KEY }));
  let differ = 0;
  for (const u of users) if (ours(u.targetingKey) !== ref.bucketOf(u.targetingKey)) differ++;
  return differ;
}

async function part1Shape(ev, now, shape) {
  const users = makeUsers(CONTEXT_COUNT, shape);
  const ref = reference();
  const list = [
    engines.ours(ev, now),
    ref,
    await engines.flagd({ disableDynamicCodeGeneration: false }),
    await engines.flagd({ disableDynamicCodeGeneration: true }),
    await engines.unleash(),
    await engines.growthbook(),
    await engines.growthbookClient(),
    engines.baseline(ev),
  ];
  try {
    const inputsOf = new Map(list.map((e) => [e.id, users.map(e.toContext)]));
    const checks = list.filter((e) => e.id !== "baseline").map((e) => agreement(e, users, inputsOf.get(e.id)));
    const bucketsDiffer = sameBuckets(ev, ref, users);
    const results = await measureEngines(list, inputsOf);
    return { shape, label: KEY_SHAPES[shape].label, example: users[1].targetingKey, results, checks, bucketsDiffer };
  } finally {
    for (const e of list) e.close?.();
  }
}

/** Part 1 for every key shape, one after the other (each shape's engines interleaved in rounds). */
async function part1(ev, now) {
  // 1c first: its four flags share the evaluator's code, so they are measured on a fresh JIT
  // rather than after the peers' runs have tuned it to one flag.
  log("part 1c: segments and prerequisites");
  const targeting = await runTargeting(ev, now, { log });
  const shapes = [];
  for (const shape of Object.keys(KEY_SHAPES)) {
    log(`part 1, targeting keys: ${KEY_SHAPES[shape].label}`);
    shapes.push(await part1Shape(ev, now, shape));
  }
  return { shapes, targeting };
}

async function part2(ev, now, users) {
  const build = (n) => {
    const keys = flagKeys(n);
    globalThis.gc();
    const before = v8.getHeapStatistics().used_heap_size;
    const snapshot = ev.compileSnapshot({
      env: "development",
      version: 1,
      publishedAt: new Date(now).toISOString(),
      flags: keys.map((k) => ev.Flag.parse(oursFlag(k))),
      keys: {},
    });
    // Flags compile on first use (src/domain/snapshot-shard.ts): compile them all, so the heap figure is the compiled snapshot's.
    ev.evaluateAll(snapshot, {}, now, "all");
    globalThis.gc();
    const bytesPerFlag = (v8.getHeapStatistics().used_heap_size - before) / n;
    return { keys, snapshot, bytesPerFlag };
  };
  const t0 = Date.now();
  const small = build(15);
  const large = build(10_000);
  log(`compiled the 15- and 10,000-flag snapshots in ${Date.now() - t0} ms (${(large.bytesPerFlag / 1024).toFixed(1)} KiB of heap per flag)`);
  const { findFlag } = ev;
  const cases = [];
  // Same input shape for every case: pre-built {key, ctx} pairs, contexts rotating; `distinct`
  // keys spread evenly over the snapshot, visited with a stride of 7919 (prime).
  const patterns = (n) => [
    ["same key", 1],
    ["15 keys rotating", 15],
    ...(n > 1000 ? [["1,000 keys rotating", 1000]] : []),
    ...(n > 15 ? [[`all ${n.toLocaleString("en-US")} keys rotating`, n]] : []),
  ];
  for (const [label, { keys, snapshot, bytesPerFlag }] of [["15 flags", small], ["10,000 flags", large]]) {
    for (const [pattern, distinct] of patterns(keys.length)) {
      const step = Math.floor(keys.length / distinct);
      const pick = (i) => keys[distinct === 1 ? keys.length >> 1 : ((i * 7919) % distinct) * step];
      const inputs = users.map((ctx, i) => ({ key: pick(i), ctx }));
      const fn = ({ key, ctx }) => findFlag(snapshot, key, "all").evaluate(ctx, now);
      // A fresh closure per case so each gets its own type feedback.
      const f = new Function("fn", "return (x) => fn(x)")(fn);
      cases.push({ snapshot: label, flags: keys.length, bytesPerFlag, pattern, distinct, f, inputs });
    }
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of cases) {
      const t = await time(c.f, c.inputs);
      if (!c.best || t.avg < c.best.avg) c.best = t;
    }
    log(`round ${round}/${ROUNDS} snapshot cases: ${cases.map((c) => c.best.avg.toFixed(0)).join(" / ")} ns (best so far)`);
  }
  return cases.map(({ f, inputs, best, ...c }) => ({ ...c, ...best }));
}

function runMeta() {
  return {
    date: new Date().toISOString(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
    node: process.version,
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    loadStart: os.loadavg(),
    cpuClockStepNs: CPU_CLOCK_STEP_NS,
    versions: {
      mitata: engines.versionOf("mitata"),
      "@openfeature/flagd-core": engines.versionOf("@openfeature/flagd-core"),
      "unleash-client": engines.versionOf("unleash-client"),
      "@growthbook/growthbook": engines.versionOf("@growthbook/growthbook"),
      autocannon: engines.versionOf("autocannon"),
      wrangler: engines.versionOf("wrangler"),
    },
  };
}

async function main() {
  const started = Date.now();
  const meta = runMeta();
  const { mod: ev, version: esbuildVersion } = await loadEvaluator();
  meta.versions.esbuild = esbuildVersion;
  const now = Date.now();
  const users = makeUsers(CONTEXT_COUNT);

  const trap = trapNetwork();
  let p1;
  let p2;
  try {
    log("part 1: evaluator throughput");
    p1 = await part1(ev, now);
    log("part 2: snapshot size");
    p2 = await part2(ev, now, users);
  } finally {
    trap.restore();
  }
  meta.networkAttempts = trap.attempts;

  let p3 = null;
  if (skipHttp) {
    log("part 3: skipped (--skip-http)");
  } else {
    log("part 3: HTTP (npm run dev + autocannon)");
    try {
      p3 = await runHttp({ log });
    } catch (error) {
      // Still write parts 1-2; the failure is reported in the table and by the exit code.
      log(`part 3 failed: ${error.stack ?? error}`);
      p3 = { error: String(error.message ?? error).split("\n")[0] };
    }
  }
  let p4 = null;
  if (skipPush) {
    log("part 4: skipped (--skip-push)");
  } else {
    log("part 4: push (npm run dev + chromium + SSE clients)");
    p4 = await runPush({ log: (m) => log(`push: ${m}`) });
  }
  meta.loadEnd = os.loadavg();
  meta.seconds = (Date.now() - started) / 1000;

  const data = { meta, p1, p2, p3, p4, httpSettings: HTTP_SETTINGS, rounds: ROUNDS, minCpuTimeMs: MIN_CPU_TIME_NS / 1e6 };
  const results = renderResults(data);
  // Without part 4 this run keeps the push section of the previous doc (or the empty template).
  const pushSection = p4 !== null ? renderPushSection(p4) : (extractPushSection(readDoc()) ?? renderPushSection(null));
  const scaleSection = extractScaleSection(readDoc()) ?? renderScaleSection(null);
  writeFileSync(docPath, withScaleSection(keepDashboardSection(withPushSection(withEvaluatorSection(renderDoc(data, results), renderEvaluatorSection(data)), pushSection)), scaleSection));
  // Raw figures of the last run (gitignored), e.g. for comparing runs.
  writeFileSync(join(root, "bench", ".build", "last-run.json"), `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(`${renderEvaluatorResults(data)}\n\n${results}\n`);
  if (p4 !== null) process.stdout.write(`\n${renderPushResults(p4)}\n`);
  log(`wrote docs/benchmarks.md (${meta.seconds.toFixed(0)} s)`);
  return p3?.error || p4?.error ? 1 : 0;
}

function readDoc() {
  try {
    return readFileSync(docPath, "utf8");
  } catch {
    return "";
  }
}

/** `npm run bench -- evaluator`: part 1 alone; rewrites only the evaluator section of the doc. */
async function evaluatorMain() {
  const started = Date.now();
  const meta = runMeta();
  const { mod: ev, version: esbuildVersion } = await loadEvaluator();
  meta.versions.esbuild = esbuildVersion;
  const trap = trapNetwork();
  let p1;
  try {
    log("part 1: evaluator throughput");
    p1 = await part1(ev, Date.now());
  } finally {
    trap.restore();
  }
  meta.networkAttempts = trap.attempts;
  meta.loadEnd = os.loadavg();
  meta.seconds = (Date.now() - started) / 1000;
  const data = { meta, p1, rounds: ROUNDS, minCpuTimeMs: MIN_CPU_TIME_NS / 1e6 };
  writeFileSync(docPath, withEvaluatorSection(readDoc(), renderEvaluatorSection(data)));
  writeFileSync(join(root, "bench", ".build", "last-evaluator-run.json"), `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(`${renderEvaluatorResults(data)}\n`);
  log(`rewrote the evaluator section of docs/benchmarks.md (${meta.seconds.toFixed(0)} s)`);
  return 0;
}

/** `npm run bench -- push [options]`: part 4 alone; rewrites only the push section of the doc. */
async function pushMain() {
  const options = parsePushArgs(argv.slice(1));
  if (options.help || options.dryRun) {
    // The same output as `node bench/push.mjs --help / --dry-run`.
    const { spawnSync } = await import("node:child_process");
    return spawnSync(process.execPath, [join(root, "bench", "push.mjs"), ...argv.slice(1)], { stdio: "inherit" }).status ?? 1;
  }
  const data = await runPush({ log: (m) => log(`push: ${m}`), options });
  if (options.pollMs > 0) {
    log("--poll-ms: a comparison run, docs/benchmarks.md left as it is");
  } else {
    writeFileSync(docPath, withPushSection(readDoc(), renderPushSection(data)));
    log("rewrote the push section of docs/benchmarks.md");
  }
  process.stdout.write(`${renderPushResults(data)}\n`);
  return data.error ? 1 : 0;
}

/** The previous doc's dashboard section, carried into a rewritten doc. */
function keepDashboardSection(doc) {
  return withDashboardSection(doc, extractDashboardSection(readDoc()) ?? renderDashboardSection(null));
}

/** `npm run bench -- dashboard`: the dashboard benchmark alone; rewrites only its section. */
async function dashboardMain() {
  const data = await runDashboard({ log: (m) => log(`dashboard: ${m}`) });
  const section = renderDashboardSection(data);
  process.stdout.write(`${section}\n`);
  writeFileSync(docPath, withDashboardSection(readDoc(), section));
  log("rewrote the dashboard section of docs/benchmarks.md");
  return 0;
}

/** `npm run bench -- scale [--sizes …]`: part 5 alone; rewrites only the scale section of the doc. */
async function scaleMain() {
  const options = parseScaleArgs(argv.slice(1));
  const lastPath = join(root, "bench", ".build", "scale-last.json");
  if (options.merge) {
    try {
      options.previous = JSON.parse(readFileSync(lastPath, "utf8"));
    } catch {
      log("--merge: no previous run in bench/.build/scale-last.json");
    }
  }
  const data = await runScale({ log: (m) => log(`scale: ${m}`), options });
  mkdirSync(join(root, "bench", ".build"), { recursive: true });
  writeFileSync(lastPath, `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(docPath, withScaleSection(readDoc(), renderScaleSection(data)));
  log("rewrote the scale section of docs/benchmarks.md");
  process.stdout.write(`${renderScaleResults(data)}\n`);
  return data.rows.some((r) => r.error !== undefined) ? 1 : 0;
}

(pushOnly ? pushMain() : dashboardOnly ? dashboardMain() : evaluatorOnly ? evaluatorMain() : scaleOnly ? scaleMain() : main()).then(
  (code) => process.exit(code), // unleash/GrowthBook may leave handles open
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
