// Part 1 (evaluator throughput) report: the goals, the tables per targeting-key shape, and the
// "Evaluator" section of docs/benchmarks.md, which lives between two markers so that
// `npm run bench -- evaluator` replaces only it and a full run writes it along with the rest.
import { BULK_FLAGS, CONTEXT_COUNT, ROLLOUT_PERCENT, RULE_PLANS, SEGMENT_IDS } from "./fixtures.mjs";
import { TARGETING_GOAL } from "./targeting.mjs";

export const SECTION_BEGIN = "<!-- evaluator:begin (bench/evaluator-report.mjs) -->";
export const SECTION_END = "<!-- evaluator:end -->";

/** Issue 12's goals, for every key shape: ≥ 8× the fastest peer, ≤ 1.3× the hand-written reference. */
export const GOALS = { vsPeer: 8, vsReference: 1.3, bytes: 16 };

const int = (x) => Math.round(x).toLocaleString("en-US");
const fixed = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "n/a");
const ops = (ns) => 1e9 / ns;
const spread = (xs) => `${fixed(Math.min(...xs), 2)}–${fixed(Math.max(...xs), 2)}×`;
const yes = (ok) => (ok ? "**yes**" : "**no**");
const table = (head, rows, { left = false } = {}) =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map((_, i) => (left || i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
const list = (xs) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`);

const NOT_PEERS = new Set(["ours", "reference", "baseline"]);

/**
 * The figure the goals use: an engine's CPU time per call (its median batch, `cpuTime` in
 * measure.mjs), the lowest over the rounds. On the shared 2 cores, time spent preempted inflates
 * wall-clock figures (the mitata mean and median are shown too); the thread's CPU time leaves it
 * out. It also leaves out collector work on V8's helper threads, which can only make the
 * allocating peers look faster (the peer ratios are conservative).
 */
export const ns = (r, kind) => Math.min(...r.rounds.map((x) => x[`${kind}Cpu`]));
const wallP50 = (r, kind) => Math.min(...r.rounds.map((x) => x[`${kind}P50`]));

/** Derived figures of one key shape's run. */
export function deriveShape(run) {
  const byId = Object.fromEntries(run.results.map((r) => [r.id, r]));
  const peers = run.results.filter((r) => !NOT_PEERS.has(r.id));
  const fastest = (kind) => peers.reduce((best, r) => (ns(r, kind) < ns(best, kind) ? r : best));
  const ours = byId.ours;
  const ref = byId.reference;
  const d = { byId, peers, ours, ref, base: byId.baseline, fastSingle: fastest("single"), fastBulk: fastest("bulk") };
  return {
    ...d,
    vsPeer: { single: ns(d.fastSingle, "single") / ns(ours, "single"), bulk: ns(d.fastBulk, "bulk") / ns(ours, "bulk") },
    /** ours ÷ reference in time: 1.3 means we take 30 % longer than the hand-written evaluator. */
    vsRef: { single: ns(ours, "single") / ns(ref, "single"), bulk: ns(ours, "bulk") / ns(ref, "bulk") },
    /** Per round, to show the run-to-run spread. */
    roundVsPeer: (kind) => ours.rounds.map((r, i) => Math.min(...peers.map((p) => p.rounds[i][`${kind}Cpu`])) / r[`${kind}Cpu`]),
    roundVsRef: (kind) => ours.rounds.map((r, i) => r[`${kind}Cpu`] / ref.rounds[i][`${kind}Cpu`]),
  };
}

/** The goals of this run, per key shape; `met` from the data. */
export function evaluatorGoals(p1) {
  const goals = [];
  for (const run of p1.shapes) {
    const d = deriveShape(run);
    const keys = run.shape === "uuid" ? "UUID keys" : "short keys";
    for (const kind of ["single", "bulk"]) {
      const what = kind === "single" ? "single flag" : `bulk (${BULK_FLAGS} flags)`;
      const fast = kind === "single" ? d.fastSingle : d.fastBulk;
      goals.push({
        short: `${keys}: ${what} ≥ ${GOALS.vsPeer}× the fastest peer`,
        goal: `${keys}, ${what}: evals/s vs the fastest peer`,
        target: `≥ ${GOALS.vsPeer}×`,
        result: `${ratio(d.vsPeer[kind])} (${fast.name}; per round ${spread(d.roundVsPeer(kind))})`,
        met: d.vsPeer[kind] >= GOALS.vsPeer,
      });
      goals.push({
        short: `${keys}: ${what} ≤ ${GOALS.vsReference}× the hand-written reference`,
        goal: `${keys}, ${what}: time vs the hand-written reference`,
        target: `≤ ${GOALS.vsReference}×`,
        result: `${ratio(d.vsRef[kind])} (per round ${spread(d.roundVsRef(kind))})`,
        met: d.vsRef[kind] <= GOALS.vsReference,
      });
    }
    goals.push({
      short: `${keys}: near-zero allocation`,
      goal: `${keys}: allocation per single evaluation`,
      target: "near zero",
      result: `${fixed(d.ours.single.bytes)} B`,
      met: d.ours.single.bytes < GOALS.bytes,
    });
  }
  return goals;
}

function shapeTables(run) {
  const d = deriveShape(run);
  const out = [];
  const label = (r) => (r.id === "ours" ? `**${r.name}**` : r.name);
  const vs = (r, kind) => {
    if (r.id === "ours") return "1.00×";
    const x = ns(r, kind) / ns(d.ours, kind);
    return r.id === "baseline" || r.id === "reference" ? `${ratio(x)} (${r.id === "baseline" ? "hash only" : "the limit"})` : ratio(x);
  };
  out.push(`### 1a. One flag, ${int(CONTEXT_COUNT)} rotating contexts: ${run.label}, e.g. \`${run.example}\``, "");
  out.push(
    table(
      ["Engine", "evals/s (CPU)", "CPU ns/eval", "wall ns/eval (median)", "wall ns/eval (mean)", "bytes/eval", "this ÷ ours (CPU time)"],
      run.results.map((r) => [label(r), int(ops(ns(r, "single"))), fixed(ns(r, "single")), fixed(wallP50(r, "single")), fixed(r.single.avg), fixed(r.single.bytes), vs(r, "single")]),
    ),
  );
  out.push("", `### 1b. Bulk: all ${BULK_FLAGS} flags for one context: ${run.label}`, "");
  out.push(
    table(
      ["Engine", "bulk evals/s (CPU)", "flag evals/s", "CPU µs/bulk", "wall µs/bulk (median)", "wall µs/bulk (mean)", "bytes/bulk", "this ÷ ours (CPU time)"],
      run.results.map((r) => [label(r), int(ops(ns(r, "bulk"))), int(ops(ns(r, "bulk")) * BULK_FLAGS), fixed(ns(r, "bulk") / 1000, 2), fixed(wallP50(r, "bulk") / 1000, 2), fixed(r.bulk.avg / 1000, 2), int(r.bulk.bytes), vs(r, "bulk")]),
    ),
  );
  out.push(
    "",
    `Equivalence (${run.label}): rule matches must agree exactly, the rollout only statistically (every engine hashes differently, except the reference, ` +
      `whose bucket differed from ours for ${run.bucketsDiffer} of ${int(CONTEXT_COUNT)} keys):`,
    "",
  );
  out.push(
    table(
      ["Engine", "served `on`", "rule-matching users served `on`", "rollout share of the rest", "flags in bulk result"],
      run.checks.map((c) => [c.id, int(c.on), `${c.ruleOn} / ${c.ruleUsers}`, `${fixed(c.rolloutShare * 100, 1)} %`, c.bulkCount]),
    ),
  );
  return out.join("\n");
}

/** The part-1 tables (printed by the bench and put into the doc). */
export function renderEvaluatorResults({ meta, p1 }) {
  const loads = (l) => l.map((x) => x.toFixed(2)).join(" / ");
  const out = [
    `Command: \`${meta.command}\` · date: ${meta.date} · Node ${meta.node} · machine: ${meta.cores} cores (${meta.cpu}) · ` +
      `load average (1/5/15 min) at start ${loads(meta.loadStart)}, at end ${loads(meta.loadEnd)} · part 1 took ${fixed(meta.seconds, 0)} s` +
      ` · network connection attempts: ${meta.networkAttempts.length}`,
    "",
    "### Goals (issue 12)",
    "",
    table(
      ["Goal", "Target", "Result", "Met"],
      evaluatorGoals(p1).map((g) => [g.goal, g.target, g.result, yes(g.met)]),
      { left: true },
    ),
  ];
  for (const run of p1.shapes) out.push("", shapeTables(run));
  if (p1.targeting) out.push("", targetingTable(p1.targeting));
  return out.join("\n");
}

/** Part 1c (bench/targeting.mjs): the benchmark flag with a segment rule and with prerequisites. */
function targetingTable(t) {
  return [
    `### 1c. Segments and prerequisites (issue 13): one flag, ${int(t.contexts)} rotating short-id contexts`,
    "",
    `CPU ns per evaluation (as the goals above), each flag's lowest of ${t.rounds} interleaved rounds (every round's figure beside it: neighbours' steal time only ever adds to a round). ${int(t.bySegmentRule)} of the contexts are in the ${int(SEGMENT_IDS)}-id segment. Goal: the segment and the kill-switch prerequisite within ${TARGETING_GOAL}× the plain flag.`,
    "",
    table(
      ["Flag", "CPU ns/eval", "rounds", "× plain", `≤ ${TARGETING_GOAL}×`],
      t.results.map((r) => [r.label, fixed(r.cpuNs), r.perRound.map((x) => fixed(x, 0)).join(" / "), ratio(r.ratio), r.key === "plain" ? "" : r.goal ? yes(r.ratio <= TARGETING_GOAL) : "no goal: two full flags are evaluated"]),
    ),
  ].join("\n");
}

function whereProse(p1) {
  const goals = evaluatorGoals(p1);
  const missed = goals.filter((g) => !g.met).map((g) => g.short);
  const lines = [`**Goals in this run.** Met: ${list(goals.filter((g) => g.met).map((g) => g.short)) || "none"}. Missed: ${missed.length ? list(missed) : "none"}.`];
  for (const run of p1.shapes) {
    const d = deriveShape(run);
    const hash = ns(d.base, "single");
    lines.push(
      "",
      `**${run.label}.** One evaluation takes ${fixed(ns(d.ours, "single"))} ns against the reference's ${fixed(ns(d.ref, "single"))} ns ` +
        `(${ratio(d.vsRef.single)}); the hash alone (baseline row: \`bucketerFor(salt)(key)\`) is ${fixed(hash)} ns of ours. ` +
        `In bulk, ${fixed(ns(d.ours, "bulk") / BULK_FLAGS)} ns per flag against ${fixed(ns(d.ref, "bulk") / BULK_FLAGS)} (${ratio(d.vsRef.bulk)}). ` +
        `The fastest peer takes ${fixed(ns(d.fastSingle, "single"))} ns (${d.fastSingle.name}, ${ratio(d.vsPeer.single)} ours) ` +
        `and ${fixed(ns(d.fastBulk, "bulk") / 1000, 2)} µs per bulk (${d.fastBulk.name}, ${ratio(d.vsPeer.bulk)}).` +
        limitNote(d),
    );
  }
  return lines.join("\n");
}

/**
 * Ours before issue 12's changes: this same benchmark (CPU time) run on the src/ of commit 3c52455,
 * on this machine on 2026-12-02 (load average 12-32). Hard-coded: the old code is no longer built.
 */
export const BEFORE = {
  short: { single: 216.3, bulk: 21080, flagd: { single: 852.2, bulk: 93340 } },
  uuid: { single: 229.2, bulk: 26320, flagd: { single: 894.1, bulk: 96400 } },
};

function beforeAfter(p1) {
  const rows = [];
  for (const run of p1.shapes) {
    const b = BEFORE[run.shape];
    if (!b) continue;
    const d = deriveShape(run);
    const flagd = d.byId.flagd;
    rows.push(
      [`${run.label}: ours, CPU ns/eval`, fixed(b.single), fixed(ns(d.ours, "single"))],
      [`${run.label}: ours, CPU µs/bulk`, fixed(b.bulk / 1000, 2), fixed(ns(d.ours, "bulk") / 1000, 2)],
      [`${run.label}: flagd-core compiled ÷ ours, single`, ratio(b.flagd.single / b.single), ratio(ns(flagd, "single") / ns(d.ours, "single"))],
      [`${run.label}: flagd-core compiled ÷ ours, bulk`, ratio(b.flagd.bulk / b.bulk), ratio(ns(flagd, "bulk") / ns(d.ours, "bulk"))],
    );
  }
  return table(["", "before (commit 3c52455, same benchmark, hard-coded)", "this run"], rows);
}

/** Where a peer goal is out of reach of the hand-written reference itself, say so. */
function limitNote(d) {
  const refVsPeer = { single: ns(d.fastSingle, "single") / ns(d.ref, "single"), bulk: ns(d.fastBulk, "bulk") / ns(d.ref, "bulk") };
  const out = [];
  for (const kind of ["single", "bulk"]) {
    if (d.vsPeer[kind] >= GOALS.vsPeer) continue;
    const need = (kind === "single" ? ns(d.fastSingle, "single") : ns(d.fastBulk, "bulk") / BULK_FLAGS) / GOALS.vsPeer;
    out.push(
      `${kind === "single" ? "Single" : "Bulk"}: ${GOALS.vsPeer}× the fastest peer means ≤ ${fixed(need)} ns per flag; ` +
        (refVsPeer[kind] < GOALS.vsPeer
          ? `the hand-written reference itself only reaches ${ratio(refVsPeer[kind])}, so this goal asks for more than the limit measured here.`
          : `the reference reaches ${ratio(refVsPeer[kind])}, so the gap is ours.`),
    );
  }
  return out.length ? ` ${out.join(" ")}` : "";
}

/** The whole evaluator section of docs/benchmarks.md, markers included. */
export function renderEvaluatorSection(data) {
  return `${SECTION_BEGIN}
## Evaluator throughput (part 1)

Written by \`npm run bench -- evaluator\` (part 1 alone) or by a full \`npm run bench\`; edit
\`bench/evaluator-report.mjs\` instead. Same flag in every engine, ${int(CONTEXT_COUNT)} contexts, once with short-id
and once with UUID targeting keys. The **reference** is the flag written out by hand
(\`bench/reference.mjs\`): the three rules as inline property reads, then murmur3_x86_32 over the
UTF-8 bytes of \`"{flagKey}:{targetingKey}"\` (prefix bytes prepared once, the key encoded behind them
into a reused buffer, the textbook hash over the bytes) and preallocated results: the cost of this
flag with no framework at all, and the same buckets as ours (checked on every key). The
**baseline** is our shipped bucketer alone (\`bucketerFor(salt)(targetingKey) < bound\`).

${renderEvaluatorResults(data)}

${whereProse(data.p1)}

**Before and after** this change (the "before" column is the same benchmark run once on the old
\`src/\`, figures copied into \`bench/evaluator-report.mjs\`; the machine was just as shared then):

${beforeAfter(data.p1)}

**The hot path** (\`src/domain/murmur3.ts\`, \`bucket.ts\`, \`condition-fast.ts\`):

- an ASCII key is hashed straight from its UTF-16 code units, 4 per murmur3 block: below 0x80 a
  code unit is its own UTF-8 byte, so the hash is the one over the UTF-8 bytes, with no encoding
  pass and no buffer. A block holding a code unit ≥ 0x80 restarts the key on the general path
  (UTF-8 into a reused buffer; lone surrogates as U+FFFD, like TextEncoder). Property tests in
  \`test/unit/murmur3-fast-path.test.ts\` pin both paths to a textbook murmur3 over TextEncoder's bytes;
- the flag's \`"{salt}:"\` prefix is hashed once per compiled flag; its 0-3 trailing bytes are kept
  packed, and the key's first code units complete that block;
- the hash travels as an int32 and the bucket is integer arithmetic on it (\`bucketOfHash\`:
  floor(u · 3125 / 2^27) over 16-bit halves): the old unsigned hash, ≥ 2^31 for half the keys, was
  a heap number whenever it left a function V8 had not inlined (Node's small integers are 32-bit;
  under pointer compression, as in workerd, they are 31-bit, so an int32 beyond ±2^30 crossing a
  call still is one);
- \`eq\`/\`neq\`, \`in\`/\`notIn\` and single-needle \`startsWith\`/\`endsWith\`/\`contains\` conditions have
  their own closure per operator (V8 keeps type feedback per closure literal): a property read and
  an inline comparison for a scalar attribute, the general form for arrays and missing values.

**Method.** Flag: \`plan in ${JSON.stringify(RULE_PLANS)}\`, \`email endsWith "@example.com"\`, \`country eq "NZ"\` (each serving
\`on\`), then a ${ROLLOUT_PERCENT} % rollout by targeting key, in each engine's own format (\`bench/fixtures.mjs\`; GrowthBook has
no ends-with operator and gets an anchored, cached regex). Contexts go through a JSON round trip, as
OFREP contexts arrive. Engines: ${data.p1.shapes[0].results.map((r) => `${r.name} (\`${r.api}\`; ${r.note})`).join("; ")}.
Timing, per engine and case, in ${data.rounds} interleaved rounds: the main thread's CPU time per call
(\`process.threadCpuUsage\` over batches of ~10 ms, or of 25 clock steps where the kernel accounts thread time
per tick — ${fixed((data.meta.cpuClockStepNs ?? 0) / 1e6, 2)} ms steps in this run — for 12 batches or more, the median batch; \`cpuTime\` in
\`bench/measure.mjs\`), and mitata's wall-clock \`measure()\` (${data.minCpuTimeMs} ms of samples, GC before each). The
goals and evals/s use the CPU time, each engine's lowest over the rounds: on the shared cores the
wall clock also counts the time this process sat preempted (see the mean against the median),
the thread's CPU time does not. Collector work on V8's helper threads is not counted either, which
only flatters the allocating peers. Allocation from \`v8.GCProfiler\` (bytes per call).
The machine is 2 shared cores: compare ratios within one run, not absolute figures across runs.
${SECTION_END}`;
}

/** `doc` with its evaluator section replaced by `section` (inserted before "## Results" if absent). */
export function withEvaluatorSection(doc, section) {
  const begin = doc.indexOf(SECTION_BEGIN);
  const end = doc.indexOf(SECTION_END);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + section + doc.slice(end + SECTION_END.length);
  const at = doc.indexOf("\n## ");
  if (at < 0) return `${doc}\n${section}\n`;
  return `${doc.slice(0, at + 1)}${section}\n\n${doc.slice(at + 1)}`;
}
