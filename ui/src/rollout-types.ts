/**
 * The rollout answers the rollout pages read beyond ui/src/types.ts (docs/admin-api.md "Rollouts
 * and metrics" and "Guard series"): the full status, the dry-run plan and the guard series.
 */
import type { Rollout } from "./types.js";

export type Verdict = "BREACH" | "OK" | "NODATA" | "UNKNOWN";

export interface RolloutDetail extends Omit<Rollout, "pauseReasons"> {
  strategy: string;
  createdAt: string | null;
  stageIndex: number;
  stages: { percentage: number; durationSeconds: number; finalBake?: boolean }[];
  pauseReasons: { at: string; reason: string; by: string; message?: string }[];
  healthChecks: unknown[];
  outcome: { trigger: string; reason: string; at: string } | null;
}

export interface PlannedStep {
  stage: number;
  percentage: number;
  phase: "BAKING" | "FINAL_BAKE";
  startsAt: string;
  endsAt: string;
}

export interface RolloutPlan {
  steps: PlannedStep[];
  completesAt: string;
}

export interface SeriesPoint {
  minute: string;
  requests: number;
  events: number | null;
  rate: number | null;
  lowerBound: number | null;
  threshold: number;
  verdict: Verdict;
  streak: number;
  status: "OK" | "PENDING" | "FIRE";
}

export interface GuardSeries {
  name: "errorRate" | "p95" | "p99";
  threshold: number;
  thresholdMs: number | null;
  minSamples: number;
  points: SeriesPoint[];
}

export interface RolloutSeries {
  rolloutId: string;
  from: string;
  to: string;
  source: string;
  metricsError: string | null;
  guards: GuardSeries[];
  health: { consecutiveFailures: number; failuresToRollback: number; lastRoundAt: string | null } | null;
}

export type RolloutAction = "pause" | "resume" | "promote" | "rollback" | "cancel";
