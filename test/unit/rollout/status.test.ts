/**
 * The operator's view of a rollout: stage i/N (the final bake counts as a stage), current and next
 * percentage, time left in the stage, the guard table (metric guards and the health probe), and
 * every instant as ISO 8601.
 */
import { describe, expect, it } from "vitest";
import type { Rollout } from "../../../src/domain/rollout/model.js";
import { rolloutStatus } from "../../../src/domain/rollout/status.js";
import { DAY, erroring, HOUR, makeRollout, MINUTE, Sim, T0 } from "./fixtures.js";

const NO_BUCKETS = new Map();
const iso = (ms: number): string => new Date(ms).toISOString();

/** A Sim whose rollout started at T0 and then ran `minutes` minutes. */
function runningFor(minutes: number, request: Record<string, unknown> = {}, metrics?: Sim["metrics"]): Sim {
  const sim = new Sim(makeRollout(request), metrics);
  expect(sim.tickAt(T0).event?.action).toBe("rollout.started");
  sim.run(T0 + minutes * MINUTE);
  return sim;
}

describe("rolloutStatus", () => {
  it("a scheduled rollout: stage 1 of N, nothing live yet, no guard table, no time left", () => {
    const r = makeRollout({ startAt: T0 + HOUR });
    const s = rolloutStatus(r, NO_BUCKETS, T0);
    expect(s).toMatchObject({
      id: "ro_1", env: "production", flag: "checkout", variant: "new", baseline: "old", strategy: "custom",
      state: "SCHEDULED", phase: null, stageIndex: 0, stage: "1/3", percentage: 0, nextPercentage: 10,
      bakedSeconds: 0, timeLeftInStageSeconds: null, guards: [], outcome: null,
      startAt: iso(T0 + HOUR), startedAt: null, stageEnteredAt: null, holdStartedAt: null,
      createdAt: iso(T0), updatedAt: iso(T0), createdBy: "user:alice", version: 0,
    });
  });

  it("lists the stages with the final bake at 100 % appended", () => {
    expect(rolloutStatus(makeRollout(), NO_BUCKETS, T0).stages).toEqual([
      { percentage: 10, durationSeconds: 600 },
      { percentage: 50, durationSeconds: 600 },
      { percentage: 100, durationSeconds: 600, finalBake: true },
    ]);
  });

  it("a running stage: percentages, baked and remaining time, one verdict per closed minute", () => {
    const sim = runningFor(4);
    const s = rolloutStatus(sim.rollout, sim.buckets, sim.t);
    expect(s).toMatchObject({ state: "RUNNING", phase: "BAKING", stage: "1/3", percentage: 10, nextPercentage: 50, bakedSeconds: 240, timeLeftInStageSeconds: 360 });
    expect(s.startedAt).toBe(iso(T0));
    expect(s.guards.map((g) => [g.name, g.status, g.streak])).toEqual([["errorRate", "OK", 0], ["p95", "OK", 0], ["p99", "OK", 0]]);
    const errorGuard = s.guards[0];
    expect(errorGuard?.verdicts.map((v) => v.minute)).toEqual([0, 1, 2, 3].map((m) => iso(T0 + m * MINUTE)));
    expect(errorGuard?.verdicts[0]).toMatchObject({ verdict: "OK", n: 2_000, x: 4 });
  });

  it("time left never goes negative and rounds partial seconds up", () => {
    const r = runningFor(4).rollout;
    expect(rolloutStatus({ ...r, bakedMs: 10 * MINUTE + 5_000 }, NO_BUCKETS, T0 + 4 * MINUTE).timeLeftInStageSeconds).toBe(0);
    const partial = rolloutStatus({ ...r, bakedMs: 1_500 }, NO_BUCKETS, T0 + 4 * MINUTE);
    expect(partial.timeLeftInStageSeconds).toBe(599);
    expect(partial.bakedSeconds).toBe(1);
  });

  it("shows breaching guards as PENDING with their streak", () => {
    const sim = runningFor(3, {}, erroring);
    const s = rolloutStatus(sim.rollout, sim.buckets, sim.t);
    expect(s.guards.find((g) => g.name === "errorRate")).toMatchObject({ status: "PENDING", streak: 3 });
    expect(s.guards.find((g) => g.name === "errorRate")?.verdicts.map((v) => v.verdict)).toEqual(["BREACH", "BREACH", "BREACH"]);
  });

  it("the last stage's next percentage is 100; in the final bake it is the last stage and there is no next", () => {
    const sim = runningFor(0);
    const second = sim.runToEvent(T0 + DAY);
    expect(second?.decision.rollout.percentage).toBe(50);
    expect(rolloutStatus(sim.rollout, sim.buckets, sim.t)).toMatchObject({ stage: "2/3", nextPercentage: 100 });
    const final = sim.runToEvent(T0 + DAY);
    expect(final?.decision.rollout.percentage).toBe(100);
    expect(rolloutStatus(sim.rollout, sim.buckets, sim.t)).toMatchObject({ stage: "3/3", phase: "FINAL_BAKE", percentage: 100, nextPercentage: null, timeLeftInStageSeconds: 600 });
  });

  it("a finished rollout: no next percentage, no time left, no guard table, the outcome with an ISO time", () => {
    const sim = runningFor(0);
    sim.run(T0 + DAY, { stop: (d) => d.rollout.state === "COMPLETED" });
    expect(sim.rollout.state).toBe("COMPLETED");
    const s = rolloutStatus(sim.rollout, sim.buckets, sim.t);
    expect(s).toMatchObject({ stage: "3/3", nextPercentage: null, timeLeftInStageSeconds: null, guards: [] });
    expect(s.outcome).toEqual({ trigger: "COMPLETED", reason: "final bake passed", at: iso(sim.t) });
  });

  it("pause reasons carry ISO times", () => {
    const sim = runningFor(2);
    expect(sim.send({ type: "pause", by: "user:bob", reason: "looking into it" }).ok).toBe(true);
    const s = rolloutStatus(sim.rollout, sim.buckets, sim.t);
    expect(s.state).toBe("PAUSED");
    expect(s.pauseReasons).toHaveLength(1);
    expect(s.pauseReasons[0]).toMatchObject({ reason: "MANUAL", by: "user:bob", at: iso(sim.t) });
    // A paused rollout is still live: its guards are still shown.
    expect(s.guards.map((g) => g.name)).toEqual(["errorRate", "p95", "p99"]);
  });

  it("adds a health row only when the rollout probes health: OK, PENDING, then FIRE at the rollback threshold", () => {
    expect(rolloutStatus(runningFor(1).rollout, NO_BUCKETS, T0 + MINUTE).guards.some((g) => g.name === "health")).toBe(false);
    const r = runningFor(1, { healthChecks: [{ url: "https://health.test/ok" }] }).rollout;
    const healthRow = (failures: number) =>
      rolloutStatus({ ...r, health: { consecutiveFailures: failures, lastRoundAt: T0 } } satisfies Rollout, NO_BUCKETS, T0 + MINUTE).guards.find((g) => g.name === "health");
    const limit = r.guards.healthFailuresToRollback;
    expect(healthRow(0)).toEqual({ name: "health", status: "OK", streak: 0, verdicts: [], needsSamples: null });
    expect(healthRow(1)).toMatchObject({ status: "PENDING", streak: 1 });
    expect(healthRow(limit - 1)).toMatchObject({ status: "PENDING", streak: limit - 1 });
    expect(healthRow(limit)).toMatchObject({ status: "FIRE", streak: limit });
  });
});
