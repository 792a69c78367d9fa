/**
 * Progressive rollouts: the persisted record and the operator's request, as zod schemas
 * (docs/admin-api.md "Rollouts and metrics", docs/rollouts.md). Pure: no I/O, no clock.
 */
import { z } from "zod";
import { FlagKey, Serve, VariantName } from "../flag.js";
import { plainText } from "../text.js";

export const RolloutState = z.enum(["SCHEDULED", "RUNNING", "PAUSED", "COMPLETED", "ROLLED_BACK", "CANCELLED"]);
export type RolloutState = z.infer<typeof RolloutState>;
export const TERMINAL_STATES: readonly RolloutState[] = ["COMPLETED", "ROLLED_BACK", "CANCELLED"];

export const RolloutPhase = z.enum(["BAKING", "HOLDING", "FINAL_BAKE"]);
export type RolloutPhase = z.infer<typeof RolloutPhase>;

export const Strategy = z.enum(["safe", "fast", "instant", "custom"]);
export type Strategy = z.infer<typeof Strategy>;

export const Stage = z.object({
  percentage: z.number().gt(0).lt(100),
  durationSeconds: z.number().int().min(0).max(30 * 86_400),
});
export type Stage = z.infer<typeof Stage>;

/** A guard's warning level (docs/rollouts.md, "Warnings"): above it a warning is raised, nothing pauses. */
const WarningOverride = z
  .object({
    /** The bad share (0–1) above which a minute is over the warning level. */
    maxRate: z.number().gt(0).lt(1).optional(),
    /** Latency guards: the warning's own "slower than" threshold. */
    thresholdMs: z.number().int().positive().max(600_000).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const GuardOverride = z.object({
  /** Error guard: the rate (0–1) above which a minute breaches. Latency guards: the share of requests slower than `thresholdMs`. */
  maxRate: z.number().gt(0).lt(1).optional(),
  thresholdMs: z.number().int().positive().max(600_000).optional(),
  minSamples: z.number().int().min(1).max(10_000_000).optional(),
  stageMinSamples: z.number().int().min(0).max(1_000_000_000).optional(),
  requiredForAdvance: z.boolean().optional(),
  enabled: z.boolean().optional(),
  warning: WarningOverride.optional(),
});

/** Per-rollout guard settings; anything left out takes the default (docs/rollouts.md). */
export const GuardsInput = z
  .object({
    errorRate: GuardOverride.optional(),
    p95: GuardOverride.optional(),
    p99: GuardOverride.optional(),
    /** One-sided confidence of the Wilson lower bound; 0 = the literal point estimate. */
    confidence: z.union([z.literal(0), z.literal(0.9), z.literal(0.95), z.literal(0.99)]).optional(),
    /** How long a stage may HOLD for lack of evidence before the rollout PAUSEs. */
    holdTimeoutSeconds: z.number().int().min(0).max(7 * 86_400).optional(),
    /** How long minutes may stay UNKNOWN (no telemetry at all) before the rollout PAUSEs. */
    unknownPauseSeconds: z.number().int().min(60).max(86_400).optional(),
    /** Consecutive failed health-probe rounds that roll back. */
    healthFailuresToRollback: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export const HealthCheck = z.object({
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.number().int().min(100).max(10_000).default(2_000),
});
export type HealthCheck = z.infer<typeof HealthCheck>;

/** `POST /envs/{env}/rollouts` (docs/admin-api.md, "Rollouts and metrics"). */
export const RolloutRequest = z
  .object({
    flag: FlagKey,
    variant: VariantName,
    baseline: VariantName.optional(),
    strategy: Strategy,
    stages: z.array(Stage).min(1).max(20).optional(),
    minStageDurationSeconds: z.number().int().min(0).max(30 * 86_400).optional(),
    finalBakeSeconds: z.number().int().min(0).max(30 * 86_400).optional(),
    startAt: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).optional(),
    guards: GuardsInput.optional(),
    healthChecks: z.array(HealthCheck).max(5).default([]),
    webhooks: z.array(z.url({ protocol: /^https?$/ })).max(5).default([]),
    dryRun: z.boolean().default(false),
    reason: plainText(1000).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.strategy === "custom" && r.stages === undefined) {
      ctx.addIssue({ code: "custom", path: ["stages"], message: "a custom strategy needs stages" });
    }
    if (r.strategy !== "custom" && r.stages !== undefined) {
      ctx.addIssue({ code: "custom", path: ["stages"], message: `stages are set by the ${r.strategy} strategy; use "custom"` });
    }
    if (r.stages) {
      for (let i = 1; i < r.stages.length; i++) {
        if ((r.stages[i] as Stage).percentage <= (r.stages[i - 1] as Stage).percentage) {
          ctx.addIssue({ code: "custom", path: ["stages", i, "percentage"], message: "stage percentages must increase" });
        }
      }
    }
  });
export type RolloutRequest = z.infer<typeof RolloutRequest>;

/** One guard, fully resolved. `slowerThanMs` is absent for the error guard. */
export const MetricGuard = z.object({
  name: z.enum(["errorRate", "p95", "p99"]),
  maxRate: z.number(),
  thresholdMs: z.number().int().optional(),
  minSamples: z.number().int(),
  stageMinSamples: z.number().int(),
  requiredForAdvance: z.boolean(),
  /** The warning tier; absent = no warnings (and in records older than it). */
  warning: z.object({ maxRate: z.number(), thresholdMs: z.number().int().optional() }).optional(),
});
export type MetricGuard = z.infer<typeof MetricGuard>;

export const GuardSettings = z.object({
  metrics: z.array(MetricGuard),
  confidence: z.number(),
  holdTimeoutSeconds: z.number().int().optional(),
  unknownPauseSeconds: z.number().int(),
  healthFailuresToRollback: z.number().int(),
});
export type GuardSettings = z.infer<typeof GuardSettings>;

export const PauseReason = z.object({
  reason: z.enum(["MANUAL", "INSUFFICIENT_DATA", "METRICS_UNAVAILABLE"]),
  by: z.string(),
  at: z.number(),
  message: z.string().optional(),
});
export type PauseReason = z.infer<typeof PauseReason>;

/** A warning raised in a stage: the guard, what it saw, the level it crossed, since when (epoch ms). */
export const GuardWarning = z.object({
  guard: z.string(),
  /** The bad share of the newest minute over the level (errors, or requests slower than the threshold). */
  observed: z.number(),
  /** The warning level (a share, 0–1). */
  threshold: z.number(),
  thresholdMs: z.number().int().optional(),
  stageIndex: z.number().int(),
  /** The first minute of the run over the level. */
  since: z.number(),
  raisedAt: z.number(),
});
export type GuardWarning = z.infer<typeof GuardWarning>;

/** How a rollout ended: what triggered it, why, with the evidence (guard verdicts) when a guard fired. */
export const RolloutOutcome = z.object({
  trigger: z.enum(["GUARD", "GATE", "USER", "COMPLETED"]),
  reason: z.string(),
  evidence: z.unknown().optional(),
  at: z.number(),
});

/** The persisted rollout (times are epoch ms). */
export const Rollout = z.object({
  id: z.string(),
  env: z.string(),
  flag: FlagKey,
  variant: VariantName,
  baseline: VariantName,
  strategy: Strategy,
  /** The stages before 100 %; the final bake at 100 % follows them. */
  stages: z.array(Stage),
  finalBakeSeconds: z.number().int(),
  guards: GuardSettings,
  healthChecks: z.array(HealthCheck),
  webhooks: z.array(z.string()),
  state: RolloutState,
  phase: RolloutPhase.nullable(),
  /** Index into `stages`; `stages.length` while in the final bake at 100 %. */
  stageIndex: z.number().int(),
  percentage: z.number(),
  startAt: z.number(),
  startedAt: z.number().nullable(),
  stageEnteredAt: z.number().nullable(),
  bakedMs: z.number(),
  lastTickAt: z.number(),
  holdStartedAt: z.number().nullable(),
  pauseReasons: z.array(PauseReason),
  health: z.object({ consecutiveFailures: z.number().int(), lastRoundAt: z.number().nullable() }),
  /** The fields the rollout owns, as they were before it: rollback restores them. */
  snapshot: z.object({ fallthrough: Serve, flagVersion: z.number().int() }),
  outcome: RolloutOutcome.nullable(),
  /** Warnings raised in the current stage (at most one per guard per stage). */
  warnings: z.array(GuardWarning).default([]),
  createdAt: z.number(),
  createdBy: z.string(),
  updatedAt: z.number(),
  /** Grows with every transition. */
  version: z.number().int(),
});
export type Rollout = z.infer<typeof Rollout>;

export function isTerminal(state: RolloutState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** One minute of metrics for one (flag, variant): counters that merge exactly. */
export interface MinuteBucket {
  /** Epoch ms of the minute's start. */
  readonly minute: number;
  readonly requests: number;
  readonly errors: number;
  /** threshold ms → requests slower than it. */
  readonly slowerThanMs: Readonly<Record<string, number>>;
}
