/**
 * Workers Analytics Engine as a metrics store: the data-point layout, its validation, and the
 * writing side (`writeDataPoint`, and the `MetricsSink` POST /v1/metrics uses). The reading side
 * (the SQL API) is src/metrics/analytics-engine.ts.
 *
 * Data-point layout (one dataset; every point describes one (env, flag, variant)):
 *
 * | column            | value                                                                 |
 * |-------------------|-----------------------------------------------------------------------|
 * | index1            | `env:flag`, cut to 96 bytes: the sampling key, so a busy flag is       |
 * |                   | sampled on its own and a quiet one stays exact                         |
 * | blob1 … blob4     | env, flag, variant, `LAYOUT` (the layout version)                      |
 * | double1           | epoch ms: the request's own time, or the start of a pre-aggregated minute |
 * | double2           | requests (1 for one request)                                          |
 * | double3           | errors (0 or 1 for one request)                                       |
 * | double4           | one request's latency in ms; −1 if unmeasured or pre-aggregated        |
 * | double5 … double20| pre-aggregated points only: up to 8 pairs (thresholdMs, slower count); 0 = unused |
 *
 * Two kinds of point share it, so one query reads both:
 * - one request (`writeMetricEvent`): any latency threshold is computed in SQL from double4;
 * - one pre-aggregated minute (`writeMetricBucket`, e.g. the output of `toDeltas` for a batch
 *   of POST /v1/metrics, since a Worker invocation may write at most 250 points): its
 *   "slower than" counts exist only for the thresholds it carries. A bucket with 0 requests is a
 *   heartbeat (telemetry works, no traffic), as in the Durable Object's buckets.
 *
 * Minutes are those of double1 (when the request happened), not of `timestamp` (when it was
 * written), so late-delivered metrics land in the right minute, as in the Durable Object source.
 *
 * Analytics Engine has no parameter binding: every value put into SQL is validated against a
 * strict pattern first, and string literals are built only from `[A-Za-z0-9._:-]`.
 */
import type { z } from "zod";
import { FLAG_KEY_PATTERN, VARIANT_NAME_PATTERN } from "../domain/flag.js";
import { ENVIRONMENT_NAME_PATTERN } from "../domain/snapshot.js";
import type { Delta, MetricEvent } from "../domain/rollout/metrics.js";
import type { MetricsSink } from "./source.js";

/** The layout version, in blob4; the reader ignores points of any other layout. */
export const LAYOUT = "ef1";
/** How many (thresholdMs, slower count) pairs one pre-aggregated point can carry (double5 … double20). */
export const MAX_THRESHOLD_PAIRS = 8;

export const MINUTE = 60_000;
/** Ingest accepts metrics up to 2 min ahead of the clock: a point is never written more than this before its double1. */
export const WRITE_SKEW_SECONDS = 300;
const MAX_INDEX_BYTES = 96;

export const DATASET_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const ACCOUNT_ID_PATTERN = /^[0-9a-f]{32}$/i;
/** The only characters ever put inside an SQL string literal (no quote, no backslash). */
export const SQL_SAFE = /^[A-Za-z0-9._:-]*$/;
const MAX_THRESHOLD_MS = 9_999_999; // the ingest's "^[1-9]\d{0,6}$"

/** One request, as POST /v1/metrics takes it (`at` in epoch ms). */
export type MetricEventInput = z.output<typeof MetricEvent>;

/** Thrown by `AnalyticsEngineMetricsSource.read`; the caller treats it as "metrics unavailable". */
export class AnalyticsEngineError extends Error {
  override readonly name = "AnalyticsEngineError";
  /** The HTTP status, when the SQL API answered. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/**
 * Writes one request as one data point. Fire-and-forget: `writeDataPoint` does not block and
 * needs no `await` or `waitUntil`. Throws (before writing) on an invalid env, flag or variant.
 */
export function writeMetricEvent(dataset: AnalyticsEngineDataset, env: string, event: MetricEventInput): void {
  checkIdentity(env, event.flag, event.variant);
  if (!Number.isSafeInteger(event.at) || event.at < 0) throw new TypeError(`event time must be epoch ms, got ${event.at}`);
  const latency = event.latencyMs;
  if (latency !== undefined && !(Number.isFinite(latency) && latency >= 0)) throw new TypeError(`latencyMs must be ≥ 0, got ${latency}`);
  dataset.writeDataPoint({
    indexes: [indexFor(env, event.flag)],
    blobs: [env, event.flag, event.variant, LAYOUT],
    doubles: [event.at, 1, event.error ? 1 : 0, latency ?? -1],
  });
}

/**
 * Writes one pre-aggregated minute of one (flag, variant) as one data point, with its
 * "slower than" counts for at most `MAX_THRESHOLD_PAIRS` thresholds. Fire-and-forget.
 * Throws (before writing) on invalid names, counts or thresholds.
 */
export function writeMetricBucket(dataset: AnalyticsEngineDataset, env: string, bucket: Delta): void {
  checkIdentity(env, bucket.flag, bucket.variant);
  if (!Number.isSafeInteger(bucket.minute) || bucket.minute < 0 || bucket.minute % MINUTE !== 0) {
    throw new TypeError(`minute must be the epoch ms of a minute's start, got ${bucket.minute}`);
  }
  checkCount("requests", bucket.requests, Number.MAX_SAFE_INTEGER);
  checkCount("errors", bucket.errors, bucket.requests);
  const pairs = Object.entries(bucket.slowerThanMs);
  if (pairs.length > MAX_THRESHOLD_PAIRS) throw new RangeError(`at most ${MAX_THRESHOLD_PAIRS} thresholds per point, got ${pairs.length}`);
  const doubles = [bucket.minute, bucket.requests, bucket.errors, -1];
  for (const [ms, count] of pairs) {
    doubles.push(checkThreshold(Number(ms)), checkCount(`slowerThanMs.${ms}`, count, bucket.requests));
  }
  dataset.writeDataPoint({
    indexes: [indexFor(env, bucket.flag)],
    blobs: [env, bucket.flag, bucket.variant, LAYOUT],
    doubles,
  });
}

/** The sampling key of a (env, flag): `env:flag`, cut to 96 bytes (all ASCII). */
export function indexFor(env: string, flag: string): string {
  return `${env}:${flag}`.slice(0, MAX_INDEX_BYTES);
}

export function checkThreshold(ms: number): number {
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_THRESHOLD_MS) {
    throw new AnalyticsEngineError(`latency thresholds must be whole ms in 1…${MAX_THRESHOLD_MS}, got ${ms}`);
  }
  return ms;
}

function checkCount(name: string, n: number, max: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new RangeError(`${name} must be an integer in 0…${max}, got ${n}`);
  return n;
}

export function checkIdentity(env: string, flag: string, variant: string): void {
  if (!ENVIRONMENT_NAME_PATTERN.test(env)) throw new AnalyticsEngineError(`invalid environment name ${JSON.stringify(env)}`);
  if (!FLAG_KEY_PATTERN.test(flag)) throw new AnalyticsEngineError(`invalid flag key ${JSON.stringify(flag)}`);
  if (!VARIANT_NAME_PATTERN.test(variant)) throw new AnalyticsEngineError(`invalid variant name ${JSON.stringify(variant)}`);
}

/**
 * POST /v1/metrics into Analytics Engine: one data point per (flag, variant, minute) bucket. A
 * Worker invocation may write at most 250 data points, so a request may carry at most that many.
 */
export class AnalyticsEngineMetricsSink implements MetricsSink {
  readonly name = "analytics-engine";
  readonly maxBuckets = 250;
  constructor(private readonly dataset: AnalyticsEngineDataset) {}

  /** Analytics Engine keeps its own retention: nothing is refused for space. */
  write(env: string, deltas: readonly Delta[]): number {
    for (const d of deltas) writeMetricBucket(this.dataset, env, d);
    return 0;
  }
}
