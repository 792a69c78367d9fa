/**
 * A rollout's guard history for charts: per minute and per guard the requests, the bad events
 * (errors, or requests slower than the guard's threshold), the observed rate, its Wilson lower
 * bound, the threshold, the verdict and the breach streak as the guard saw it at that minute.
 * Pure: computed with the same `minuteVerdict` / `guardStatus` the state machine uses, from the
 * metric buckets and a window this module also resolves and bounds.
 */
import { z } from "zod";
import { guardStatus, MINUTE, minuteVerdict, WINDOW_MINUTES, type Verdict } from "./guards.js";
import type { GuardSettings, MinuteBucket } from "./model.js";

/** The default window: the last hour on the environment clock. */
export const DEFAULT_SERIES_MS = 60 * MINUTE;
/** The longest window one request may ask for (1,440 minutes per guard). */
export const MAX_SERIES_MS = 24 * 60 * MINUTE;

export type SeriesWindow = { ok: true; from: number; to: number } | { ok: false; path: "from" | "to"; message: string };

/**
 * The minutes [from, to) to chart, from optional epoch-ms bounds: both missing → the last hour
 * before `now`; one missing → one hour from / up to the other. `from` is rounded down to its minute.
 */
export function seriesWindow(from: number | undefined, to: number | undefined, now: number): SeriesWindow {
  const end = to ?? (from === undefined ? now : from + DEFAULT_SERIES_MS);
  const start = from ?? end - DEFAULT_SERIES_MS;
  if (start >= end) return { ok: false, path: "to", message: "must be later than from" };
  if (end - start > MAX_SERIES_MS) return { ok: false, path: "to", message: `the range may span at most ${MAX_SERIES_MS / MINUTE} minutes` };
  return { ok: true, from: Math.floor(start / MINUTE) * MINUTE, to: end };
}

/** The first minute whose buckets a series over [from, …) needs: the streak looks back a window. */
export function seriesLookbackStart(from: number): number {
  return from - (WINDOW_MINUTES - 1) * MINUTE;
}

const Instant = z.string().describe("ISO 8601 time");

export const SeriesPoint = z.object({
  minute: Instant.describe("the minute's start"),
  requests: z.number().int().describe("requests in the minute"),
  events: z.number().nullable().describe("bad requests: errors, or slower than the guard's threshold (null without data)"),
  rate: z.number().nullable().describe("events / requests (null without requests or data)"),
  lowerBound: z.number().nullable().describe("one-sided Wilson lower bound of the rate (null unless evaluable)"),
  threshold: z.number().describe("the rate above which a minute breaches"),
  verdict: z.enum(["BREACH", "OK", "NODATA", "UNKNOWN"]),
  streak: z.number().int().describe("breaching minutes in the guard's sliding window ending at this minute"),
  status: z.enum(["OK", "PENDING", "FIRE"]).describe("the guard's status had this been the newest closed minute"),
});
export type SeriesPoint = z.infer<typeof SeriesPoint>;

export const GuardSeries = z.object({
  name: z.enum(["errorRate", "p95", "p99"]),
  threshold: z.number().describe("maxRate"),
  thresholdMs: z.number().int().nullable().describe("latency guards: the request duration counted as slow"),
  minSamples: z.number().int().describe("requests a minute needs to be evaluable"),
  points: z.array(SeriesPoint).describe("one per minute, oldest first"),
});
export type GuardSeries = z.infer<typeof GuardSeries>;

/**
 * One series per metric guard over the minutes [from, to). `buckets` should reach back to
 * `seriesLookbackStart(from)` so the first points' streaks are right. As in the state machine,
 * only minutes from `startedAt` on count towards a streak (none before the rollout started).
 */
export function guardSeries(
  settings: GuardSettings,
  buckets: ReadonlyMap<number, MinuteBucket>,
  from: number,
  to: number,
  startedAt: number | null,
): GuardSeries[] {
  const first = Math.floor(from / MINUTE) * MINUTE;
  const counts = (m: number) => startedAt !== null && m >= Math.ceil(startedAt / MINUTE) * MINUTE;
  const minutes: number[] = [];
  for (let m = first; m < to; m += MINUTE) minutes.push(m);
  return settings.metrics.map((guard) => {
    const verdictAt = (m: number) => minuteVerdict(guard, m, buckets.get(m), settings.confidence);
    // Verdicts from a window before the first minute on, so each point's streak sees what the guard saw.
    const window: Verdict[] = [];
    const slide = (m: number, verdict: Verdict) => {
      if (counts(m)) window.push(verdict);
      if (window.length > WINDOW_MINUTES) window.shift();
    };
    for (let m = first - (WINDOW_MINUTES - 1) * MINUTE; m < first; m += MINUTE) slide(m, verdictAt(m).verdict);
    const points = minutes.map((m): SeriesPoint => {
      const v = verdictAt(m);
      slide(m, v.verdict);
      const { status, streak } = counts(m) ? guardStatus(window) : { status: "OK" as const, streak: 0 };
      return {
        minute: new Date(m).toISOString(),
        requests: v.n,
        events: v.x,
        rate: v.x === null || v.n === 0 ? null : v.x / v.n,
        lowerBound: v.lowerBound,
        threshold: guard.maxRate,
        verdict: v.verdict,
        streak,
        status,
      };
    });
    return { name: guard.name, threshold: guard.maxRate, thresholdMs: guard.thresholdMs ?? null, minSamples: guard.minSamples, points };
  });
}

export const HealthSummary = z.object({
  consecutiveFailures: z.number().int().describe("failed probe rounds in a row"),
  failuresToRollback: z.number().int(),
  lastRoundAt: Instant.nullable(),
});

/** The whole answer of GET …/rollouts/{id}/series. */
export const RolloutSeries = z.object({
  rolloutId: z.string(),
  flag: z.string(),
  variant: z.string(),
  from: Instant.describe("the first minute charted"),
  to: Instant.describe("the end of the window (exclusive)"),
  source: z.string().describe("where the buckets were read: durable-object or analytics-engine"),
  metricsError: z.string().nullable().describe("the source's read error: its minutes are then UNKNOWN"),
  guards: z.array(GuardSeries),
  health: HealthSummary.nullable().describe("health probes keep no per-minute history: the current round count (null without health checks)"),
});
export type RolloutSeries = z.infer<typeof RolloutSeries>;
