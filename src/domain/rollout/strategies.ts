/**
 * Rollout strategies (docs/rollouts.md, "Starting one") and the plan a request resolves to, with times for a dry run.
 */
import { z } from "zod";
import { GuardSettings, type MetricGuard, type RolloutRequest, type Stage, type Strategy } from "./model.js";

const HOUR = 3_600;
const DAY = 24 * HOUR;

const PRESETS: Record<Exclude<Strategy, "custom">, { stages: number[]; dwell: number; finalBake: number }> = {
  safe: { stages: [5, 10, 25, 50, 75], dwell: DAY, finalBake: DAY },
  fast: { stages: [25, 50], dwell: DAY, finalBake: DAY },
  instant: { stages: [], dwell: 0, finalBake: HOUR },
};

export interface ResolvedPlan {
  readonly stages: Stage[];
  readonly finalBakeSeconds: number;
}

export function resolvePlan(request: Pick<RolloutRequest, "strategy" | "stages" | "minStageDurationSeconds" | "finalBakeSeconds">): ResolvedPlan {
  const base =
    request.strategy === "custom"
      ? { stages: request.stages ?? [], finalBakeSeconds: request.finalBakeSeconds ?? DAY }
      : {
          stages: PRESETS[request.strategy].stages.map((percentage) => ({ percentage, durationSeconds: PRESETS[request.strategy as "safe"].dwell })),
          finalBakeSeconds: PRESETS[request.strategy].finalBake,
        };
  const dwell = request.minStageDurationSeconds;
  return {
    stages: base.stages.map((s) => ({ percentage: s.percentage, durationSeconds: dwell ?? s.durationSeconds })),
    finalBakeSeconds: request.finalBakeSeconds ?? base.finalBakeSeconds,
  };
}

type GuardOverrideInput = NonNullable<NonNullable<RolloutRequest["guards"]>["errorRate"]>;

/**
 * The guard defaults (docs/rollouts.md, "Guards: what \"for 5 minutes\" means"), with the request's
 * overrides applied. Each guard also has a warning tier at the service's target levels (error rate
 * 0.1 %, P95 100 ms, P99 200 ms): crossing it raises a warning and nothing else.
 */
export function resolveGuards(input: RolloutRequest["guards"]): GuardSettings {
  const g = input ?? {};
  const metric = (name: MetricGuard["name"], defaults: Omit<MetricGuard, "name">, override: GuardOverrideInput | undefined): MetricGuard[] => {
    if (override?.enabled === false) return [];
    const resolved: MetricGuard = {
      name,
      maxRate: override?.maxRate ?? defaults.maxRate,
      minSamples: override?.minSamples ?? defaults.minSamples,
      stageMinSamples: override?.stageMinSamples ?? defaults.stageMinSamples,
      requiredForAdvance: override?.requiredForAdvance ?? defaults.requiredForAdvance,
    };
    const thresholdMs = override?.thresholdMs ?? defaults.thresholdMs;
    const warning = resolveWarning(defaults.warning, override?.warning, thresholdMs !== undefined);
    return [{ ...resolved, ...(thresholdMs === undefined ? {} : { thresholdMs }), ...(warning === undefined ? {} : { warning }) }];
  };
  return {
    metrics: [
      ...metric("errorRate", { maxRate: 0.01, minSamples: 100, stageMinSamples: 1_000, requiredForAdvance: true, warning: { maxRate: 0.001 } }, g.errorRate),
      ...metric("p95", { maxRate: 0.05, thresholdMs: 500, minSamples: 200, stageMinSamples: 2_000, requiredForAdvance: true, warning: { maxRate: 0.05, thresholdMs: 100 } }, g.p95),
      ...metric("p99", { maxRate: 0.01, thresholdMs: 1_000, minSamples: 1_000, stageMinSamples: 10_000, requiredForAdvance: false, warning: { maxRate: 0.01, thresholdMs: 200 } }, g.p99),
    ],
    confidence: g.confidence ?? 0.95,
    ...(g.holdTimeoutSeconds === undefined ? {} : { holdTimeoutSeconds: g.holdTimeoutSeconds }),
    unknownPauseSeconds: g.unknownPauseSeconds ?? 15 * 60,
    healthFailuresToRollback: g.healthFailuresToRollback ?? 5,
  };
}

/** The warning tier of one guard; the error guard's has no latency threshold, whatever was sent. */
function resolveWarning(defaults: MetricGuard["warning"], override: GuardOverrideInput["warning"], latency: boolean): MetricGuard["warning"] {
  if (override?.enabled === false || defaults === undefined) return undefined;
  const thresholdMs = latency ? (override?.thresholdMs ?? defaults.thresholdMs) : undefined;
  return { maxRate: override?.maxRate ?? defaults.maxRate, ...(thresholdMs === undefined ? {} : { thresholdMs }) };
}

/** One step of a plan, with its times if every gate passes on time. */
export const PlannedStep = z.object({
  stage: z.number().int(),
  percentage: z.number(),
  phase: z.enum(["BAKING", "FINAL_BAKE"]),
  startsAt: z.string().describe("ISO 8601 time"),
  endsAt: z.string().describe("ISO 8601 time"),
});
export type PlannedStep = z.infer<typeof PlannedStep>;

/** A rollout's plan: each step with its times, and the guards it will run with. */
export const RolloutPlan = z.object({
  steps: z.array(PlannedStep),
  completesAt: z.string().describe("ISO 8601 time"),
  guards: GuardSettings,
});
export type RolloutPlan = z.infer<typeof RolloutPlan>;

/** The timeline if every stage passes its gate on time (holds and pauses only make it longer). */
export function timeline(plan: ResolvedPlan, startAt: number): { steps: PlannedStep[]; completesAt: string } {
  const steps: PlannedStep[] = [];
  let t = startAt;
  plan.stages.forEach((s, i) => {
    steps.push({ stage: i, percentage: s.percentage, phase: "BAKING", startsAt: iso(t), endsAt: iso(t + s.durationSeconds * 1000) });
    t += s.durationSeconds * 1000;
  });
  steps.push({ stage: plan.stages.length, percentage: 100, phase: "FINAL_BAKE", startsAt: iso(t), endsAt: iso(t + plan.finalBakeSeconds * 1000) });
  return { steps, completesAt: iso(t + plan.finalBakeSeconds * 1000) };
}

const iso = (ms: number): string => new Date(ms).toISOString();
