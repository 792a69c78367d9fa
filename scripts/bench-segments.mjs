// Segment and prerequisite figures next to the plain benchmark flag (bench/fixtures.mjs):
//   plain         oursFlag: 3 rules, then a 25 % rollout
//   segment       the same with an inSegment rule first (a 10,000-id segment, ~3.4 % of users in it)
//   prerequisite  the same, gated on a kill-switch-like flag that serves "on"
//   prereq-heavy  the same, gated on a second plain flag (its rules and rollout evaluated too)
// Each is evaluated through the compiled snapshot exactly as the edge does; rounds interleave.
// Run: node --expose-gc scripts/bench-segments.mjs
import { loadEvaluator } from "../bench/build.mjs";
import { time } from "../bench/measure.mjs";
import { makeUsers, oursContext, oursFlag, oursGateFlag, oursPrerequisiteFlag, oursSegment, oursSegmentFlag } from "../bench/fixtures.mjs";

// The best round's p50 is reported next to the median: on a shared, loaded machine the median
// mostly measures the neighbours.
const ROUNDS = 7;
const { mod: ev } = await loadEvaluator();
const now = Date.now();
const flags = [
  oursFlag("plain"),
  oursFlag("plain_prereq"),
  oursSegmentFlag("segment"),
  oursGateFlag("gate"),
  oursPrerequisiteFlag("prerequisite", "gate"),
  oursPrerequisiteFlag("prereq_heavy", "plain_prereq"),
].map((f) => ev.Flag.parse(f));
const snapshot = ev.compileSnapshot({ env: "development", version: 1, publishedAt: new Date(now).toISOString(), flags, keys: {}, segments: [oursSegment()] });
const contexts = makeUsers().map(oursContext);
const cases = ["plain", "segment", "prerequisite", "prereq_heavy"].map((key) => {
  const compiled = ev.findFlag(snapshot, key, "all");
  return { key, fn: (ctx) => compiled.evaluate(ctx, now) };
});
const inSegment = contexts.filter((c) => snapshot.byKey.get("segment").evaluate(c, now).metadata === undefined && snapshot.byKey.get("segment").evaluate(c, now).reason === "TARGETING_MATCH").length;

const results = new Map(cases.map((c) => [c.key, []]));
for (let r = 0; r < ROUNDS; r++) for (const c of cases) results.get(c.key).push((await time(c.fn, contexts)).p50);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const best = (xs) => Math.min(...xs);
const plain = { median: median(results.get("plain")), best: best(results.get("plain")) };
console.log(`node ${process.version}; ${contexts.length} contexts; ${inSegment} match a rule of the segment flag; ${ROUNDS} interleaved rounds`);
for (const c of cases) {
  const m = median(results.get(c.key));
  const b = best(results.get(c.key));
  console.log(`${c.key.padEnd(14)} p50 median ${m.toFixed(1).padStart(6)} ns (${(m / plain.median).toFixed(2)}× plain)   best ${b.toFixed(1).padStart(6)} ns (${(b / plain.best).toFixed(2)}× plain)`);
}
