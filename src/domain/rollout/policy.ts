/**
 * The rollout rules the adapter needs around the machine, kept here so every number lives in the
 * pure core: the flag fallthrough a decided effect leads to, how much metric history a tick and a
 * status read, which latency thresholds ingest must count, and how long metric buckets are kept.
 */
import type { Serve } from "../flag.js";
import { MINUTE, WINDOW_MINUTES } from "./guards.js";
import type { RolloutEffect } from "./machine.js";
import type { GuardSettings, Rollout } from "./model.js";
import { resolveGuards } from "./strategies.js";

/**
 * The fallthrough a rollout's flag serves after an effect: a percentage split between the new
 * variant and the baseline, the new variant for everyone once complete, or, on rollback, the
 * fallthrough the flag had before the rollout took it over.
 */
export function fallthroughAfter(r: Pick<Rollout, "variant" | "baseline" | "snapshot">, effect: RolloutEffect): Serve {
  switch (effect.type) {
    case "restore":
      return r.snapshot.fallthrough;
    case "complete":
      return { variant: r.variant };
    case "setPercentage":
      return { rollout: { variant: r.variant, baseline: r.baseline, percentage: effect.percentage } };
  }
}

/** Margin for late minutes and tick jitter around every lookback. */
const LOOKBACK_MARGIN_MS = 2 * MINUTE;
/** The shortest no-telemetry lookback a tick reads, whatever the rollout's pause setting. */
const MIN_TELEMETRY_LOOKBACK_MS = 15 * MINUTE;

/**
 * The first minute a tick must read for a started rollout: the whole current stage (the stage
 * gate pools it) and enough for the no-telemetry pause and the guard windows.
 */
export function tickLookbackStart(r: Pick<Rollout, "stageEnteredAt" | "guards">, now: number): number {
  const lookback = Math.max(r.guards.unknownPauseSeconds * 1000, MIN_TELEMETRY_LOOKBACK_MS) + LOOKBACK_MARGIN_MS;
  return Math.min(r.stageEnteredAt ?? now, now - lookback);
}

/** The first minute a status view reads: the guards' sliding window and the minute in progress. */
export function statusLookbackStart(now: number): number {
  return now - (WINDOW_MINUTES + 1) * MINUTE;
}

/** How long metric buckets are kept: longer than the longest stage anyone runs in practice. */
export const METRIC_RETENTION_MS = 31 * 24 * 60 * MINUTE;

/** Every "slower than" threshold a rollout's guards read: their own and their warning levels'. */
export function guardThresholdsMs(guards: Pick<GuardSettings, "metrics">): number[] {
  const thresholds = new Set<number>();
  for (const g of guards.metrics) {
    if (g.thresholdMs === undefined) continue;
    thresholds.add(g.thresholdMs);
    thresholds.add(g.warning?.thresholdMs ?? g.thresholdMs);
  }
  return [...thresholds];
}

/** The latency thresholds of the default guards (p95 > 500 ms, p99 > 1000 ms) and their warnings (100 ms, 200 ms). */
export const DEFAULT_LATENCY_THRESHOLDS_MS: readonly number[] = guardThresholdsMs(resolveGuards(undefined));

/**
 * The "slower than" thresholds ingest counts for a flag: the defaults (so a rollout started later
 * has history) and those of the flag's active rollout, if any.
 */
export function latencyThresholdsFor(active: Pick<Rollout, "guards"> | undefined): number[] {
  const thresholds = new Set(DEFAULT_LATENCY_THRESHOLDS_MS);
  for (const ms of active === undefined ? [] : guardThresholdsMs(active.guards)) thresholds.add(ms);
  return [...thresholds];
}
