/**
 * Pure shaping for the rollout page: a guard series into uPlot's aligned columns and a verdict
 * strip, the series window to ask for, and which commands a rollout's state allows.
 */
import type { GuardSeries, RolloutAction, Verdict } from "./rollout-types.js";

/** uPlot's aligned data: x in epoch seconds, then rate, lower bound, threshold (as %), requests. */
export type ChartColumns = [number[], (number | null)[], (number | null)[], number[], number[]];

const percent = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e6) / 1e4);

export function chartColumns(series: GuardSeries): ChartColumns {
  const columns: ChartColumns = [[], [], [], [], []];
  for (const p of series.points) {
    columns[0].push(Date.parse(p.minute) / 1000);
    columns[1].push(percent(p.rate));
    columns[2].push(percent(p.lowerBound));
    columns[3].push(percent(p.threshold) ?? 0);
    columns[4].push(p.requests);
  }
  return columns;
}

/** A run of minutes with the same verdict, for the strip under a chart. */
export interface StripSegment {
  verdict: Verdict;
  from: string;
  minutes: number;
  /** The streak at the run's last minute. */
  streak: number;
}

export function verdictStrip(series: GuardSeries): StripSegment[] {
  const segments: StripSegment[] = [];
  for (const p of series.points) {
    const last = segments.at(-1);
    if (last && last.verdict === p.verdict) {
      last.minutes += 1;
      last.streak = p.streak;
    } else segments.push({ verdict: p.verdict, from: p.minute, minutes: 1, streak: p.streak });
  }
  return segments;
}

/** The newest point's streak and status: what the guard holds now. */
export function latestStreak(series: GuardSeries): { streak: number; status: string } {
  const last = series.points.at(-1);
  return last ? { streak: last.streak, status: last.status } : { streak: 0, status: "OK" };
}

const MINUTE = 60_000;
const MAX_RANGE = 24 * 60 * MINUTE;

/**
 * The series window to ask for, epoch ms. A rollout that ended: from its start to the minute after
 * its outcome (at most the last 24 h the endpoint allows). Otherwise nothing: the endpoint then
 * charts the last hour on the environment's clock, which may run ahead of the browser's.
 */
export function seriesRange(startedAt: string | null, endedAt: string | null): { from: number; to: number } | null {
  if (startedAt === null || endedAt === null) return null;
  const to = Date.parse(endedAt) + MINUTE;
  const from = Math.max(Math.floor(Date.parse(startedAt) / MINUTE) * MINUTE, to - MAX_RANGE);
  return { from: Math.min(from, to - MINUTE), to };
}

const ACTIVE = new Set(["SCHEDULED", "RUNNING", "PAUSED"]);

/** Which commands make sense in a state (the API decides; this only avoids offering dead buttons). */
export function allowedActions(state: string): Set<RolloutAction> {
  if (!ACTIVE.has(state)) return new Set();
  if (state === "PAUSED") return new Set(["resume", "promote", "rollback", "cancel"]);
  if (state === "SCHEDULED") return new Set(["cancel"]);
  return new Set(["pause", "promote", "rollback", "cancel"]);
}

/** resume and promote are refused without the stage the operator saw (409 when it moved). */
export function needsExpectedStage(action: RolloutAction): boolean {
  return action === "resume" || action === "promote";
}
