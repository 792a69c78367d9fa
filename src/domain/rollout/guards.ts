/**
 * Guard verdicts (docs/rollouts.md, "Guards: what \"for 5 minutes\" means"): per closed minute BREACH | OK | NODATA | UNKNOWN, the
 * "for 5 minutes" firing rule over the last 10 closed minutes, and the stage gate on pooled data.
 * Rates use the one-sided Wilson lower bound, so a healthy service just under its threshold does
 * not flap into a rollback (docs/rollouts.md, "Why a lower bound: calibration"); confidence 0 uses the literal point estimate.
 */
import type { GuardSettings, MetricGuard, MinuteBucket } from "./model.js";

export type Verdict = "BREACH" | "OK" | "NODATA" | "UNKNOWN";
export type GuardStatus = "OK" | "PENDING" | "FIRE";

export const MINUTE = 60_000;
/** Verdicts older than this many closed minutes no longer count. */
export const WINDOW_MINUTES = 10;
/** BREACH verdicts (after the most recent OK) that make a guard fire. */
export const BREACHES_TO_FIRE = 5;

const Z: Record<string, number> = { "0.9": 1.2816, "0.95": 1.6449, "0.99": 2.3263 };

/** One-sided Wilson score lower bound of x successes out of n (0 when n = 0). */
export function wilsonLower(x: number, n: number, confidence: number): number {
  if (n <= 0) return 0;
  if (confidence === 0) return x / n;
  const z = Z[String(confidence)] ?? 1.6449;
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/** The exceedance count a guard reads from a bucket, or undefined when the bucket lacks it. */
function exceedances(guard: MetricGuard, bucket: Pick<MinuteBucket, "errors" | "slowerThanMs">): number | undefined {
  if (guard.thresholdMs === undefined) return bucket.errors;
  return bucket.slowerThanMs[String(guard.thresholdMs)];
}

export interface MinuteVerdict {
  readonly minute: number;
  readonly verdict: Verdict;
  readonly n: number;
  readonly x: number | null;
  readonly lowerBound: number | null;
}

/**
 * The verdict of one minute. A minute with no bucket at all had no telemetry (UNKNOWN); a bucket
 * with fewer than `minSamples` requests, or without the guard's latency threshold, is NODATA.
 */
export function minuteVerdict(guard: MetricGuard, minute: number, bucket: MinuteBucket | undefined, confidence: number): MinuteVerdict {
  if (!bucket) return { minute, verdict: "UNKNOWN", n: 0, x: null, lowerBound: null };
  const x = exceedances(guard, bucket);
  if (bucket.requests < guard.minSamples || x === undefined) return { minute, verdict: "NODATA", n: bucket.requests, x: x ?? null, lowerBound: null };
  const lowerBound = wilsonLower(x, bucket.requests, confidence);
  const breach = confidence === 0 ? lowerBound > guard.maxRate && x >= 3 : lowerBound > guard.maxRate;
  return { minute, verdict: breach ? "BREACH" : "OK", n: bucket.requests, x, lowerBound };
}

/**
 * "For 5 minutes": among the verdicts (oldest first) after the most recent OK, at least 5 BREACH
 * and the newest evaluable verdict is BREACH. NODATA/UNKNOWN neither extend nor reset a streak.
 */
export function guardStatus(verdicts: readonly Verdict[]): { status: GuardStatus; streak: number } {
  const lastOk = verdicts.lastIndexOf("OK");
  const suffix = verdicts.slice(lastOk + 1);
  const streak = suffix.filter((v) => v === "BREACH").length;
  const newestEvaluable = [...suffix].reverse().find((v) => v === "BREACH" || v === "OK");
  if (streak === 0 || newestEvaluable !== "BREACH") return { status: "OK", streak: 0 };
  return { status: streak >= BREACHES_TO_FIRE ? "FIRE" : "PENDING", streak };
}

/** The closed minutes to judge at `now`: the last WINDOW_MINUTES, none before `since`. */
export function closedMinutes(now: number, since: number): number[] {
  const lastClosed = Math.floor(now / MINUTE) * MINUTE - MINUTE; // a minute is closed once it has ended
  const first = Math.max(Math.ceil(since / MINUTE) * MINUTE, lastClosed - (WINDOW_MINUTES - 1) * MINUTE);
  const minutes: number[] = [];
  for (let m = first; m <= lastClosed; m += MINUTE) minutes.push(m);
  return minutes;
}

export interface GuardReport {
  readonly name: string;
  readonly status: GuardStatus;
  readonly streak: number;
  readonly verdicts: readonly MinuteVerdict[];
  /** Samples still needed in the newest minute for it to be evaluable, when it is NODATA. */
  readonly needsSamples: number | null;
}

export function evaluateGuards(settings: GuardSettings, buckets: ReadonlyMap<number, MinuteBucket>, minutes: readonly number[]): GuardReport[] {
  return settings.metrics.map((guard) => {
    const verdicts = minutes.map((m) => minuteVerdict(guard, m, buckets.get(m), settings.confidence));
    const { status, streak } = guardStatus(verdicts.map((v) => v.verdict));
    const newest = verdicts[verdicts.length - 1];
    const needsSamples = newest && newest.verdict === "NODATA" ? Math.max(0, guard.minSamples - newest.n) : null;
    return { name: guard.name, status, streak, verdicts, needsSamples };
  });
}

export type GateOutcome =
  | { readonly result: "PASS" }
  | { readonly result: "FAIL"; readonly guard: string; readonly n: number; readonly x: number; readonly lowerBound: number }
  | { readonly result: "PENDING" | "UNKNOWN" | "INSUFFICIENT"; readonly detail: string };

/**
 * The stage gate at the end of a dwell: every guard judged on the stage's pooled minutes.
 * FAIL rolls back; PENDING, UNKNOWN and INSUFFICIENT hold; PASS advances.
 */
export function stageGate(
  settings: GuardSettings,
  reports: readonly GuardReport[],
  pooled: readonly MinuteBucket[],
  recentUnknown: boolean,
): GateOutcome {
  for (const guard of settings.metrics) {
    let n = 0;
    let x = 0;
    for (const b of pooled) {
      const e = exceedances(guard, b);
      if (e === undefined) continue;
      n += b.requests;
      x += e;
    }
    const lowerBound = wilsonLower(x, n, settings.confidence);
    if (n >= guard.minSamples && lowerBound > guard.maxRate) return { result: "FAIL", guard: guard.name, n, x, lowerBound };
  }
  const pending = reports.find((r) => r.status !== "OK");
  if (pending) return { result: "PENDING", detail: `${pending.name} is breaching (${pending.streak}/${BREACHES_TO_FIRE})` };
  if (recentUnknown) return { result: "UNKNOWN", detail: "minutes without telemetry in the last 15 minutes" };
  for (const guard of settings.metrics) {
    if (!guard.requiredForAdvance) continue;
    const n = pooled.reduce((sum, b) => sum + (exceedances(guard, b) === undefined ? 0 : b.requests), 0);
    if (n < guard.stageMinSamples) return { result: "INSUFFICIENT", detail: `${guard.name} has ${n} of ${guard.stageMinSamples} samples this stage` };
  }
  return { result: "PASS" };
}
