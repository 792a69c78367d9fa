/**
 * Workers Analytics Engine as a metrics source: per-minute buckets read back through the SQL API
 * with a token, weighted by `_sample_interval`. The data-point layout and the writing side are in
 * src/metrics/analytics-engine-layout.ts.
 *
 * Analytics Engine has no parameter binding: every value put into SQL is validated against a
 * strict pattern first, and string literals are built only from `[A-Za-z0-9._:-]`.
 */
import { z } from "zod";
import type { MinuteBucket } from "../domain/rollout/model.js";
import {
  ACCOUNT_ID_PATTERN, AnalyticsEngineError, checkIdentity, checkThreshold, DATASET_PATTERN, indexFor, LAYOUT, MAX_THRESHOLD_PAIRS, MINUTE,
  SQL_SAFE, WRITE_SKEW_SECONDS,
} from "./analytics-engine-layout.js";
import type { MetricsQuery, MetricsSource } from "./source.js";

export { AnalyticsEngineError, indexFor, LAYOUT, writeMetricBucket, writeMetricEvent } from "./analytics-engine-layout.js";
/** The SQL API, minus `/accounts/{account_id}/analytics_engine/sql`. */
export const DEFAULT_ENDPOINT = "https://api.cloudflare.com/client/v4";

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
