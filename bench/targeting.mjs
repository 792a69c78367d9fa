// Part 1c: what segments and prerequisites cost (issue 13's goal: within 1.5× of the plain flag).
// The benchmark flag (bench/fixtures.mjs) is evaluated through one compiled snapshot exactly as the
// edge does, four ways:
//   plain         3 rules, then a 25 % rollout
//   segment       the same with an inSegment rule first (a 10,000-id segment, ~3.4 % of users in it)
//   prerequisite  the same, gated on a kill-switch-like flag that serves "on" (what a gate usually is)
//   prereq-heavy  the same, gated on a second plain flag (its rules and rollout are evaluated too)
// Timing is the main thread's CPU time per call (`cpuTime`, as part 1's goals), each case's lowest
// of ROUNDS interleaved rounds: on a shared VM, neighbours' steal time lands in a round's figure
// (a round can double), never takes from it, so the lowest is the flag's own cost.
import { cpuTime } from "./measure.mjs";
import { makeUsers, oursContext, oursFlag, oursGateFlag, oursPrerequisiteFlag, oursSegment, oursSegmentFlag } from "./fixtures.mjs";

/** The goal for the segment and the (gate) prerequisite flag, as a multiple of the plain flag. */
export const TARGETING_GOAL = 1.5;
const ROUNDS = 7;

export const TARGETING_CASES = [
  { key: "plain", label: "plain flag (3 rules, 25 % rollout)", goal: false },
  { key: "segment", label: "+ an inSegment rule first (10,000-id segment)", goal: true },
  { key: "prerequisite", label: "+ a prerequisite that is a kill switch", goal: true },
  { key: "prereq_heavy", label: "+ a prerequisite that is itself a plain flag", goal: false },
];

/**
 * Measures every case; each result is `{ key, label, goal, cpuNs, ratio, perRound }`: the lowest
 * CPU ns over the rounds, its ratio to the plain flag's lowest, and every round's figure.
 */
export async function runTargeting(ev, now, { log = () => {} } = {}) {
  const flags = [
    oursFlag("plain"),
    oursFlag("plain_prereq"),
    oursSegmentFlag("segment"),
    oursGateFlag("gate"),
    oursPrerequisiteFlag("prerequisite", "gate"),
    oursPrerequisiteFlag("prereq_heavy", "plain_prereq"),
  ].map((f) => ev.Flag.parse(f));
  const segment = ev.Segment.parse(oursSegment());
  const snapshot = ev.compileSnapshot({ env: "development", version: 1, publishedAt: new Date(now).toISOString(), flags, keys: {}, segments: [segment] });
  const contexts = makeUsers().map(oursContext);
  const cases = TARGETING_CASES.map((c) => {
    const compiled = ev.findFlag(snapshot, c.key, "all");
    // A fresh closure per case so each gets its own type feedback.
    const fn = new Function("compiled", "now", "return (ctx) => compiled.evaluate(ctx, now)")(compiled, now);
    return { ...c, fn, rounds: [] };
  });
  const bySegmentRule = contexts.filter((ctx) => ev.findFlag(snapshot, "segment", "all").explain(ctx, now).ruleId === "segment").length;
  // Every case runs before any is timed: they share the evaluator's code, and the first one timed
  // alone would be measured while its call sites still saw one flag shape (an unfair baseline).
  for (let warm = 0; warm < 20; warm++) for (const c of cases) for (const ctx of contexts) c.fn(ctx);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of cases) c.rounds.push(cpuTime(c.fn, contexts).median);
    log(`round ${round}/${ROUNDS} targeting: ${cases.map((c) => `${c.key} ${c.rounds.at(-1).toFixed(1)}`).join(" / ")} ns`);
  }
  const best = (c) => Math.min(...c.rounds);
  const plain = best(cases[0]);
  return {
    contexts: contexts.length,
    bySegmentRule,
    rounds: ROUNDS,
    results: cases.map((c) => ({ key: c.key, label: c.label, goal: c.goal, cpuNs: best(c), ratio: best(c) / plain, perRound: c.rounds })),
  };
}
