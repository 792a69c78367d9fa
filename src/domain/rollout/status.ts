/**
 * What operators see of a rollout: stage i/N, current and next percentage, time left in the
 * stage, the guard table, pause reasons and the outcome (docs/rollouts.md). Pure: computed from
 * the record, the metric buckets and `now`. `RolloutStatus` is the one schema of this shape: the
 * Durable Object returns it, the admin API's OpenAPI document describes it, flagctl reads it.
 */
import { z } from "zod";
import { closedMinutes, evaluateGuards, type GuardReport } from "./guards.js";
import { dwellMs, inFinalBake } from "./machine.js";
import {
  GuardSettings, HealthCheck, isTerminal, PauseReason, RolloutOutcome, RolloutPhase, RolloutState, Strategy, type MinuteBucket, type Rollout,
} from "./model.js";

const Instant = z.string().describe("ISO 8601 time");

export const GuardVerdictView = z.object({
  minute: Instant.describe("the minute's start"),
  verdict: z.enum(["BREACH", "OK", "NODATA", "UNKNOWN"]),
  n: z.number().int().describe("requests in the minute"),
  x: z.number().nullable().describe("bad requests (errors, or slower than the threshold)"),
  lowerBound: z.number().nullable().describe("one-sided Wilson lower bound of the bad rate"),
});

export const GuardView = z.object({
  name: z.string().describe("errorRate, p95, p99 or health"),
  status: z.enum(["OK", "PENDING", "FIRE"]),
  streak: z.number().int().describe("breaching minutes in the window (failed rounds in a row for health)"),
  verdicts: z.array(GuardVerdictView).describe("the sliding window, oldest first"),
  needsSamples: z.number().int().nullable().describe("samples the newest minute still needs to be evaluable"),
});

export const GuardWarningView = z.object({
  guard: z.string().describe("errorRate, p95 or p99"),
  observed: z.number().describe("bad share of the newest minute over the level (errors, or requests slower than thresholdMs)"),
  threshold: z.number().describe("the warning level, a share (0-1)"),
  thresholdMs: z.number().int().nullable().describe("latency guards: the warning's 'slower than' threshold"),
  since: Instant.describe("the first minute of the run over the level"),
  raisedAt: Instant,
});

export const RolloutStatus = z.object({
  id: z.string(),
  env: z.string(),
  flag: z.string(),
  variant: z.string().describe("the variant being rolled out"),
  baseline: z.string().describe("the variant everyone else keeps"),
  strategy: Strategy,
  state: RolloutState,
  phase: RolloutPhase.nullable(),
  stageIndex: z.number().int(),
  stage: z.string().describe('"i/N", counting the final bake at 100 %'),
  stages: z.array(z.object({ percentage: z.number(), durationSeconds: z.number().int(), finalBake: z.boolean().optional() })),
  percentage: z.number().describe("share of contexts served the variant now"),
  nextPercentage: z.number().nullable(),
  bakedSeconds: z.number().int().describe("healthy time accrued in the current stage"),
  timeLeftInStageSeconds: z.number().int().nullable(),
  startAt: Instant.nullable(),
  startedAt: Instant.nullable(),
  stageEnteredAt: Instant.nullable(),
  holdStartedAt: Instant.nullable(),
  pauseReasons: z.array(PauseReason.extend({ at: Instant })),
  guards: z.array(GuardView),
  warnings: z.array(GuardWarningView).describe("warnings raised in the current stage (once per guard per stage); they never pause or roll back"),
  guardSettings: GuardSettings,
  healthChecks: z.array(HealthCheck),
  outcome: RolloutOutcome.extend({ at: Instant }).nullable(),
  createdAt: Instant.nullable(),
  createdBy: z.string(),
  updatedAt: Instant.nullable(),
  version: z.number().int(),
});
export type RolloutStatus = z.infer<typeof RolloutStatus>;
export type GuardView = z.infer<typeof GuardView>;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function healthView(r: Rollout): GuardView[] {
  if (r.healthChecks.length === 0) return [];
  const failures = r.health.consecutiveFailures;
  const status = failures >= r.guards.healthFailuresToRollback ? "FIRE" : failures > 0 ? "PENDING" : "OK";
  return [{ name: "health", status, streak: failures, verdicts: [], needsSamples: null }];
}

function nextPercentage(r: Rollout): number | null {
  if (isTerminal(r.state) || inFinalBake(r)) return null;
  if (r.startedAt === null) return r.stages[0]?.percentage ?? 100;
  return r.stages[r.stageIndex + 1]?.percentage ?? 100;
}

export function rolloutStatus(r: Rollout, buckets: ReadonlyMap<number, MinuteBucket>, now: number): RolloutStatus {
  const running = r.startedAt !== null && !isTerminal(r.state);
  const guards: GuardReport[] = running ? evaluateGuards(r.guards, buckets, closedMinutes(now, r.startedAt ?? now)) : [];
  const dwell = r.startedAt === null || isTerminal(r.state) ? null : dwellMs(r);
  return {
    id: r.id,
    env: r.env,
    flag: r.flag,
    variant: r.variant,
    baseline: r.baseline,
    strategy: r.strategy,
    state: r.state,
    phase: r.phase,
    stageIndex: r.stageIndex,
    stage: `${Math.min(r.stageIndex + 1, r.stages.length + 1)}/${r.stages.length + 1}`,
    stages: [...r.stages, { percentage: 100, durationSeconds: r.finalBakeSeconds, finalBake: true }],
    percentage: r.percentage,
    nextPercentage: nextPercentage(r),
    bakedSeconds: Math.floor(r.bakedMs / 1000),
    timeLeftInStageSeconds: dwell === null ? null : Math.max(0, Math.ceil((dwell - r.bakedMs) / 1000)),
    startAt: iso(r.startAt),
    startedAt: iso(r.startedAt),
    stageEnteredAt: iso(r.stageEnteredAt),
    holdStartedAt: iso(r.holdStartedAt),
    pauseReasons: r.pauseReasons.map((p) => ({ ...p, at: new Date(p.at).toISOString() })),
    guards: [
      ...guards.map((g) => ({
        name: g.name,
        status: g.status,
        streak: g.streak,
        verdicts: g.verdicts.map((v) => ({ minute: new Date(v.minute).toISOString(), verdict: v.verdict, n: v.n, x: v.x, lowerBound: v.lowerBound })),
        needsSamples: g.needsSamples,
      })),
      ...healthView(r),
    ],
    warnings: r.warnings
      .filter((w) => w.stageIndex === r.stageIndex)
      .map((w) => ({ guard: w.guard, observed: w.observed, threshold: w.threshold, thresholdMs: w.thresholdMs ?? null, since: new Date(w.since).toISOString(), raisedAt: new Date(w.raisedAt).toISOString() })),
    guardSettings: r.guards,
    healthChecks: r.healthChecks,
    outcome: r.outcome === null ? null : { ...r.outcome, at: new Date(r.outcome.at).toISOString() },
    createdAt: iso(r.createdAt),
    createdBy: r.createdBy,
    updatedAt: iso(r.updatedAt),
    version: r.version,
  };
}
