/**
 * Property tests of the rollout state machine (docs/architecture.md, "Testing"): arbitrary plans, then
 * arbitrary sequences of ticks at non-decreasing times (with healthy, breaching, slow, low-traffic
 * or missing minutes and random probe results) interleaved with random commands carrying random
 * `expectedStage`s. Every step is checked against the machine's invariants.
 *
 * Dwells are ≥ 60 s here; zero dwells are covered by the table tests in machine.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, type Decision, type HealthRound, type RolloutInput } from "../../../src/domain/rollout/machine.js";
import { isTerminal, type MinuteBucket, type Rollout } from "../../../src/domain/rollout/model.js";
import { bucket, checkDecision, erroring, healthy, makeRollout, MINUTE, positionOf, SECOND, T0, trickle } from "./fixtures.js";

type MinuteKind = "healthy" | "breach" | "slow" | "trickle" | "missing";
type CommandType = "pause" | "resume" | "promote" | "rollback" | "cancel";
type StageChoice = "current" | "previous" | "next" | "none";

type Step =
  | { readonly kind: "tick"; readonly dt: number; readonly minute: MinuteKind; readonly health: HealthRound | undefined }
  | { readonly kind: "cmd"; readonly dt: number; readonly type: CommandType; readonly stage: StageChoice };

const MINUTE_BUCKET: Record<MinuteKind, (m: number) => MinuteBucket | undefined> = {
  healthy,
  breach: erroring,
  slow: (m) => bucket(m, 2_000, 2, 300, 60),
  trickle,
  missing: () => undefined,
};

const dtArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 6, arbitrary: fc.constant(MINUTE) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 90 }).map((s) => s * SECOND) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 120 }).map((m) => m * MINUTE) },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      dt: dtArb,
      minute: fc.oneof(
        { weight: 8, arbitrary: fc.constant<MinuteKind>("healthy") },
        { weight: 2, arbitrary: fc.constant<MinuteKind>("breach") },
        { weight: 1, arbitrary: fc.constantFrom<MinuteKind>("slow", "trickle", "missing") },
      ),
      health: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: fc.constant<HealthRound>("PASS") },
        { weight: 1, arbitrary: fc.constantFrom<HealthRound>("FAIL", "UNKNOWN") },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("cmd" as const),
      dt: dtArb,
      type: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom<CommandType>("pause", "resume", "promote") },
        { weight: 1, arbitrary: fc.constantFrom<CommandType>("rollback", "cancel") },
      ),
      stage: fc.constantFrom<StageChoice>("current", "current", "previous", "next", "none"),
    }),
  },
);

const planArb = fc
  .record({
    percentages: fc.uniqueArray(fc.constantFrom(1, 5, 10, 25, 50, 75, 90), { maxLength: 4 }),
    durations: fc.array(fc.constantFrom(60, 120, 300, 600), { minLength: 4, maxLength: 4 }),
    finalBakeSeconds: fc.constantFrom(60, 300, 600),
    startDelay: fc.constantFrom(0, 0, 3 * MINUTE, 20 * MINUTE),
    holdTimeoutSeconds: fc.constantFrom(undefined, 60, 300),
    unknownPauseSeconds: fc.constantFrom(60, 300, 900),
    healthFailuresToRollback: fc.integer({ min: 1, max: 5 }),
    stageMinSamples: fc.constantFrom(undefined, 0, 500),
  })
  .map((p) => {
    const stages = [...p.percentages].sort((a, b) => a - b).map((percentage, i) => ({ percentage, durationSeconds: p.durations[i] as number }));
    const guards = {
      ...(p.holdTimeoutSeconds === undefined ? {} : { holdTimeoutSeconds: p.holdTimeoutSeconds }),
      unknownPauseSeconds: p.unknownPauseSeconds,
      healthFailuresToRollback: p.healthFailuresToRollback,
      ...(p.stageMinSamples === undefined ? {} : { errorRate: { stageMinSamples: p.stageMinSamples }, p95: { stageMinSamples: p.stageMinSamples } }),
    };
    return {
      ...(stages.length > 0 ? { strategy: "custom", stages } : { strategy: "instant", stages: undefined }),
      finalBakeSeconds: p.finalBakeSeconds,
      guards,
      ...(p.startDelay > 0 ? { startAt: T0 + p.startDelay } : {}),
    };
  });

function commandInput(step: Extract<Step, { kind: "cmd" }>, r: Rollout): RolloutInput {
  const by = "user:prop";
  if (step.type === "pause" || step.type === "rollback" || step.type === "cancel") return { type: step.type, by };
  const expectedStage = step.stage === "none" ? undefined : step.stage === "current" ? r.stageIndex : step.stage === "previous" ? r.stageIndex - 1 : r.stageIndex + 1;
  return { type: step.type, by, expectedStage };
}

/** What one run saw, for the coverage check. */
interface Seen {
  actions: Set<string>;
  states: Set<string>;
}

/** Runs one scenario, asserting every invariant on every step. */
function runScenario(request: Record<string, unknown>, steps: readonly Step[], seen?: Seen): void {
  let r = makeRollout(request);
  let t = T0;
  let events = 0;
  const buckets = new Map<number, MinuteBucket>();
  let filledUntil = T0;
  let wasTerminal: string | null = null;
  const snapshot = structuredClone(r.snapshot);

  for (const step of steps) {
    t += step.dt;
    const before = r;
    let input: RolloutInput;
    if (step.kind === "tick") {
      const lastClosed = Math.floor(t / MINUTE) * MINUTE - MINUTE;
      for (let m = filledUntil; m <= lastClosed; m += MINUTE) {
        const b = MINUTE_BUCKET[step.minute](m);
        if (b) buckets.set(m, b);
      }
      filledUntil = Math.max(filledUntil, lastClosed + MINUTE);
      input = { type: "tick", buckets, health: step.health };
    } else {
      input = commandInput(step, before);
    }

    // A rollback exists from every non-terminal state, and lands at 0 %.
    if (!isTerminal(before.state)) {
      const rb = decide(before, { type: "rollback", by: "user:probe" }, t);
      checkDecision(before, rb);
      expect(rb.ok && rb.event !== null).toBe(true);
      if (rb.ok) {
        expect(isTerminal(rb.rollout.state)).toBe(true);
        expect(rb.rollout.percentage).toBe(0);
        expect(rb.effect).toEqual(before.startedAt === null ? null : { type: "restore" });
      }
    }

    const d: Decision = decide(before, input, t);
    checkDecision(before, d);

    // Terminal states absorb: a tick changes nothing; a command is a no-op replay or TERMINAL.
    if (isTerminal(before.state)) {
      if (d.ok) {
        expect(d.event).toBeNull();
        expect(d.rollout.state).toBe(before.state);
      } else {
        expect(d.code).toBe("TERMINAL");
      }
    }
    // Non-terminal rollouts never answer TERMINAL.
    if (!d.ok && !isTerminal(before.state)) expect(d.code).not.toBe("TERMINAL");
    if (step.kind === "tick") expect(d.ok).toBe(true);

    if (d.ok) {
      const next = d.rollout;
      // The percentage only grows, except the drop to 0 on rollback/cancel.
      if (next.percentage < before.percentage) {
        expect(["ROLLED_BACK", "CANCELLED"]).toContain(next.state);
        expect(next.percentage).toBe(0);
      }
      // The percentage is always the one the position implies.
      if (next.state === "RUNNING" || (next.state === "PAUSED" && next.startedAt !== null) || next.state === "COMPLETED") {
        expect(next.percentage).toBe(next.stageIndex >= next.stages.length ? 100 : next.stages[next.stageIndex]?.percentage);
      }
      if (next.state === "SCHEDULED" || next.state === "ROLLED_BACK" || next.state === "CANCELLED" || next.startedAt === null) expect(next.percentage).toBe(0);
      // Dwell never grows while PAUSED (a promote from PAUSED resets it to 0).
      if (before.state === "PAUSED") expect(next.bakedMs).toBeLessThanOrEqual(before.bakedMs);
      if (before.state === "PAUSED" && next.state === "PAUSED") expect(next.bakedMs).toBe(before.bakedMs);
      // Effects match the transition.
      if (d.effect?.type === "restore") expect(next.state === "ROLLED_BACK" || next.state === "CANCELLED").toBe(true);
      if (d.effect?.type === "complete") expect(next.state).toBe("COMPLETED");
      if (d.effect?.type === "setPercentage") expect(d.effect.percentage).toBe(next.percentage);
      if (next.state === "ROLLED_BACK" && before.state !== "ROLLED_BACK") expect(d.effect).toEqual({ type: "restore" });

      if (step.kind === "tick") {
        // No tick advances (or completes) while any guard is PENDING or FIRE-ing.
        if (d.event && (d.event.action === "stage.advanced" || d.event.action === "rollout.completed")) {
          expect(d.guards.every((g) => g.status === "OK")).toBe(true);
          expect(next.health.consecutiveFailures).toBeLessThan(next.guards.healthFailuresToRollback);
          expect(next.stageIndex === before.stageIndex + 1 || next.state === "COMPLETED").toBe(true);
        }
        // A FIRE-ing guard always rolls back (unless already terminal).
        if (!isTerminal(before.state) && d.guards.some((g) => g.status === "FIRE")) expect(next.state).toBe("ROLLED_BACK");
        // tick(t) twice = tick(t) once.
        const again = decide(next, input, t);
        expect(again.ok).toBe(true);
        if (again.ok) {
          expect(again.event).toBeNull();
          expect(again.rollout).toEqual(next);
        }
      } else {
        // A replayed command right after itself changes nothing (or is refused).
        const replay = decide(next, input, t);
        checkDecision(next, replay);
        if (replay.ok) {
          expect(replay.event).toBeNull();
          expect(replay.rollout).toEqual(next);
        }
        // Forward commands skip at most one stage.
        if (d.event && (step.type === "promote" || step.type === "resume")) expect(next.stageIndex - before.stageIndex).toBeLessThanOrEqual(1);
      }

      if (d.event) {
        events++;
        seen?.actions.add(d.event.action);
      }
      r = next;
    } else {
      // A refused command leaves nothing behind, and refusing again is still a refusal.
      const replay = decide(before, input, t);
      expect(replay.ok).toBe(false);
    }

    // Once terminal, always the same terminal state.
    if (wasTerminal !== null) expect(r.state).toBe(wasTerminal);
    if (isTerminal(r.state)) wasTerminal = r.state;
    // One event per transition: the version counts them.
    expect(r.version).toBe(events);
    seen?.states.add(r.phase ? `${r.state}/${r.phase}` : r.state);
    expect(positionOf(r).percentage).toBeGreaterThanOrEqual(0);
    // The snapshot that rollback restores is never touched.
    expect(r.snapshot).toEqual(snapshot);
  }
}

describe("rollout machine properties", () => {
  it("invariants hold over arbitrary ticks, metrics, probes and commands", () => {
    const seen: Seen = { actions: new Set(), states: new Set() };
    fc.assert(
      fc.property(planArb, fc.array(stepArb, { minLength: 1, maxLength: 150, size: "max" }), (request, steps) => {
        runScenario(request, steps, seen);
      }),
      { numRuns: 300 },
    );
    // The generators reach every kind of transition (guards against a vacuous property).
    expect([...seen.actions].sort()).toEqual(
      ["rollout.cancelled", "rollout.completed", "rollout.paused", "rollout.resumed", "rollout.rolled_back", "rollout.started", "stage.advanced", "stage.holding", "stage.promoted"].sort(),
    );
    for (const s of ["SCHEDULED", "RUNNING/BAKING", "RUNNING/HOLDING", "RUNNING/FINAL_BAKE", "PAUSED/BAKING", "COMPLETED", "ROLLED_BACK", "CANCELLED"]) {
      expect(seen.states, s).toContain(s);
    }
  }, 120_000);

  it("mostly healthy traffic without commands reaches COMPLETED or stays non-terminal; it never rolls back without a breach or failed probe", () => {
    fc.assert(
      fc.property(
        planArb,
        fc.array(
          fc.record({
            kind: fc.constant("tick" as const),
            dt: fc.constantFrom(30 * SECOND, MINUTE, MINUTE, 2 * MINUTE),
            minute: fc.constantFrom<MinuteKind>("healthy", "healthy", "healthy", "trickle", "missing"),
            health: fc.constantFrom<HealthRound | undefined>(undefined, "PASS", "UNKNOWN"),
          }),
          { minLength: 1, maxLength: 120, size: "max" },
        ),
        (request, steps) => {
          runScenario(request, steps);
          // Re-run to inspect the end state.
          let r = makeRollout(request);
          let t = T0;
          const buckets = new Map<number, MinuteBucket>();
          let filledUntil = T0;
          for (const step of steps) {
            t += step.dt;
            const lastClosed = Math.floor(t / MINUTE) * MINUTE - MINUTE;
            for (let m = filledUntil; m <= lastClosed; m += MINUTE) {
              const b = MINUTE_BUCKET[step.minute](m);
              if (b) buckets.set(m, b);
            }
            filledUntil = Math.max(filledUntil, lastClosed + MINUTE);
            const d = decide(r, { type: "tick", buckets, health: step.health }, t);
            if (d.ok) r = d.rollout;
          }
          expect(r.state).not.toBe("ROLLED_BACK");
          expect(r.state).not.toBe("CANCELLED");
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
