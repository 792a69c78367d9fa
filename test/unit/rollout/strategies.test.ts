import { describe, expect, it } from "vitest";
import { RolloutRequest } from "../../../src/domain/rollout/model.js";
import { resolveGuards, resolvePlan, timeline } from "../../../src/domain/rollout/strategies.js";
import { DAY, HOUR, T0 } from "./fixtures.js";

const H = 3_600;
const D = 24 * H;

const iso = (ms: number): string => new Date(ms).toISOString();

describe("resolvePlan: strategy presets", () => {
  it("SAFE is 5, 10, 25, 50, 75 % for 24 h each, then a 24 h final bake", () => {
    expect(resolvePlan({ strategy: "safe" })).toEqual({
      stages: [5, 10, 25, 50, 75].map((percentage) => ({ percentage, durationSeconds: D })),
      finalBakeSeconds: D,
    });
  });

  it("SAFE: 5 days of stages to reach 100 %, the bake makes 6 days to complete (see note)", () => {
    // NOTE: the original design said "6 d to 100 %, 7 d to complete", which does not follow from its own stage
    // list (5 stages × 24 h = 5 d to 100 %, + 24 h bake = 6 d). The code follows the stage list
    // (docs/architecture.md, "Where the code departs from the original design"); this pins it.
    const plan = resolvePlan({ strategy: "safe" });
    const tl = timeline(plan, T0);
    expect(tl.steps[5]).toMatchObject({ percentage: 100, phase: "FINAL_BAKE", startsAt: iso(T0 + 5 * DAY) });
    expect(tl.completesAt).toBe(iso(T0 + 6 * DAY));
  });

  it("FAST is 25, 50 % for 24 h each, then a 24 h final bake: 2 days to 100 %, 3 days in total", () => {
    const plan = resolvePlan({ strategy: "fast" });
    expect(plan).toEqual({
      stages: [
        { percentage: 25, durationSeconds: D },
        { percentage: 50, durationSeconds: D },
      ],
      finalBakeSeconds: D,
    });
    const tl = timeline(plan, T0);
    expect(tl.steps.at(-1)).toMatchObject({ percentage: 100, phase: "FINAL_BAKE", startsAt: iso(T0 + 2 * DAY) });
    expect(tl.completesAt).toBe(iso(T0 + 3 * DAY));
  });

  it("INSTANT has no stages and a 1 h final bake", () => {
    const plan = resolvePlan({ strategy: "instant" });
    expect(plan).toEqual({ stages: [], finalBakeSeconds: H });
    const tl = timeline(plan, T0);
    expect(tl.steps).toEqual([{ stage: 0, percentage: 100, phase: "FINAL_BAKE", startsAt: iso(T0), endsAt: iso(T0 + HOUR) }]);
    expect(tl.completesAt).toBe(iso(T0 + HOUR));
  });

  it("CUSTOM uses the given stages and finalBakeSeconds (24 h bake when left out)", () => {
    const stages = [
      { percentage: 1, durationSeconds: 60 },
      { percentage: 33.3, durationSeconds: 7_200 },
    ];
    expect(resolvePlan({ strategy: "custom", stages, finalBakeSeconds: 90 })).toEqual({ stages, finalBakeSeconds: 90 });
    expect(resolvePlan({ strategy: "custom", stages })).toEqual({ stages, finalBakeSeconds: D });
  });

  it("minStageDurationSeconds overrides every stage's dwell, not the bake", () => {
    for (const strategy of ["safe", "fast"] as const) {
      const plan = resolvePlan({ strategy, minStageDurationSeconds: 300 });
      expect(plan.stages.length).toBeGreaterThan(0);
      expect(plan.stages.every((s) => s.durationSeconds === 300)).toBe(true);
      expect(plan.finalBakeSeconds).toBe(D);
    }
    const custom = resolvePlan({
      strategy: "custom",
      stages: [
        { percentage: 10, durationSeconds: 60 },
        { percentage: 20, durationSeconds: 9_999 },
      ],
      minStageDurationSeconds: 120,
    });
    expect(custom.stages).toEqual([
      { percentage: 10, durationSeconds: 120 },
      { percentage: 20, durationSeconds: 120 },
    ]);
    // 0 is an override too (not "unset").
    expect(resolvePlan({ strategy: "safe", minStageDurationSeconds: 0 }).stages.every((s) => s.durationSeconds === 0)).toBe(true);
  });

  it("finalBakeSeconds overrides the bake of every strategy (0 included)", () => {
    for (const strategy of ["safe", "fast", "instant"] as const) {
      expect(resolvePlan({ strategy, finalBakeSeconds: 300 }).finalBakeSeconds).toBe(300);
      expect(resolvePlan({ strategy, finalBakeSeconds: 0 }).finalBakeSeconds).toBe(0);
    }
  });

  it("does not share preset arrays between calls", () => {
    const a = resolvePlan({ strategy: "safe" });
    (a.stages[0] as { percentage: number }).percentage = 99;
    expect(resolvePlan({ strategy: "safe" }).stages[0]?.percentage).toBe(5);
  });
});

describe("timeline", () => {
  it("lays the stages end to end from startAt, then the final bake", () => {
    const plan = resolvePlan({ strategy: "safe", minStageDurationSeconds: 300, finalBakeSeconds: 600 });
    const tl = timeline(plan, T0);
    expect(tl.steps).toEqual([
      ...[5, 10, 25, 50, 75].map((percentage, i) => ({
        stage: i,
        percentage,
        phase: "BAKING",
        startsAt: iso(T0 + i * 300_000),
        endsAt: iso(T0 + (i + 1) * 300_000),
      })),
      { stage: 5, percentage: 100, phase: "FINAL_BAKE", startsAt: iso(T0 + 1_500_000), endsAt: iso(T0 + 2_100_000) },
    ]);
    expect(tl.completesAt).toBe(iso(T0 + 2_100_000));
  });

  it("SAFE at 24 h per stage: each stage starts a day after the previous", () => {
    const tl = timeline(resolvePlan({ strategy: "safe" }), T0);
    expect(tl.steps.map((s) => s.startsAt)).toEqual([0, 1, 2, 3, 4, 5].map((d) => iso(T0 + d * DAY)));
    expect(tl.steps.map((s) => s.percentage)).toEqual([5, 10, 25, 50, 75, 100]);
  });
});

describe("resolveGuards", () => {
  it("has the documented defaults (docs/rollouts.md)", () => {
    expect(resolveGuards(undefined)).toEqual({
      metrics: [
        { name: "errorRate", maxRate: 0.01, minSamples: 100, stageMinSamples: 1_000, requiredForAdvance: true, warning: { maxRate: 0.001 } },
        { name: "p95", maxRate: 0.05, thresholdMs: 500, minSamples: 200, stageMinSamples: 2_000, requiredForAdvance: true, warning: { maxRate: 0.05, thresholdMs: 100 } },
        { name: "p99", maxRate: 0.01, thresholdMs: 1_000, minSamples: 1_000, stageMinSamples: 10_000, requiredForAdvance: false, warning: { maxRate: 0.01, thresholdMs: 200 } },
      ],
      confidence: 0.95,
      unknownPauseSeconds: 900,
      healthFailuresToRollback: 5,
    });
    // No hold timeout unless configured (the machine derives it from the dwell).
    expect(resolveGuards({})).not.toHaveProperty("holdTimeoutSeconds");
    expect(resolveGuards({})).toEqual(resolveGuards(undefined));
  });

  it("the error guard has no latency threshold", () => {
    expect(resolveGuards(undefined).metrics[0]).not.toHaveProperty("thresholdMs");
  });

  it("applies per-guard overrides and keeps the other defaults", () => {
    const g = resolveGuards({
      errorRate: { maxRate: 0.02, minSamples: 50 },
      p95: { thresholdMs: 300, stageMinSamples: 0, requiredForAdvance: false },
      p99: { maxRate: 0.005, requiredForAdvance: true },
      confidence: 0,
      holdTimeoutSeconds: 120,
      unknownPauseSeconds: 300,
      healthFailuresToRollback: 3,
    });
    expect(g).toEqual({
      metrics: [
        { name: "errorRate", maxRate: 0.02, minSamples: 50, stageMinSamples: 1_000, requiredForAdvance: true, warning: { maxRate: 0.001 } },
        { name: "p95", maxRate: 0.05, thresholdMs: 300, minSamples: 200, stageMinSamples: 0, requiredForAdvance: false, warning: { maxRate: 0.05, thresholdMs: 100 } },
        { name: "p99", maxRate: 0.005, thresholdMs: 1_000, minSamples: 1_000, stageMinSamples: 10_000, requiredForAdvance: true, warning: { maxRate: 0.01, thresholdMs: 200 } },
      ],
      confidence: 0,
      holdTimeoutSeconds: 120,
      unknownPauseSeconds: 300,
      healthFailuresToRollback: 3,
    });
  });

  it("enabled:false drops a guard; enabled:true keeps it", () => {
    expect(resolveGuards({ p99: { enabled: false } }).metrics.map((m) => m.name)).toEqual(["errorRate", "p95"]);
    expect(resolveGuards({ errorRate: { enabled: false }, p95: { enabled: false } }).metrics.map((m) => m.name)).toEqual(["p99"]);
    expect(resolveGuards({ errorRate: { enabled: false }, p95: { enabled: false }, p99: { enabled: false } }).metrics).toEqual([]);
    expect(resolveGuards({ p95: { enabled: true, maxRate: 0.1 } }).metrics[1]).toMatchObject({ name: "p95", maxRate: 0.1 });
  });

  it("warning tiers: the targets by default (0.1 % errors, P95 100 ms, P99 200 ms), overridable, or off", () => {
    const g = resolveGuards({
      errorRate: { warning: { maxRate: 0.004, thresholdMs: 50 } },
      p95: { warning: { thresholdMs: 150 } },
      p99: { warning: { enabled: false } },
    });
    // The error guard's warning never takes a latency threshold.
    expect(g.metrics.map((m) => m.warning)).toEqual([{ maxRate: 0.004 }, { maxRate: 0.05, thresholdMs: 150 }, undefined]);
    expect(g.metrics[2]).not.toHaveProperty("warning");
  });

  it("holdTimeoutSeconds 0 is kept (not treated as unset)", () => {
    expect(resolveGuards({ holdTimeoutSeconds: 0 }).holdTimeoutSeconds).toBe(0);
  });
});

describe("RolloutRequest schema", () => {
  const base = { flag: "checkout", variant: "new" };
  const issues = (input: unknown) => {
    const r = RolloutRequest.safeParse(input);
    expect(r.success).toBe(false);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path, message: i.message }));
  };

  it("accepts the presets without stages and applies defaults", () => {
    for (const strategy of ["safe", "fast", "instant"]) {
      const r = RolloutRequest.parse({ ...base, strategy });
      expect(r).toMatchObject({ strategy, healthChecks: [], webhooks: [], dryRun: false });
      expect(r.stages).toBeUndefined();
    }
  });

  it("rejects a custom strategy without stages, at path stages", () => {
    expect(issues({ ...base, strategy: "custom" })).toEqual([{ path: ["stages"], message: "a custom strategy needs stages" }]);
  });

  it("rejects stages with a non-custom strategy, at path stages", () => {
    for (const strategy of ["safe", "fast", "instant"]) {
      const found = issues({ ...base, strategy, stages: [{ percentage: 10, durationSeconds: 60 }] });
      expect(found).toEqual([{ path: ["stages"], message: `stages are set by the ${strategy} strategy; use "custom"` }]);
    }
  });

  it("rejects non-increasing stage percentages, at the offending stage", () => {
    const found = issues({
      ...base,
      strategy: "custom",
      stages: [
        { percentage: 10, durationSeconds: 60 },
        { percentage: 10, durationSeconds: 60 },
        { percentage: 50, durationSeconds: 60 },
        { percentage: 20, durationSeconds: 60 },
      ],
    });
    expect(found).toEqual([
      { path: ["stages", 1, "percentage"], message: "stage percentages must increase" },
      { path: ["stages", 3, "percentage"], message: "stage percentages must increase" },
    ]);
  });

  it("accepts increasing custom stages", () => {
    const r = RolloutRequest.parse({
      ...base,
      strategy: "custom",
      stages: [
        { percentage: 0.5, durationSeconds: 0 },
        { percentage: 99.5, durationSeconds: 30 * 86_400 },
      ],
    });
    expect(r.stages).toHaveLength(2);
  });

  it("rejects stage percentages outside (0, 100) and an empty stage list", () => {
    expect(issues({ ...base, strategy: "custom", stages: [{ percentage: 0, durationSeconds: 60 }] })[0]?.path).toEqual(["stages", 0, "percentage"]);
    expect(issues({ ...base, strategy: "custom", stages: [{ percentage: 100, durationSeconds: 60 }] })[0]?.path).toEqual(["stages", 0, "percentage"]);
    expect(issues({ ...base, strategy: "custom", stages: [] })[0]?.path).toEqual(["stages"]);
  });

  it("rejects unknown guard keys and out-of-range guard settings", () => {
    expect(issues({ ...base, strategy: "safe", guards: { latency: {} } })[0]?.path).toEqual(["guards"]);
    expect(issues({ ...base, strategy: "safe", guards: { confidence: 0.5 } })[0]?.path).toEqual(["guards", "confidence"]);
    expect(issues({ ...base, strategy: "safe", guards: { errorRate: { maxRate: 1 } } })[0]?.path).toEqual(["guards", "errorRate", "maxRate"]);
    expect(issues({ ...base, strategy: "safe", guards: { unknownPauseSeconds: 30 } })[0]?.path).toEqual(["guards", "unknownPauseSeconds"]);
  });

  it("accepts startAt as an ISO date-time with offset or epoch ms", () => {
    expect(RolloutRequest.parse({ ...base, strategy: "fast", startAt: "2026-03-02T10:00:00+01:00" }).startAt).toBe("2026-03-02T10:00:00+01:00");
    expect(RolloutRequest.parse({ ...base, strategy: "fast", startAt: T0 }).startAt).toBe(T0);
    expect(RolloutRequest.safeParse({ ...base, strategy: "fast", startAt: "tomorrow" }).success).toBe(false);
  });
});
