import { describe, expect, it } from "vitest";
import { Rollout as RolloutSchema, RolloutRequest } from "../../../src/domain/rollout/model.js";
import { baselineOf, createRollout } from "../../../src/domain/rollout/create.js";
import { resolveGuards } from "../../../src/domain/rollout/strategies.js";
import { DAY, HOUR, IDS, makeFlag, T0 } from "./fixtures.js";

const request = (input: Record<string, unknown> = {}) => RolloutRequest.parse({ flag: "checkout", variant: "new", strategy: "fast", ...input });
const errorsOf = (r: ReturnType<typeof createRollout>) => (r.ok ? [] : r.errors);

describe("createRollout: happy path", () => {
  it("builds a SCHEDULED rollout with the plan, guards, snapshot and bookkeeping", () => {
    const flag = makeFlag({ version: 12 });
    const created = createRollout(request({ reason: "ship v2" }), flag, { ...IDS }, T0);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const r = created.rollout;
    expect(() => RolloutSchema.parse(r)).not.toThrow();
    expect(r).toEqual({
      id: IDS.id,
      env: IDS.env,
      flag: "checkout",
      variant: "new",
      baseline: "old",
      strategy: "fast",
      stages: [
        { percentage: 25, durationSeconds: 86_400 },
        { percentage: 50, durationSeconds: 86_400 },
      ],
      finalBakeSeconds: 86_400,
      guards: resolveGuards(undefined),
      healthChecks: [],
      webhooks: [],
      state: "SCHEDULED",
      phase: null,
      stageIndex: 0,
      percentage: 0,
      startAt: T0,
      startedAt: null,
      stageEnteredAt: null,
      bakedMs: 0,
      lastTickAt: T0,
      holdStartedAt: null,
      pauseReasons: [],
      health: { consecutiveFailures: 0, lastRoundAt: null },
      snapshot: { fallthrough: { variant: "old" }, flagVersion: 12 },
      outcome: null,
      warnings: [],
      createdAt: T0,
      createdBy: IDS.by,
      updatedAt: T0,
      version: 0,
    });
  });

  it("defaults the baseline to what the fallthrough serves; an explicit matching baseline is fine", () => {
    const flag = makeFlag({ fallthrough: { variant: "other" } });
    const a = createRollout(request(), flag, { ...IDS }, T0);
    expect(a.ok && a.rollout.baseline).toBe("other");
    const b = createRollout(request({ baseline: "other" }), flag, { ...IDS }, T0);
    expect(b.ok && b.rollout.baseline).toBe("other");
  });

  it("accepts a fallthrough that is a 0 % rollout onto the baseline, and snapshots it as is", () => {
    const fallthrough = { rollout: { variant: "new", baseline: "old", percentage: 0 } };
    const created = createRollout(request(), makeFlag({ fallthrough, version: 3 }), { ...IDS }, T0);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.rollout.baseline).toBe("old");
    expect(created.rollout.snapshot).toEqual({ fallthrough, flagVersion: 3 });
  });

  it("startAt: epoch ms or ISO; a past startAt starts now", () => {
    const epoch = createRollout(request({ startAt: T0 + HOUR }), makeFlag(), { ...IDS }, T0);
    expect(epoch.ok && epoch.rollout.startAt).toBe(T0 + HOUR);
    const isoStart = createRollout(request({ startAt: "2026-03-02T03:00:00+02:00" }), makeFlag(), { ...IDS }, T0);
    expect(isoStart.ok && isoStart.rollout.startAt).toBe(T0 + HOUR);
    const past = createRollout(request({ startAt: T0 - DAY }), makeFlag(), { ...IDS }, T0);
    expect(past.ok && past.rollout.startAt).toBe(T0);
    expect(past.ok && past.rollout.state).toBe("SCHEDULED");
  });

  it("carries the plan overrides, guard overrides, health checks and webhooks", () => {
    const created = createRollout(
      request({
        strategy: "safe",
        minStageDurationSeconds: 300,
        finalBakeSeconds: 600,
        guards: { p99: { enabled: false }, confidence: 0.99 },
        healthChecks: [{ url: "https://example.com/health" }],
        webhooks: ["https://hooks.example.com/x"],
      }),
      makeFlag(),
      { ...IDS },
      T0,
    );
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.rollout.stages.map((s) => s.durationSeconds)).toEqual([300, 300, 300, 300, 300]);
    expect(created.rollout.finalBakeSeconds).toBe(600);
    expect(created.rollout.guards.metrics.map((m) => m.name)).toEqual(["errorRate", "p95"]);
    expect(created.rollout.guards.confidence).toBe(0.99);
    expect(created.rollout.healthChecks).toEqual([{ url: "https://example.com/health", timeoutMs: 2_000 }]);
    expect(created.rollout.webhooks).toEqual(["https://hooks.example.com/x"]);
  });
});

describe("baselineOf", () => {
  it("is the served variant, or the baseline of a 0 % rollout without a time ramp", () => {
    expect(baselineOf({ variant: "old" })).toBe("old");
    expect(baselineOf({ rollout: { variant: "new", baseline: "old", percentage: 0 } })).toBe("old");
    expect(baselineOf({ rollout: { variant: "new", baseline: "old", percentage: 0.001 } })).toBeUndefined();
    expect(baselineOf({ rollout: { variant: "new", baseline: "old", percentage: 0, startAt: T0, endAt: T0 + 1 } })).toBeUndefined();
    expect(baselineOf({ split: { old: 50, new: 50 } })).toBeUndefined();
  });
});

describe("createRollout: errors (with paths)", () => {
  it("unknown variant", () => {
    expect(errorsOf(createRollout(request({ variant: "nope" }), makeFlag(), { ...IDS }, T0))).toEqual([
      { path: "variant", message: 'flag "checkout" has no variant "nope"' },
    ]);
  });

  it("unknown baseline (which the fallthrough cannot serve either)", () => {
    expect(errorsOf(createRollout(request({ baseline: "ghost" }), makeFlag(), { ...IDS }, T0))).toEqual([
      { path: "baseline", message: 'flag "checkout" has no variant "ghost"' },
      { path: "baseline", message: 'the fallthrough serves "old", not the baseline "ghost"' },
    ]);
  });

  it("a baseline the fallthrough does not serve", () => {
    expect(errorsOf(createRollout(request({ baseline: "other" }), makeFlag(), { ...IDS }, T0))).toEqual([
      { path: "baseline", message: 'the fallthrough serves "old", not the baseline "other"' },
    ]);
  });

  it("variant == baseline (explicit or defaulted)", () => {
    expect(errorsOf(createRollout(request({ variant: "old" }), makeFlag(), { ...IDS }, T0))).toEqual([
      { path: "variant", message: "the variant must differ from the baseline" },
    ]);
    expect(errorsOf(createRollout(request({ variant: "old", baseline: "old" }), makeFlag(), { ...IDS }, T0))).toEqual([
      { path: "variant", message: "the variant must differ from the baseline" },
    ]);
  });

  it("a fallthrough that is a split", () => {
    const flag = makeFlag({ fallthrough: { split: { old: 90, new: 10 } } });
    expect(errorsOf(createRollout(request(), flag, { ...IDS }, T0))).toEqual([
      { path: "flag", message: 'the fallthrough of "checkout" does not serve one variant to everyone; set it to the baseline first' },
    ]);
    // With an explicit baseline the mismatch is reported at the baseline.
    expect(errorsOf(createRollout(request({ baseline: "old" }), flag, { ...IDS }, T0))).toEqual([
      { path: "baseline", message: 'the fallthrough serves "a mix", not the baseline "old"' },
    ]);
  });

  it("a fallthrough that is a non-zero rollout (or a 0 % time ramp)", () => {
    for (const rollout of [
      { variant: "new", baseline: "old", percentage: 30 },
      { variant: "new", baseline: "old", percentage: 0, startAt: T0, endAt: T0 + DAY },
    ]) {
      const errors = errorsOf(createRollout(request(), makeFlag({ fallthrough: { rollout } }), { ...IDS }, T0));
      expect(errors).toEqual([{ path: "flag", message: expect.stringContaining("does not serve one variant to everyone") }]);
    }
  });

  it("reports every problem at once", () => {
    const flag = makeFlag({ fallthrough: { split: { old: 50, other: 50 } } });
    const errors = errorsOf(createRollout(request({ variant: "nope" }), flag, { ...IDS }, T0));
    expect(errors.map((e) => e.path)).toEqual(["variant", "flag"]);
  });
});
