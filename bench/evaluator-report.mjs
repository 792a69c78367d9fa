// Part 1 (evaluator throughput) report: the goals, the tables per targeting-key shape, and the
// "Evaluator" section of docs/benchmarks.md, which lives between two markers so that
// `npm run bench -- evaluator` replaces only it and a full run writes it along with the rest.
import { BULK_FLAGS, CONTEXT_COUNT, ROLLOUT_PERCENT, RULE_PLANS } from "./fixtures.mjs";

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

/** Derived figures of one key shape's run. */
export function deriveShape(run) {
  const byId = Object.fromEntries(run.results.map((r) => [r.id, r]));
  const peers = run.results.filter((r) => !NOT_PEERS.has(r.id));
  const fastest = (kind) => peers.reduce((best, r) => (r[kind].avg < best[kind].avg ? r : best));
  const ours = byId.ours;
  const ref = byId.reference;
  const d = { byId, peers, ours, ref, base: byId.baseline, fastSingle: fastest("single"), fastBulk: fastest("bulk") };
  return {
    ...d,
    vsPeer: { single: d.fastSingle.single.avg / ours.single.avg, bulk: d.fastBulk.bulk.avg / ours.bulk.avg },
    /** ours ÷ reference in time: 1.3 means we take 30 % longer than the hand-written evaluator. */
    vsRef: { single: ours.single.avg / ref.single.avg, bulk: ours.bulk.avg / ref.bulk.avg },
    /** Per round (means), to show the run-to-run spread. */
    roundVsPeer: (kind) => ours.rounds.map((r, i) => Math.min(...peers.map((p) => p.rounds[i][kind])) / r[kind]),
    roundVsRef: (kind) => ours.rounds.map((r, i) => r[kind] / ref.rounds[i][kind]),
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
    const x = r[kind].avg / d.ours[kind].avg;
    return r.id === "baseline" || r.id === "reference" ? `${ratio(x)} (${r.id === "baseline" ? "hash only" : "the limit"})` : ratio(x);
  };
  out.push(`### 1a. One flag, ${int(CONTEXT_COUNT)} rotating contexts: ${run.label}, e.g. \`${run.example}\``, "");
  out.push(
    table(
      ["Engine", "evals/s", "ns/eval (mean)", "ns/eval (median)", "bytes/eval", "this ÷ ours (time)"],
      run.results.map((r) => [label(r), int(ops(r.single.avg)), fixed(r.single.avg), fixed(r.single.p50), fixed(r.single.bytes), vs(r, "single")]),
    ),
  );
  out.push("", `### 1b. Bulk: all ${BULK_FLAGS} flags for one context: ${run.label}`, "");
  out.push(
    table(
      ["Engine", "bulk evals/s", "flag evals/s", "µs/bulk (mean)", "bytes/bulk", "this ÷ ours (time)"],
      run.results.map((r) => [label(r), int(ops(r.bulk.avg)), int(ops(r.bulk.avg) * BULK_FLAGS), fixed(r.bulk.avg / 1000, 2), int(r.bulk.bytes), vs(r, "bulk")]),
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
  return out.join("\n");
}

function whereProse(p1) {
  const goals = evaluatorGoals(p1);
  const missed = goals.filter((g) => !g.met).map((g) => g.short);
  const lines = [`**Goals in this run.** Met: ${list(goals.filter((g) => g.met).map((g) => g.short)) || "none"}. Missed: ${missed.length ? list(missed) : "none"}.`];
  for (const run of p1.shapes) {
    const d = deriveShape(run);
    const hash = d.base.single.avg;
    lines.push(
      "",
      `**${run.label}.** One evaluation takes ${fixed(d.ours.single.avg)} ns against the reference's ${fixed(d.ref.single.avg)} ns ` +
        `(${ratio(d.vsRef.single)}); the hash alone (baseline row: \`bucketerFor(salt)(key)\`) is ${fixed(hash)} ns of ours. ` +
        `In bulk, ${fixed(d.ours.bulk.avg / BULK_FLAGS)} ns per flag against ${fixed(d.ref.bulk.avg / BULK_FLAGS)} (${ratio(d.vsRef.bulk)}). ` +
        `The fastest peer takes ${fixed(d.fastSingle.single.avg)} ns (${d.fastSingle.name}, ${ratio(d.vsPeer.single)} ours) ` +
        `and ${fixed(d.fastBulk.bulk.avg / 1000, 2)} µs per bulk (${d.fastBulk.name}, ${ratio(d.vsPeer.bulk)}).`,
    );
  }
  return lines.join("\n");
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

**The hot path** (\`src/domain/murmur3.ts\`, \`bucket.ts\`, \`condition-fast.ts\`):

- an ASCII key is hashed straight from its UTF-16 code units, 4 per murmur3 block: below 0x80 a
  code unit is its own UTF-8 byte, so the hash is the one over the UTF-8 bytes, with no encoding
  pass and no buffer. A block holding a code unit ≥ 0x80 restarts the key on the general path
  (UTF-8 into a reused buffer; lone surrogates as U+FFFD, like TextEncoder). Property tests in
  \`test/unit/murmur3-fast-path.test.ts\` pin both paths to a textbook murmur3 over TextEncoder's bytes;
- the flag's \`"{salt}:"\` prefix is hashed once per compiled flag; its 0-3 trailing bytes are kept
  packed, and the key's first code units complete that block;
- the bucket is integer arithmetic on the int32 hash (\`bucketOfHash\`: floor(u · 3125 / 2^27) over
  16-bit halves), so no unsigned value ≥ 2^31 is ever boxed as a heap number;
- \`eq\`/\`neq\`, \`in\`/\`notIn\` and single-needle \`startsWith\`/\`endsWith\`/\`contains\` conditions have
  their own closure per operator (V8 keeps type feedback per closure literal): a property read and
  an inline comparison for a scalar attribute, the general form for arrays and missing values.

**Method.** Flag: \`plan in ${JSON.stringify(RULE_PLANS)}\`, \`email endsWith "@example.com"\`, \`country eq "NZ"\` (each serving
\`on\`), then a ${ROLLOUT_PERCENT} % rollout by targeting key, in each engine's own format (\`bench/fixtures.mjs\`; GrowthBook has
no ends-with operator and gets an anchored, cached regex). Contexts go through a JSON round trip, as
OFREP contexts arrive. Engines: ${data.p1.shapes[0].results.map((r) => `${r.name} (\`${r.api}\`; ${r.note})`).join("; ")}.
Timing: mitata \`measure()\` (${data.minCpuTimeMs} ms of samples, GC before each) per engine and case, in
${data.rounds} interleaved rounds, the fastest round kept; allocation from \`v8.GCProfiler\` (bytes per call).
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
