import { describe, expect, it } from "vitest";
import { decide, dwellMs, inFinalBake, MAX_TICK_GAP_MS, WARMUP_MS, type Decision, type RolloutInput } from "../../../src/domain/rollout/machine.js";
import { isTerminal, type Rollout } from "../../../src/domain/rollout/model.js";
import { resolvePlan, timeline } from "../../../src/domain/rollout/strategies.js";
import {
  bucket, checkDecision, DAY, erroring, healthy, HOUR, makeRollout, MINUTE, missing, ok, positionOf, SECOND, Sim, T0, tickInput, trickle,
  type MetricFn,
} from "./fixtures.js";

const NO_BUCKETS = new Map();
const min = (m: number): number => T0 + m * MINUTE;
/** Minute index of a bucket's minute. */
const idx = (m: number): number => (m - T0) / MINUTE;
/** `before` for minutes < k, `after` from minute k on. */
const switchAt = (k: number, before: MetricFn, after: MetricFn): MetricFn => (m) => (idx(m) < k ? before(m) : after(m));

const pause = (by = "user:bob", reason?: string): RolloutInput => ({ type: "pause", by, reason });
const resume = (expectedStage?: number, by = "user:bob"): RolloutInput => ({ type: "resume", by, expectedStage });
const promote = (expectedStage?: number, by = "user:bob", reason?: string): RolloutInput => ({ type: "promote", by, expectedStage, reason });
const rollback = (by = "user:bob", reason?: string): RolloutInput => ({ type: "rollback", by, reason });
const cancel = (by = "user:bob"): RolloutInput => ({ type: "cancel", by });

/** decide + the generic invariants. */
function step(r: Rollout, input: RolloutInput, now: number): Decision {
  const d = decide(r, input, now);
  checkDecision(r, d);
  return d;
}

/** A rollout started at T0 (stage 0 BAKING). */
function started(request: Record<string, unknown> = {}): Rollout {
  return ok(step(makeRollout(request), tickInput(NO_BUCKETS), T0)).rollout;
}

/** A Sim whose rollout has started at T0. */
function startedSim(request: Record<string, unknown> = {}, metrics: MetricFn = healthy): Sim {
  const sim = new Sim(makeRollout(request), metrics);
  expect(sim.tickAt(T0).event?.action).toBe("rollout.started");
  return sim;
}

const noEvent = (d: Decision): void => {
  expect(d.ok).toBe(true);
  if (d.ok) expect(d.event).toBeNull();
};

describe("constants and helpers", () => {
  it("5-minute tick cap and warm-up", () => {
    expect(MAX_TICK_GAP_MS).toBe(5 * MINUTE);
    expect(WARMUP_MS).toBe(5 * MINUTE);
  });

  it("dwellMs / inFinalBake", () => {
    const r = makeRollout();
    expect(dwellMs(r)).toBe(600 * SECOND);
    expect(inFinalBake(r)).toBe(false);
    const bake = { ...r, stageIndex: 2 };
    expect(inFinalBake(bake)).toBe(true);
    expect(dwellMs(bake)).toBe(600 * SECOND);
    expect(dwellMs({ ...makeRollout({ strategy: "instant", stages: undefined, finalBakeSeconds: undefined }) })).toBe(HOUR);
  });
});

describe("SCHEDULED → RUNNING", () => {
  it("starts at startAt, not before", () => {
    const r = makeRollout({ startAt: T0 + HOUR });
    expect(r.state).toBe("SCHEDULED");
    for (const t of [T0, T0 + 30 * MINUTE, T0 + HOUR - 1]) {
      const d = ok(step(r, tickInput(NO_BUCKETS), t));
      expect(d.event).toBeNull();
      expect(d.rollout.state).toBe("SCHEDULED");
    }
    const d = ok(step(r, tickInput(NO_BUCKETS), T0 + HOUR));
    expect(d.event).toMatchObject({
      action: "rollout.started",
      by: "system:cron",
      from: { state: "SCHEDULED", phase: null, stageIndex: 0, percentage: 0 },
      to: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 },
    });
    expect(d.effect).toEqual({ type: "setPercentage", percentage: 10 });
    expect(d.rollout).toMatchObject({ startedAt: T0 + HOUR, stageEnteredAt: T0 + HOUR, bakedMs: 0, lastTickAt: T0 + HOUR, version: 1, updatedAt: T0 + HOUR });
  });

  it("a late first tick starts at the tick's time", () => {
    const d = ok(step(makeRollout({ startAt: T0 + HOUR }), tickInput(NO_BUCKETS), T0 + 3 * HOUR));
    expect(d.rollout).toMatchObject({ state: "RUNNING", startedAt: T0 + 3 * HOUR, stageEnteredAt: T0 + 3 * HOUR });
  });

  it("without startAt, the first tick starts it", () => {
    const d = ok(step(makeRollout(), tickInput(NO_BUCKETS), T0));
    expect(d.event?.action).toBe("rollout.started");
  });

  it("INSTANT starts straight into the final bake at 100 %", () => {
    const d = ok(step(makeRollout({ strategy: "instant", stages: undefined, finalBakeSeconds: undefined }), tickInput(NO_BUCKETS), T0));
    expect(d.event?.to).toEqual({ state: "RUNNING", phase: "FINAL_BAKE", stageIndex: 0, percentage: 100 });
    expect(d.effect).toEqual({ type: "setPercentage", percentage: 100 });
  });

  it("guards are not evaluated before the start: a SCHEDULED rollout ignores breaching buckets and failing probes", () => {
    const r = makeRollout({ startAt: T0 + HOUR });
    const buckets = new Map(Array.from({ length: 30 }, (_, i) => [min(i), erroring(min(i))] as const));
    const d = ok(step(r, tickInput(buckets, "FAIL"), T0 + 30 * MINUTE));
    expect(d.event).toBeNull();
    expect(d.rollout.state).toBe("SCHEDULED");
  });
});

describe("dwell accrual", () => {
  it("accrues the time between ticks while RUNNING", () => {
    const sim = startedSim();
    sim.run(min(4));
    expect(sim.rollout.bakedMs).toBe(4 * MINUTE);
    sim.tickAt(min(4) + 17 * SECOND);
    expect(sim.rollout.bakedMs).toBe(4 * MINUTE + 17 * SECOND);
  });

  it("is capped at 5 minutes per tick: a 2-hour gap adds only 5 minutes", () => {
    const sim = startedSim({ strategy: "fast", stages: undefined, finalBakeSeconds: undefined });
    const d = sim.tickAt(T0 + 2 * HOUR);
    expect(d.event).toBeNull();
    expect(d.rollout.bakedMs).toBe(5 * MINUTE);
    expect(d.rollout.lastTickAt).toBe(T0 + 2 * HOUR);
  });

  it("a gap in ticks never completes a stage by itself", () => {
    const sim = startedSim(); // 10-minute stages
    expect(sim.tickAt(T0 + 3 * HOUR).event).toBeNull();
    expect(sim.rollout.bakedMs).toBe(5 * MINUTE);
    // The second tick brings the dwell to 10 minutes: the gate decides (healthy → advance).
    const d = sim.tickAt(T0 + 6 * HOUR);
    expect(d.event?.action).toBe("stage.advanced");
    expect(d.rollout).toMatchObject({ stageIndex: 1, bakedMs: 0, stageEnteredAt: T0 + 6 * HOUR });
  });

  it("the clock never runs backwards: an earlier `now` is read as the last tick", () => {
    const sim = startedSim();
    sim.run(min(5));
    const d = ok(step(sim.rollout, tickInput(sim.buckets), min(2)));
    expect(d.event).toBeNull();
    expect(d.rollout.bakedMs).toBe(5 * MINUTE);
    expect(d.rollout.lastTickAt).toBe(min(5));
  });
});

describe("progression", () => {
  it("BAKING → next stage on gate PASS, last stage → FINAL_BAKE at 100 %, then COMPLETED", () => {
    const sim = startedSim();
    sim.run(min(40));
    const tr = sim.transitions.map(({ t, decision: d }) => ({ t, action: d.event?.action, from: d.event?.from, to: d.event?.to, effect: d.effect }));
    expect(tr).toEqual([
      {
        t: T0, action: "rollout.started", effect: { type: "setPercentage", percentage: 10 },
        from: { state: "SCHEDULED", phase: null, stageIndex: 0, percentage: 0 }, to: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 },
      },
      {
        t: min(10), action: "stage.advanced", effect: { type: "setPercentage", percentage: 50 },
        from: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 }, to: { state: "RUNNING", phase: "BAKING", stageIndex: 1, percentage: 50 },
      },
      {
        t: min(20), action: "stage.advanced", effect: { type: "setPercentage", percentage: 100 },
        from: { state: "RUNNING", phase: "BAKING", stageIndex: 1, percentage: 50 }, to: { state: "RUNNING", phase: "FINAL_BAKE", stageIndex: 2, percentage: 100 },
      },
      {
        t: min(30), action: "rollout.completed", effect: { type: "complete" },
        from: { state: "RUNNING", phase: "FINAL_BAKE", stageIndex: 2, percentage: 100 }, to: { state: "COMPLETED", phase: null, stageIndex: 2, percentage: 100 },
      },
    ]);
    const advanced = sim.transitions[1]?.decision;
    expect(advanced?.event).toMatchObject({ by: "system:cron", evidence: { result: "PASS" } });
    expect(advanced?.rollout).toMatchObject({ stageEnteredAt: min(10), bakedMs: 0, holdStartedAt: null, pauseReasons: [] });
    expect(sim.rollout).toMatchObject({
      state: "COMPLETED",
      version: 4,
      outcome: { trigger: "COMPLETED", reason: "final bake passed", at: min(30) },
    });
    // The stage advances exactly when the dwell is done, not a tick earlier.
    expect(sim.transitions[1]?.decision.rollout.version).toBe(2);
  });

  it("a full SAFE rollout with healthy traffic follows timeline() to the minute", () => {
    const r = makeRollout({ strategy: "safe", stages: undefined, finalBakeSeconds: undefined });
    const sim = new Sim(r, healthy);
    sim.tickAt(T0);
    sim.run(T0 + 6 * DAY + HOUR, { stop: (d) => isTerminal(d.rollout.state) });
    const plan = timeline(resolvePlan({ strategy: "safe" }), T0);
    const expected = [T0, ...plan.steps.slice(1).map((s) => Date.parse(s.startsAt)), Date.parse(plan.completesAt)];
    expect(sim.transitions.map((x) => x.t)).toEqual(expected);
    expect(sim.transitions.map((x) => x.decision.rollout.percentage)).toEqual([5, 10, 25, 50, 75, 100, 100]);
    expect(sim.rollout.state).toBe("COMPLETED");
    expect(sim.t).toBe(T0 + 6 * DAY);
  });

  it("the gate pools only the stage's minutes after the warm-up", () => {
    // Terrible first 5 minutes of trickle-level data with errors (NODATA per minute), then healthy:
    // the warm-up keeps them out of the gate, so the stage passes.
    const sim = startedSim({}, switchAt(5, (m) => bucket(m, 50, 25, 0, 0), healthy));
    sim.run(min(10));
    expect(sim.last?.event?.action).toBe("stage.advanced");
  });

  it("a tick that rolls back never also advances (guard fires at the dwell end)", () => {
    const sim = startedSim({}, switchAt(5, healthy, erroring));
    const tr = sim.runToEvent(min(10));
    expect(tr?.t).toBe(min(10));
    expect(tr?.decision.event?.action).toBe("rollout.rolled_back");
    expect(tr?.decision.rollout).toMatchObject({ state: "ROLLED_BACK", stageIndex: 0, percentage: 0, outcome: { trigger: "GUARD" } });
  });
});

describe("HOLDING and the no-data policy", () => {
  it("INSUFFICIENT at the dwell end → HOLDING; after the hold timeout (the dwell) → PAUSED(INSUFFICIENT_DATA)", () => {
    const sim = startedSim({}, trickle);
    const hold = sim.runToEvent(min(60));
    expect(hold?.t).toBe(min(10));
    expect(hold?.decision.event).toMatchObject({
      action: "stage.holding",
      by: "system:cron",
      reason: "errorRate has 100 of 1000 samples this stage",
      evidence: { result: "INSUFFICIENT" },
      from: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 },
      to: { state: "RUNNING", phase: "HOLDING", stageIndex: 0, percentage: 10 },
    });
    expect(hold?.decision.effect).toBeNull();
    expect(hold?.decision.rollout.holdStartedAt).toBe(min(10));
    const paused = sim.runToEvent(min(60));
    expect(paused?.t).toBe(min(20));
    expect(paused?.decision.event).toMatchObject({
      action: "rollout.paused",
      by: "system:cron",
      reason: "INSUFFICIENT_DATA: errorRate has 300 of 1000 samples this stage",
      to: { state: "PAUSED", phase: "HOLDING", stageIndex: 0, percentage: 10 },
    });
    expect(paused?.decision.rollout.pauseReasons).toEqual([
      { reason: "INSUFFICIENT_DATA", by: "system:cron", at: min(20), message: "errorRate has 300 of 1000 samples this stage" },
    ]);
    // Paused: nothing more happens, and no data never rolls back.
    expect(sim.runToEvent(min(120))).toBeUndefined();
    expect(sim.rollout.state).toBe("PAUSED");
  });

  it("holdTimeoutSeconds overrides the hold timeout", () => {
    const sim = startedSim({ guards: { holdTimeoutSeconds: 120 } }, trickle);
    expect(sim.runToEvent(min(60))?.t).toBe(min(10));
    const paused = sim.runToEvent(min(60));
    expect(paused?.t).toBe(min(12));
    expect(paused?.decision.rollout.pauseReasons[0]?.reason).toBe("INSUFFICIENT_DATA");
  });

  it("HOLDING → next stage as soon as the gate passes", () => {
    const sim = startedSim({}, switchAt(12, trickle, healthy));
    expect(sim.runToEvent(min(60))?.decision.event?.action).toBe("stage.holding");
    const next = sim.runToEvent(min(60));
    expect(next?.t).toBe(min(13));
    expect(next?.decision.event).toMatchObject({
      action: "stage.advanced",
      from: { state: "RUNNING", phase: "HOLDING", stageIndex: 0, percentage: 10 },
      to: { state: "RUNNING", phase: "BAKING", stageIndex: 1, percentage: 50 },
    });
    expect(next?.decision.rollout.holdStartedAt).toBeNull();
  });

  it("UNKNOWN at the dwell end → HOLDING; after the hold timeout → PAUSED(METRICS_UNAVAILABLE)", () => {
    // Every other minute has no telemetry: never 15 UNKNOWN minutes in a row, but the gate cannot decide.
    const sim = startedSim({}, (m) => (idx(m) % 2 === 1 ? undefined : healthy(m)));
    const hold = sim.runToEvent(min(60));
    expect(hold?.t).toBe(min(10));
    expect(hold?.decision.event).toMatchObject({ action: "stage.holding", evidence: { result: "UNKNOWN" } });
    const paused = sim.runToEvent(min(60));
    expect(paused?.t).toBe(min(20));
    expect(paused?.decision.event?.reason).toMatch(/^METRICS_UNAVAILABLE: /);
    expect(paused?.decision.rollout.pauseReasons.map((p) => p.reason)).toEqual(["METRICS_UNAVAILABLE"]);
  });

  it("PENDING (a guard breaching but not yet firing) at the dwell end → HOLDING, then advances once it clears", () => {
    const clean = (m: number) => bucket(m, 2_000, 0, 0, 0);
    const metrics: MetricFn = (m) => ([58, 59].includes(idx(m)) ? bucket(m, 2_000, 60, 0, 0) : clean(m));
    const sim = startedSim({ stages: [{ percentage: 10, durationSeconds: 3_600 }] }, metrics);
    const hold = sim.runToEvent(min(120));
    expect(hold?.t).toBe(min(60));
    expect(hold?.decision.event).toMatchObject({ action: "stage.holding", reason: "errorRate is breaching (2/5)", evidence: { result: "PENDING" } });
    expect(hold?.decision.guards.find((g) => g.name === "errorRate")).toMatchObject({ status: "PENDING", streak: 2 });
    const next = sim.runToEvent(min(120));
    expect(next?.t).toBe(min(61));
    expect(next?.decision.event?.to).toMatchObject({ phase: "FINAL_BAKE", percentage: 100 });
  });

  it("the final bake holds too, and completes once the gate passes", () => {
    const sim = startedSim({ strategy: "instant", stages: undefined, finalBakeSeconds: 600 }, switchAt(12, trickle, healthy));
    const hold = sim.runToEvent(min(60));
    expect(hold?.t).toBe(min(10));
    expect(hold?.decision.event?.to).toEqual({ state: "RUNNING", phase: "HOLDING", stageIndex: 0, percentage: 100 });
    const done = sim.runToEvent(min(60));
    expect(done?.t).toBe(min(13));
    expect(done?.decision.event?.action).toBe("rollout.completed");
    expect(done?.decision.effect).toEqual({ type: "complete" });
  });
});

describe("system pause: no metrics at all", () => {
  it("unknownPauseSeconds 300: five UNKNOWN minutes in a row → PAUSED(METRICS_UNAVAILABLE)", () => {
    const sim = startedSim({ strategy: "fast", stages: undefined, finalBakeSeconds: undefined, guards: { unknownPauseSeconds: 300 } }, missing);
    const paused = sim.runToEvent(min(60));
    expect(paused?.t).toBe(min(5));
    expect(paused?.decision.event).toMatchObject({
      action: "rollout.paused",
      by: "system:guard",
      reason: "METRICS_UNAVAILABLE: no metrics received",
      to: { state: "PAUSED", phase: "BAKING", stageIndex: 0, percentage: 25 },
    });
    expect(paused?.decision.rollout.pauseReasons).toEqual([{ reason: "METRICS_UNAVAILABLE", by: "system:guard", at: min(5), message: "no metrics received" }]);
  });

  it("UNKNOWN minutes followed by data do not pause", () => {
    const sim = startedSim({ strategy: "fast", stages: undefined, finalBakeSeconds: undefined, guards: { unknownPauseSeconds: 300 } }, (m) => (idx(m) % 5 === 4 ? healthy(m) : undefined));
    expect(sim.runToEvent(min(60))).toBeUndefined();
  });

  // Regression (found by these tests, fixed in src/domain/rollout/machine.ts).
  it("default guards: 15 minutes without any telemetry → PAUSED(METRICS_UNAVAILABLE)", () => {
    const sim = startedSim({ strategy: "fast", stages: undefined, finalBakeSeconds: undefined }, missing);
    const paused = sim.runToEvent(min(60));
    expect(paused?.t).toBe(min(15));
    expect(paused?.decision.rollout.pauseReasons.map((p) => p.reason)).toEqual(["METRICS_UNAVAILABLE"]);
  });
});

describe("guards: automatic rollback", () => {
  const fast = { strategy: "fast", stages: undefined, finalBakeSeconds: undefined } as const;

  it("5 breaching minutes → ROLLED_BACK with restore and evidence", () => {
    const sim = startedSim(fast, switchAt(10, healthy, erroring));
    sim.run(min(14));
    expect(sim.rollout.state).toBe("RUNNING");
    expect(sim.last?.guards.find((g) => g.name === "errorRate")).toMatchObject({ status: "PENDING", streak: 4 });
    const d = sim.tickAt(min(15));
    expect(d.event).toMatchObject({
      action: "rollout.rolled_back",
      by: "system:guard",
      reason: "errorRate breached for 5 of the last 10 minutes",
      from: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 25 },
      to: { state: "ROLLED_BACK", phase: null, stageIndex: 0, percentage: 0 },
    });
    expect(d.effect).toEqual({ type: "restore" });
    const evidence = d.event?.evidence as { guard: string; verdicts: { minute: number; verdict: string; n: number; x: number }[] };
    expect(evidence.guard).toBe("errorRate");
    expect(evidence.verdicts.map((v) => v.minute)).toEqual(Array.from({ length: 10 }, (_, i) => min(5 + i)));
    expect(evidence.verdicts.map((v) => v.verdict)).toEqual([...Array(5).fill("OK"), ...Array(5).fill("BREACH")]);
    expect(evidence.verdicts[9]).toMatchObject({ n: 2_000, x: 200 });
    expect(d.rollout.outcome).toEqual({ trigger: "GUARD", reason: "errorRate breached for 5 of the last 10 minutes", evidence, at: min(15) });
    expect(d.guards.find((g) => g.name === "errorRate")?.status).toBe("FIRE");
  });

  it("the P95 latency guard fires on slow minutes", () => {
    const sim = startedSim(fast, switchAt(3, healthy, (m) => bucket(m, 2_000, 0, 400, 0)));
    const tr = sim.runToEvent(min(60));
    expect(tr?.t).toBe(min(8));
    // Only 8 minutes have closed since the start.
    expect(tr?.decision.event?.reason).toBe("p95 breached for 5 of the last 8 minutes");
  });

  it("NODATA/UNKNOWN minutes neither extend nor reset the streak", () => {
    // minutes 2..8: B N B U B B B → the 5th BREACH closes at minute 8, so it fires at min(9).
    const pattern: Record<number, MetricFn> = { 2: erroring, 3: trickle, 4: erroring, 5: missing, 6: erroring, 7: erroring, 8: erroring };
    const sim = startedSim(fast, (m) => (pattern[idx(m)] ?? healthy)(m));
    const tr = sim.runToEvent(min(60));
    expect(tr?.t).toBe(min(9));
    const evidence = tr?.decision.event?.evidence as { verdicts: { verdict: string }[] };
    expect(evidence.verdicts.map((v) => v.verdict)).toEqual(["OK", "OK", "BREACH", "NODATA", "BREACH", "UNKNOWN", "BREACH", "BREACH", "BREACH"]);
  });

  it("an OK minute resets the streak", () => {
    const pattern = new Set([1, 2, 3, 4, 6, 7, 8, 9]); // minute 5 is OK
    const sim = startedSim(fast, (m) => (pattern.has(idx(m)) ? erroring(m) : healthy(m)));
    sim.run(min(10));
    expect(sim.rollout.state).toBe("RUNNING");
    expect(sim.last?.guards[0]).toMatchObject({ status: "PENDING", streak: 4 });
  });

  it("breaches older than the 10-minute window do not count", () => {
    // B B B at minutes 0-2, NODATA at 3-9, then B B at 10-11: five BREACH in all, but minutes 0 and 1
    // have left the window by the time minute 11 closes.
    const sim = startedSim(fast, (m) => (idx(m) < 3 || idx(m) === 10 || idx(m) === 11 ? erroring(m) : idx(m) < 10 ? trickle(m) : healthy(m)));
    sim.run(min(12));
    expect(sim.rollout.state).toBe("RUNNING");
    expect(sim.last?.guards[0]).toMatchObject({ status: "PENDING", streak: 3 });
    expect(sim.last?.guards[0]?.verdicts.map((v) => v.minute)).toEqual(Array.from({ length: 10 }, (_, i) => min(2 + i)));
  });

  it("guards stay armed while PAUSED", () => {
    const sim = startedSim(fast, switchAt(5, healthy, erroring));
    sim.run(min(3));
    expect(sim.send(pause()).ok).toBe(true);
    expect(sim.rollout.state).toBe("PAUSED");
    const tr = sim.runToEvent(min(60));
    expect(tr?.t).toBe(min(10));
    expect(tr?.decision.event).toMatchObject({
      action: "rollout.rolled_back",
      from: { state: "PAUSED", phase: "BAKING", stageIndex: 0, percentage: 25 },
      to: { state: "ROLLED_BACK", phase: null, percentage: 0 },
    });
    expect(tr?.decision.effect).toEqual({ type: "restore" });
  });

  it("guards stay armed in the final bake", () => {
    const sim = startedSim({ strategy: "instant", stages: undefined, finalBakeSeconds: undefined }, erroring);
    const tr = sim.runToEvent(min(60));
    expect(tr?.t).toBe(min(5));
    expect(tr?.decision.event?.from).toEqual({ state: "RUNNING", phase: "FINAL_BAKE", stageIndex: 0, percentage: 100 });
    expect(tr?.decision.event?.to).toEqual({ state: "ROLLED_BACK", phase: null, stageIndex: 0, percentage: 0 });
  });

  it("guards stay armed while HOLDING (health rounds)", () => {
    const sim = startedSim({}, trickle);
    expect(sim.runToEvent(min(60))?.decision.event?.action).toBe("stage.holding");
    const tr = sim.runToEvent(min(60), { health: () => "FAIL" });
    expect(tr?.t).toBe(min(15));
    expect(tr?.decision.event).toMatchObject({ action: "rollout.rolled_back", from: { phase: "HOLDING" } });
    expect(tr?.decision.rollout.outcome?.trigger).toBe("GUARD");
  });

  it("breaching minutes while HOLDING fail the stage gate at once (pooled), before the tripwire", () => {
    const sim = startedSim({}, switchAt(12, trickle, erroring));
    expect(sim.runToEvent(min(60))?.decision.event?.action).toBe("stage.holding");
    const tr = sim.runToEvent(min(60));
    expect(tr?.t).toBe(min(13));
    expect(tr?.decision.rollout.outcome).toMatchObject({ trigger: "GATE" });
  });

  it("breaches before the rollout started do not count", () => {
    const r = makeRollout({ ...fast, startAt: min(10) });
    const sim = new Sim(r, switchAt(10, erroring, healthy));
    sim.run(min(30));
    expect(sim.transitions.map((x) => x.decision.event?.action)).toEqual(["rollout.started"]);
  });

  it("a disabled guard never fires", () => {
    const sim = startedSim({ ...fast, guards: { errorRate: { enabled: false } } }, erroring);
    sim.run(min(30));
    expect(sim.rollout.state).toBe("RUNNING");
    expect(sim.last?.guards.map((g) => g.name)).toEqual(["p95", "p99"]);
  });
});

describe("health checks", () => {
  const fast = { strategy: "fast", stages: undefined, finalBakeSeconds: undefined } as const;
  const rounds = (sim: Sim, seq: ("PASS" | "FAIL" | "UNKNOWN")[]) => {
    seq.forEach((h, i) => sim.tickAt(min(i + 1), h));
    return sim;
  };

  it("5 consecutive FAIL rounds → ROLLED_BACK", () => {
    const sim = rounds(startedSim(fast), ["FAIL", "FAIL", "FAIL", "FAIL"]);
    expect(sim.rollout).toMatchObject({ state: "RUNNING", health: { consecutiveFailures: 4, lastRoundAt: min(4) } });
    const d = sim.tickAt(min(5), "FAIL");
    expect(d.event).toMatchObject({
      action: "rollout.rolled_back",
      by: "system:guard",
      reason: "5 consecutive failed health checks",
      evidence: { health: { consecutiveFailures: 5, lastRoundAt: min(5) } },
      to: { state: "ROLLED_BACK", percentage: 0 },
    });
    expect(d.effect).toEqual({ type: "restore" });
    expect(d.rollout.outcome?.trigger).toBe("GUARD");
  });

  it("a PASS resets the count", () => {
    const sim = rounds(startedSim(fast), ["FAIL", "FAIL", "FAIL", "FAIL", "PASS", "FAIL", "FAIL", "FAIL", "FAIL"]);
    expect(sim.rollout).toMatchObject({ state: "RUNNING", health: { consecutiveFailures: 4 } });
    expect(sim.tickAt(min(10), "FAIL").rollout.state).toBe("ROLLED_BACK");
  });

  it("an UNKNOWN round keeps the count", () => {
    const sim = rounds(startedSim(fast), ["FAIL", "FAIL", "UNKNOWN", "FAIL", "UNKNOWN", "FAIL"]);
    expect(sim.rollout).toMatchObject({ state: "RUNNING", health: { consecutiveFailures: 4 } });
    expect(sim.tickAt(min(7), "FAIL").rollout.state).toBe("ROLLED_BACK");
  });

  it("ticks less than 30 s apart are one round; a tick without a probe result changes nothing", () => {
    const sim = startedSim(fast);
    sim.tickAt(min(1), "FAIL");
    sim.tickAt(min(1) + 10 * SECOND, "FAIL");
    sim.tickAt(min(1) + 29 * SECOND, "FAIL");
    expect(sim.rollout.health).toEqual({ consecutiveFailures: 1, lastRoundAt: min(1) });
    sim.tickAt(min(1) + 40 * SECOND);
    expect(sim.rollout.health).toEqual({ consecutiveFailures: 1, lastRoundAt: min(1) });
    sim.tickAt(min(1) + 30 * SECOND + 20 * SECOND, "FAIL");
    expect(sim.rollout.health).toEqual({ consecutiveFailures: 2, lastRoundAt: min(1) + 50 * SECOND });
  });

  it("healthFailuresToRollback overrides the count", () => {
    const sim = rounds(startedSim({ ...fast, guards: { healthFailuresToRollback: 2 } }), ["FAIL"]);
    expect(sim.rollout.state).toBe("RUNNING");
    expect(sim.tickAt(min(2), "FAIL").rollout.state).toBe("ROLLED_BACK");
  });

  it("health checks fire while PAUSED", () => {
    const sim = startedSim(fast);
    sim.send(pause());
    rounds(sim, ["FAIL", "FAIL", "FAIL", "FAIL", "FAIL"]);
    expect(sim.rollout.state).toBe("ROLLED_BACK");
    expect(sim.transitions.at(-1)?.decision.event?.from.state).toBe("PAUSED");
  });
});

describe("stage gate FAIL", () => {
  it("a pooled stage breach (no single minute breaching) → ROLLED_BACK with trigger GATE", () => {
    // 1.4 % errors at 1000 requests a minute: every minute is OK (Wilson needs 16), the pool of 5000 is not.
    const sim = startedSim({}, (m) => bucket(m, 1_000, 14, 0, 0));
    const tr = sim.runToEvent(min(60));
    expect(tr?.t).toBe(min(10));
    expect(tr?.decision.guards.every((g) => g.status === "OK")).toBe(true);
    expect(tr?.decision.event).toMatchObject({
      action: "rollout.rolled_back",
      by: "system:guard",
      reason: "errorRate over the stage: 70 of 5000 (lower bound 1.15 %)",
      evidence: { result: "FAIL", guard: "errorRate", n: 5_000, x: 70 },
      from: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 },
      to: { state: "ROLLED_BACK", phase: null, stageIndex: 0, percentage: 0 },
    });
    expect(tr?.decision.effect).toEqual({ type: "restore" });
    expect(tr?.decision.rollout.outcome).toMatchObject({ trigger: "GATE", at: min(10) });
  });

  it("low traffic that is always NODATA per minute still fails the gate when the pool is clearly bad", () => {
    const sim = startedSim({}, (m) => bucket(m, 50, 5, 0, 0));
    const tr = sim.runToEvent(min(60));
    expect(tr?.t).toBe(min(10));
    expect(tr?.decision.rollout.outcome?.trigger).toBe("GATE");
  });
});

describe("commands", () => {
  describe("pause", () => {
    it("RUNNING → PAUSED(MANUAL), no effect; a second pause is a no-op", () => {
      const r = started();
      const d = ok(step(r, pause("user:bob", "looks odd"), min(3)));
      expect(d.event).toMatchObject({
        action: "rollout.paused",
        by: "user:bob",
        reason: "looks odd",
        from: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 },
        to: { state: "PAUSED", phase: "BAKING", stageIndex: 0, percentage: 10 },
      });
      expect(d.effect).toBeNull();
      expect(d.rollout.pauseReasons).toEqual([{ reason: "MANUAL", by: "user:bob", at: min(3), message: "looks odd" }]);
      const again = ok(step(d.rollout, pause("user:carol"), min(4)));
      expect(again.event).toBeNull();
      expect(again.rollout).toBe(d.rollout);
    });

    it("a system-PAUSED rollout gets MANUAL added (one event), then further pauses are no-ops", () => {
      const sim = startedSim({ guards: { holdTimeoutSeconds: 60 } }, trickle);
      sim.run(min(11));
      expect(sim.rollout.state).toBe("PAUSED");
      const d = ok(step(sim.rollout, pause(), min(12)));
      expect(d.event?.from.state).toBe("PAUSED");
      expect(d.event?.to.state).toBe("PAUSED");
      expect(d.rollout.pauseReasons.map((p) => p.reason)).toEqual(["INSUFFICIENT_DATA", "MANUAL"]);
      noEvent(step(d.rollout, pause(), min(12)));
    });

    it("dwell does not accrue while PAUSED; resume picks up where it stopped", () => {
      const sim = startedSim();
      sim.run(min(3));
      sim.send(pause());
      sim.run(T0 + 2 * HOUR);
      expect(sim.rollout.bakedMs).toBe(3 * MINUTE);
      expect(sim.transitions.length).toBe(2);
      expect(ok(sim.send(resume(0))).event?.to.state).toBe("RUNNING");
      const next = sim.runToEvent(T0 + 3 * HOUR);
      expect(next?.t).toBe(T0 + 2 * HOUR + 7 * MINUTE);
      expect(next?.decision.event?.action).toBe("stage.advanced");
    });

    it("a SCHEDULED rollout can be paused; it does not start while paused, and resume makes it SCHEDULED again", () => {
      const r = makeRollout({ startAt: min(10) });
      const paused = ok(step(r, pause(), T0));
      expect(paused.event?.to).toEqual({ state: "PAUSED", phase: null, stageIndex: 0, percentage: 0 });
      noEvent(step(paused.rollout, tickInput(NO_BUCKETS), min(20)));
      const resumed = ok(step(paused.rollout, resume(0), min(20)));
      expect(resumed.event?.to.state).toBe("SCHEDULED");
      const start = ok(step(resumed.rollout, tickInput(NO_BUCKETS), min(21)));
      expect(start.event?.action).toBe("rollout.started");
      expect(start.rollout.startedAt).toBe(min(21));
    });
  });

  describe("resume", () => {
    const pausedAt = (): Rollout => ok(step(started(), pause(), min(3))).rollout;

    it("PAUSED → RUNNING in its previous phase, reasons cleared", () => {
      const d = ok(step(pausedAt(), resume(0, "user:carol"), min(5)));
      expect(d.event).toMatchObject({
        action: "rollout.resumed",
        by: "user:carol",
        from: { state: "PAUSED", phase: "BAKING", stageIndex: 0, percentage: 10 },
        to: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 },
      });
      expect(d.effect).toBeNull();
      // (pause itself does not accrue the time since the last tick; only ticks do)
      expect(d.rollout).toMatchObject({ pauseReasons: [], lastTickAt: min(5), bakedMs: 0 });
    });

    it("needs expectedStage (INVALID), refuses a stale one (CONFLICT)", () => {
      const r = pausedAt();
      expect(step(r, resume(undefined), min(5))).toMatchObject({ ok: false, code: "INVALID" });
      expect(step(r, resume(1), min(5))).toEqual({ ok: false, code: "CONFLICT", message: "the rollout is at stage 0, not 1" });
    });

    it("a replay after success is a no-op; on a RUNNING rollout it is a no-op", () => {
      const d = ok(step(pausedAt(), resume(0), min(5)));
      noEvent(step(d.rollout, resume(0), min(5)));
      noEvent(step(d.rollout, resume(0), min(6)));
      noEvent(step(started(), resume(0), min(1)));
    });

    it("resuming a HOLDING rollout restarts the hold timer", () => {
      const sim = startedSim({ guards: { holdTimeoutSeconds: 120 } }, trickle);
      sim.run(min(12));
      expect(sim.rollout).toMatchObject({ state: "PAUSED", phase: "HOLDING", holdStartedAt: min(10) });
      sim.run(min(30));
      const d = ok(sim.send(resume(0)));
      expect(d.rollout).toMatchObject({ state: "RUNNING", phase: "HOLDING", holdStartedAt: min(30) });
      // Still no data: it pauses again one hold timeout later.
      const again = sim.runToEvent(min(60));
      expect(again?.t).toBe(min(32));
      expect(again?.decision.rollout.state).toBe("PAUSED");
    });
  });

  describe("promote", () => {
    it("moves to the next stage with setPercentage, skipping the gate; a double submit gets CONFLICT", () => {
      const r = started();
      const d = ok(step(r, promote(0, "user:bob"), min(1)));
      expect(d.event).toMatchObject({
        action: "stage.promoted",
        by: "user:bob",
        reason: "manual promote (stage gate skipped)",
        from: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 },
        to: { state: "RUNNING", phase: "BAKING", stageIndex: 1, percentage: 50 },
      });
      expect(d.effect).toEqual({ type: "setPercentage", percentage: 50 });
      expect(d.rollout).toMatchObject({ stageEnteredAt: min(1), bakedMs: 0 });
      expect(step(d.rollout, promote(0), min(1))).toEqual({ ok: false, code: "CONFLICT", message: "the rollout is at stage 1, not 0" });
    });

    it("from the last stage into the final bake at 100 %; not allowed in the final bake", () => {
      const r1 = ok(step(started(), promote(0), min(1))).rollout;
      const r2 = ok(step(r1, promote(1), min(2)));
      expect(r2.event?.to).toEqual({ state: "RUNNING", phase: "FINAL_BAKE", stageIndex: 2, percentage: 100 });
      expect(r2.effect).toEqual({ type: "setPercentage", percentage: 100 });
      expect(step(r2.rollout, promote(2), min(3))).toMatchObject({ ok: false, code: "CONFLICT" });
      const instant = started({ strategy: "instant", stages: undefined, finalBakeSeconds: undefined });
      expect(step(instant, promote(0), min(1))).toMatchObject({ ok: false, code: "CONFLICT" });
    });

    it("from PAUSED or HOLDING: RUNNING/BAKING at the next stage, pause reasons cleared", () => {
      const paused = ok(step(started(), pause(), min(2))).rollout;
      const d = ok(step(paused, promote(0), min(3)));
      expect(d.event?.to).toEqual({ state: "RUNNING", phase: "BAKING", stageIndex: 1, percentage: 50 });
      expect(d.rollout.pauseReasons).toEqual([]);
      const sim = startedSim({}, trickle);
      sim.run(min(10));
      expect(sim.rollout.phase).toBe("HOLDING");
      const h = ok(sim.send(promote(0)));
      expect(h.rollout).toMatchObject({ phase: "BAKING", stageIndex: 1, holdStartedAt: null });
    });

    it("not before the start; needs expectedStage", () => {
      const r = makeRollout({ startAt: min(10) });
      expect(step(r, promote(0), T0)).toEqual({ ok: false, code: "CONFLICT", message: "the rollout has not started" });
      expect(step(started(), promote(undefined), min(1))).toMatchObject({ ok: false, code: "INVALID" });
    });
  });

  describe("rollback and cancel", () => {
    it("RUNNING → ROLLED_BACK with restore; a second rollback is a no-op", () => {
      const d = ok(step(started(), rollback("user:bob", "bad UX"), min(2)));
      expect(d.event).toMatchObject({
        action: "rollout.rolled_back",
        by: "user:bob",
        reason: "bad UX",
        from: { state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 },
        to: { state: "ROLLED_BACK", phase: null, stageIndex: 0, percentage: 0 },
      });
      expect(d.effect).toEqual({ type: "restore" });
      expect(d.rollout.outcome).toEqual({ trigger: "USER", reason: "bad UX", evidence: undefined, at: min(2) });
      noEvent(step(d.rollout, rollback(), min(3)));
      expect(ok(step(started(), rollback(), min(2))).event?.reason).toBe("manual rollback");
    });

    it("PAUSED → ROLLED_BACK with restore", () => {
      const paused = ok(step(started(), pause(), min(2))).rollout;
      const d = ok(step(paused, rollback(), min(3)));
      expect(d.event?.from.state).toBe("PAUSED");
      expect(d.rollout.state).toBe("ROLLED_BACK");
      expect(d.effect).toEqual({ type: "restore" });
    });

    it("SCHEDULED (also paused before the start) → CANCELLED with no effect", () => {
      const r = makeRollout({ startAt: min(10) });
      const d = ok(step(r, rollback(), T0));
      expect(d.event).toMatchObject({ action: "rollout.cancelled", to: { state: "CANCELLED", phase: null, percentage: 0 } });
      expect(d.effect).toBeNull();
      expect(d.rollout.outcome).toMatchObject({ trigger: "USER", reason: "manual rollback" });
      noEvent(step(d.rollout, rollback(), T0));
      const paused = ok(step(r, pause(), T0)).rollout;
      const p = ok(step(paused, rollback(), T0));
      expect(p.rollout.state).toBe("CANCELLED");
      expect(p.effect).toBeNull();
    });

    it("cancel: SCHEDULED → CANCELLED (no effect, replay no-op); RUNNING → CANCELLED with restore", () => {
      const r = makeRollout({ startAt: min(10) });
      const d = ok(step(r, cancel(), T0));
      expect(d.event).toMatchObject({ action: "rollout.cancelled", reason: "cancelled", to: { state: "CANCELLED" } });
      expect(d.effect).toBeNull();
      noEvent(step(d.rollout, cancel(), T0));
      const running = ok(step(started(), cancel(), min(1)));
      expect(running.event?.to).toEqual({ state: "CANCELLED", phase: null, stageIndex: 0, percentage: 0 });
      expect(running.effect).toEqual({ type: "restore" });
    });
  });

  describe("terminal rollouts", () => {
    const completed = (): Rollout => {
      const sim = startedSim();
      sim.run(min(30));
      expect(sim.rollout.state).toBe("COMPLETED");
      return sim.rollout;
    };
    const rolledBack = (): Rollout => ok(step(started(), rollback(), min(1))).rollout;
    const cancelledBeforeStart = (): Rollout => ok(step(makeRollout({ startAt: min(10) }), cancel(), T0)).rollout;
    const cancelledAfterStart = (): Rollout => ok(step(started(), cancel(), min(1))).rollout;

    const cases: [string, () => Rollout, Record<string, "TERMINAL" | "NOOP">][] = [
      ["COMPLETED", completed, { pause: "TERMINAL", resume: "TERMINAL", promote: "TERMINAL", rollback: "TERMINAL", cancel: "TERMINAL" }],
      ["ROLLED_BACK", rolledBack, { pause: "TERMINAL", resume: "TERMINAL", promote: "TERMINAL", rollback: "NOOP", cancel: "TERMINAL" }],
      ["CANCELLED before the start", cancelledBeforeStart, { pause: "TERMINAL", resume: "TERMINAL", promote: "TERMINAL", rollback: "NOOP", cancel: "NOOP" }],
      ["CANCELLED after the start", cancelledAfterStart, { pause: "TERMINAL", resume: "TERMINAL", promote: "TERMINAL", rollback: "TERMINAL", cancel: "NOOP" }],
    ];
    it.each(cases)("%s: every command is refused (TERMINAL) except idempotent replays", (_name, build, expected) => {
      const r = build();
      const inputs: Record<string, RolloutInput> = { pause: pause(), resume: resume(r.stageIndex), promote: promote(r.stageIndex), rollback: rollback(), cancel: cancel() };
      for (const [name, input] of Object.entries(inputs)) {
        const d = step(r, input, r.lastTickAt + HOUR);
        if (expected[name] === "TERMINAL") expect(d, name).toMatchObject({ ok: false, code: "TERMINAL" });
        else {
          noEvent(d);
          expect(d.ok && d.rollout, name).toBe(r);
        }
      }
      // Stale forward commands on a terminal rollout are TERMINAL too (not CONFLICT).
      expect(step(r, resume(99), r.lastTickAt)).toMatchObject({ ok: false, code: "TERMINAL" });
      // Ticks change nothing, whatever the metrics and probes say.
      const bad = new Map(Array.from({ length: 20 }, (_, i) => [r.lastTickAt - i * MINUTE, erroring(r.lastTickAt - i * MINUTE)] as const));
      for (const t of [r.lastTickAt, r.lastTickAt + MINUTE, r.lastTickAt + DAY]) {
        const d = ok(step(r, tickInput(bad, "FAIL"), t));
        expect(d.event).toBeNull();
        expect(d.rollout).toBe(r);
      }
    });
  });

  it("commands use the rollout's clock when `now` is earlier than its last tick", () => {
    const sim = startedSim();
    sim.run(min(5));
    const d = ok(step(sim.rollout, pause(), min(1)));
    expect(d.rollout.pauseReasons[0]?.at).toBe(min(5));
    expect(d.rollout.updatedAt).toBe(min(5));
  });
});

describe("tick idempotence", () => {
  it("tick(t) twice = tick(t) once, at every step of a rollout with holds and advances", () => {
    const sim = startedSim({}, switchAt(12, trickle, healthy));
    for (let t = min(1); t <= min(40); t += 30 * SECOND) {
      const once = sim.tickAt(t, "PASS");
      const twice = ok(step(once.rollout, tickInput(sim.buckets, "PASS"), t));
      expect(twice.event).toBeNull();
      expect(twice.rollout).toEqual(once.rollout);
    }
    expect(sim.rollout.state).toBe("COMPLETED");
  });

  // Regression (found by these tests, fixed in src/domain/rollout/machine.ts).
  it("zero dwell: a second tick at the same instant is a no-op", () => {
    const r = makeRollout({ strategy: "safe", stages: undefined, finalBakeSeconds: undefined, minStageDurationSeconds: 0 });
    const first = ok(step(r, tickInput(NO_BUCKETS), T0));
    expect(first.event?.action).toBe("rollout.started");
    const second = ok(step(first.rollout, tickInput(NO_BUCKETS), T0));
    expect(second.event).toBeNull();
  });

  // Regression (found by these tests, fixed in src/domain/rollout/machine.ts).
  it("zero dwell: repeated ticks at one instant make a single transition", () => {
    let r = makeRollout({
      strategy: "safe", stages: undefined, finalBakeSeconds: 0, minStageDurationSeconds: 0,
      guards: { errorRate: { stageMinSamples: 0 }, p95: { stageMinSamples: 0 } },
    });
    const actions: string[] = [];
    for (let i = 0; i < 10 && !isTerminal(r.state); i++) {
      const d = ok(step(r, tickInput(NO_BUCKETS), T0));
      if (d.event) actions.push(`${d.event.action}:${d.rollout.percentage}`);
      r = d.rollout;
    }
    expect(actions).toEqual(["rollout.started:5"]);
  });
});

describe("the start tick and health probes", () => {
  // Regression (found by these tests, fixed in src/domain/rollout/machine.ts).
  it("a repeated start tick with a failing probe is a no-op", () => {
    const r = makeRollout({ guards: { healthFailuresToRollback: 1 } });
    const first = ok(step(r, tickInput(NO_BUCKETS, "FAIL"), T0));
    expect(first.event?.action).toBe("rollout.started");
    const second = ok(step(first.rollout, tickInput(NO_BUCKETS, "FAIL"), T0));
    expect(second.event).toBeNull();
    expect(second.rollout).toEqual(first.rollout);
  });
});

describe("guards on a rollout paused before its start", () => {
  // Regression (found by these tests, fixed in src/domain/rollout/machine.ts).
  it("a never-started (paused) rollout is not rolled back by guards", () => {
    const r = makeRollout({ startAt: min(10) });
    const paused = ok(step(r, pause(), T0)).rollout;
    const buckets = new Map(Array.from({ length: 6 }, (_, i) => [min(10 + i), erroring(min(10 + i))] as const));
    const d = ok(step(paused, tickInput(buckets), min(16)));
    expect(d.rollout.state).not.toBe("ROLLED_BACK");
    expect(d.effect).toBeNull();
  });
});

describe("positions", () => {
  it("positionOf mirrors the rollout", () => {
    expect(positionOf(started())).toEqual({ state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 10 });
  });
});
