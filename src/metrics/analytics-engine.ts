/**
 * Workers Analytics Engine as a metrics source (DESIGN §5 "Metric sources"): written with
 * `writeDataPoint`, read back through the SQL API with a token, weighted by `_sample_interval`.
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
import { z } from "zod";
import { FLAG_KEY_PATTERN } from "../domain/flag.js";
import type { MinuteBucket } from "../domain/rollout/model.js";
import type { Delta, MetricEvent } from "../domain/rollout/metrics.js";
import type { MetricsQuery, MetricsSource } from "./source.js";

/** The layout version, in blob4; the reader ignores points of any other layout. */
export const LAYOUT = "ef1";
/** How many (thresholdMs, slower count) pairs one pre-aggregated point can carry (double5 … double20). */
export const MAX_THRESHOLD_PAIRS = 8;
/** The SQL API, minus `/accounts/{account_id}/analytics_engine/sql`. */
export const DEFAULT_ENDPOINT = "https://api.cloudflare.com/client/v4";

const MINUTE = 60_000;
/** Ingest accepts metrics up to 2 min ahead of the clock: a point is never written more than this before its double1. */
const WRITE_SKEW_SECONDS = 300;
const MAX_INDEX_BYTES = 96;

const ENV_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const VARIANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DATASET_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ACCOUNT_ID_PATTERN = /^[0-9a-f]{32}$/i;
/** The only characters ever put inside an SQL string literal (no quote, no backslash). */
const SQL_SAFE = /^[A-Za-z0-9._:-]*$/;
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

/** How to reach the SQL API. */
export interface AnalyticsEngineOptions {
  /** The Cloudflare account id (32 hex characters). */
  readonly accountId: string;
  /** An API token with Account › Account Analytics › Read. */
  readonly apiToken: string;
  /** The dataset (table) name, as bound in the Wrangler config. */
  readonly dataset: string;
  /** Injected in tests; defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Defaults to `DEFAULT_ENDPOINT`. */
  readonly endpoint?: string;
  /** Per request; defaults to 10 s. */
  readonly timeoutMs?: number;
}

/** Reads per-minute buckets from Analytics Engine with one SQL API query per `read`. */
export class AnalyticsEngineMetricsSource implements MetricsSource {
  readonly name = "analytics-engine";
  private readonly url: string;
  private readonly apiToken: string;
  private readonly dataset: string;
  private readonly fetcher: typeof fetch;
  private readonly timeoutMs: number;

  /** Throws on an invalid account id, token, dataset name or endpoint. */
  constructor(options: AnalyticsEngineOptions) {
    if (!ACCOUNT_ID_PATTERN.test(options.accountId)) throw new TypeError("accountId must be 32 hex characters");
    if (!/^[\x21-\x7e]+$/.test(options.apiToken)) throw new TypeError("apiToken must be a non-empty token without spaces");
    if (!DATASET_PATTERN.test(options.dataset)) throw new TypeError(`dataset must match ${DATASET_PATTERN.source}`);
    const endpoint = new URL(options.endpoint ?? DEFAULT_ENDPOINT);
    if (endpoint.protocol !== "https:" && endpoint.protocol !== "http:") throw new TypeError("endpoint must be an http(s) URL");
    this.url = `${endpoint.href.replace(/\/+$/, "")}/accounts/${options.accountId}/analytics_engine/sql`;
    this.apiToken = options.apiToken;
    this.dataset = options.dataset;
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * The buckets of one (env, flag, variant) for the minutes in [since, until), keyed by minute
   * start, with counts weighted by `_sample_interval` and rounded to integers. Minutes without
   * any point are absent. Throws `AnalyticsEngineError` on invalid input (before any request),
   * a failed request, a non-2xx answer, `errors` in the body, or malformed data.
   */
  async read(query: MetricsQuery): Promise<Map<number, MinuteBucket>> {
    const sql = buildMetricsSql(this.dataset, query);
    const thresholds = uniqueThresholds(query.thresholdsMs);
    const [from, to] = minuteRange(query);
    if (from >= to) return new Map();

    let response: Response;
    try {
      response = await this.fetcher(this.url, {
        method: "POST",
        headers: { Authorization: `Bearer ${this.apiToken}`, "Content-Type": "text/plain; charset=utf-8" },
        body: sql,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AnalyticsEngineError(`Analytics Engine SQL API request failed: ${String(error)}`, undefined, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new AnalyticsEngineError(
        `Analytics Engine SQL API answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}: ${describeFailure(text)}`,
        response.status,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AnalyticsEngineError(`Analytics Engine SQL API answered ${response.status} with a body that is not JSON: ${snippet(text)}`, response.status);
    }
    const failure = ErrorBody.safeParse(body);
    if (failure.success && failure.data.errors.length > 0) {
      throw new AnalyticsEngineError(`Analytics Engine SQL API reported errors: ${messages(failure.data.errors)}`, response.status);
    }
    return toBuckets(body, thresholds, from, to, response.status);
  }
}

/**
 * The one SELECT behind `read`: per-minute rows of one (env, flag, variant), with weighted
 * requests, errors and one "slower than" count per threshold. Throws on any invalid value.
 */
export function buildMetricsSql(dataset: string, query: MetricsQuery): string {
  if (!DATASET_PATTERN.test(dataset)) throw new AnalyticsEngineError(`invalid dataset name ${JSON.stringify(dataset)}`);
  checkIdentity(query.env, query.flag, query.variant);
  const [from, to] = minuteRange(query);
  const slower = uniqueThresholds(query.thresholdsMs).map((ms) => {
    const terms = [`if(double4 > ${ms}, double2, 0)`];
    for (let i = 0; i < MAX_THRESHOLD_PAIRS; i++) terms.push(`if(double${5 + 2 * i} = ${ms}, double${6 + 2 * i}, 0)`);
    return `,\n  SUM(_sample_interval * (${terms.join(" + ")})) AS slower_${ms}`;
  });
  return (
    `SELECT\n  intDiv(double1, ${MINUTE}) * ${MINUTE} AS minute,\n` +
    `  SUM(_sample_interval * double2) AS requests,\n` +
    `  SUM(_sample_interval * double3) AS errors${slower.join("")}\n` +
    `FROM ${dataset}\n` +
    `WHERE index1 = ${sqlString(indexFor(query.env, query.flag))}\n` +
    `  AND blob1 = ${sqlString(query.env)} AND blob2 = ${sqlString(query.flag)} AND blob3 = ${sqlString(query.variant)} AND blob4 = ${sqlString(LAYOUT)}\n` +
    `  AND timestamp >= toDateTime(${Math.max(0, Math.floor(from / 1000) - WRITE_SKEW_SECONDS)})\n` +
    `  AND double1 >= ${from} AND double1 < ${to}\n` +
    `GROUP BY minute\nORDER BY minute\nFORMAT JSON`
  );
}

/** The sampling key of a (env, flag): `env:flag`, cut to 96 bytes (all ASCII). */
export function indexFor(env: string, flag: string): string {
  return `${env}:${flag}`.slice(0, MAX_INDEX_BYTES);
}

// ---------------------------------------------------------------------------------------------

/** The same minutes as the Durable Object source: minute starts m with since ≤ m < until. */
function minuteRange(query: MetricsQuery): [number, number] {
  for (const [name, v] of [["since", query.since], ["until", query.until]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new AnalyticsEngineError(`${name} must be epoch ms, got ${v}`);
  }
  return [Math.ceil(query.since / MINUTE) * MINUTE, Math.ceil(query.until / MINUTE) * MINUTE];
}

function uniqueThresholds(thresholds: readonly number[]): number[] {
  return [...new Set(thresholds.map(checkThreshold))].sort((a, b) => a - b);
}

function checkThreshold(ms: number): number {
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_THRESHOLD_MS) {
    throw new AnalyticsEngineError(`latency thresholds must be whole ms in 1…${MAX_THRESHOLD_MS}, got ${ms}`);
  }
  return ms;
}

function checkCount(name: string, n: number, max: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new RangeError(`${name} must be an integer in 0…${max}, got ${n}`);
  return n;
}

function checkIdentity(env: string, flag: string, variant: string): void {
  if (!ENV_PATTERN.test(env)) throw new AnalyticsEngineError(`invalid environment name ${JSON.stringify(env)}`);
  if (!FLAG_KEY_PATTERN.test(flag)) throw new AnalyticsEngineError(`invalid flag key ${JSON.stringify(flag)}`);
  if (!VARIANT_PATTERN.test(variant)) throw new AnalyticsEngineError(`invalid variant name ${JSON.stringify(variant)}`);
}

/** A quoted SQL string literal; refuses anything outside `[A-Za-z0-9._:-]` rather than escaping it. */
function sqlString(value: string): string {
  if (!SQL_SAFE.test(value)) throw new AnalyticsEngineError(`refusing to put ${JSON.stringify(value)} into SQL`);
  return `'${value}'`;
}

/** Counts come back as JSON numbers, or as strings for 64-bit integers (`"179"`). */
const Num = z.unknown().transform((v, ctx): number => {
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v) ? Number(v) : Number.NaN;
  if (Number.isFinite(n) && n >= 0) return n;
  ctx.addIssue({ code: "custom", message: v === undefined ? "missing" : `expected a count ≥ 0, got ${JSON.stringify(v)}` });
  return z.NEVER;
});

const JsonBody = z.object({
  meta: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  data: z.array(z.record(z.string(), z.unknown())),
  rows: z.number().int().nonnegative().optional(),
});

const ErrorBody = z.object({
  errors: z.array(z.union([z.object({ code: z.number().optional(), message: z.string() }), z.string()])),
});

function toBuckets(body: unknown, thresholds: readonly number[], from: number, to: number, status: number): Map<number, MinuteBucket> {
  const malformed = (what: string) => new AnalyticsEngineError(`Analytics Engine SQL API answered ${status} with malformed data: ${what}`, status);
  const parsed = JsonBody.safeParse(body);
  if (!parsed.success) throw malformed(describeIssues(parsed.error));
  const { data, rows } = parsed.data;
  if (rows !== undefined && rows !== data.length) throw malformed(`"rows" is ${rows} but "data" has ${data.length}`);

  const shape: Record<string, typeof Num> = { minute: Num, requests: Num, errors: Num };
  for (const ms of thresholds) shape[`slower_${ms}`] = Num;
  const Row = z.object(shape);

  const buckets = new Map<number, MinuteBucket>();
  data.forEach((raw, i) => {
    const row = Row.safeParse(raw);
    if (!row.success) throw malformed(`data[${i}]: ${describeIssues(row.error)}`);
    const values = row.data as Record<string, number>;
    const minute = values.minute as number;
    if (!Number.isSafeInteger(minute) || minute % MINUTE !== 0 || minute < from || minute >= to) {
      throw malformed(`data[${i}].minute ${minute} is not a minute start in [${from}, ${to})`);
    }
    if (buckets.has(minute)) throw malformed(`data[${i}] repeats minute ${minute}`);
    const requests = Math.round(values.requests as number);
    const errors = Math.round(values.errors as number);
    if (errors > requests) throw malformed(`data[${i}] has more errors (${errors}) than requests (${requests})`);
    const slowerThanMs: Record<string, number> = {};
    for (const ms of thresholds) {
      const n = Math.round(values[`slower_${ms}`] as number);
      if (n > requests) throw malformed(`data[${i}] has more requests slower than ${ms} ms (${n}) than requests (${requests})`);
      slowerThanMs[String(ms)] = n;
    }
    buckets.set(minute, { minute, requests, errors, slowerThanMs });
  });
  return buckets;
}

/** zod issues on one line: `path: message; …`. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
}

/** The message of a non-2xx answer: the Cloudflare envelope's `errors`, else the body's start. */
function describeFailure(text: string): string {
  try {
    const body = ErrorBody.safeParse(JSON.parse(text));
    if (body.success && body.data.errors.length > 0) return messages(body.data.errors);
  } catch {
    // not JSON: fall through to the raw text
  }
  return snippet(text) || "(empty body)";
}

function messages(errors: z.infer<typeof ErrorBody>["errors"]): string {
  return errors.map((e) => (typeof e === "string" ? e : e.code === undefined ? e.message : `${e.message} (code ${e.code})`)).join("; ");
}

function snippet(text: string): string {
  const t = text.trim().replace(/\s+/g, " ");
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}
