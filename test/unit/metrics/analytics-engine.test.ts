/**
 * The Analytics Engine metrics source against SQL API response bodies (fixtures/*.json, served as
 * raw text through an injected `fetch`: Analytics Engine has no local SQL API), and the write side
 * against a dataset object that records `writeDataPoint` calls.
 */
import { describe, expect, it } from "vitest";
import {
  AnalyticsEngineError,
  AnalyticsEngineMetricsSource,
  buildMetricsSql,
  indexFor,
  LAYOUT,
  writeMetricBucket,
  writeMetricEvent,
} from "../../../src/metrics/analytics-engine.js";
import type { MetricsQuery } from "../../../src/metrics/source.js";
import empty from "./fixtures/empty.json?raw";
import error200 from "./fixtures/error-200-body.json?raw";
import error400 from "./fixtures/error-400-query.json?raw";
import error401 from "./fixtures/error-401-auth.json?raw";
import error500 from "./fixtures/error-500.json?raw";
import malformed from "./fixtures/malformed.json?raw";
import normal from "./fixtures/normal.json?raw";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const TOKEN = "test-token_123";
const T0 = Date.UTC(2026, 0, 1); // 1767225600000, the first minute in normal.json
const MINUTE = 60_000;
/** One row of normal.json. */
const ROW = { minute: String(T0), requests: 240, errors: 1, slower_500: 9, slower_1000: 2 };

const QUERY: MetricsQuery = {
  env: "production",
  flag: "checkout-v2",
  variant: "on",
  since: T0,
  until: T0 + 10 * MINUTE,
  thresholdsMs: [500, 1000],
};

interface Call {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string;
}

/** A `fetch` that answers every request with one recorded body, and records the requests. */
function recorded(body: string, status = 200, contentType = "application/json"): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fake = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    calls.push({ url: request.url, method: request.method, headers: request.headers, body: await request.text() });
    return new Response(body, { status, headers: { "Content-Type": contentType } });
  };
  return { fetch: fake as typeof fetch, calls };
}

function source(f: typeof fetch, extra: { endpoint?: string } = {}): AnalyticsEngineMetricsSource {
  return new AnalyticsEngineMetricsSource({ accountId: ACCOUNT, apiToken: TOKEN, dataset: "edgeflags_metrics", fetch: f, ...extra });
}

describe("AnalyticsEngineMetricsSource.read: the request", () => {
  it("POSTs one query to the account's SQL endpoint with the bearer token", async () => {
    const { fetch, calls } = recorded(normal);
    await source(fetch).read(QUERY);
    expect(calls).toHaveLength(1);
    const call = calls[0] as Call;
    expect(call.url).toBe(`https://api.cloudflare.com/client/v4/accounts/${ACCOUNT}/analytics_engine/sql`);
    expect(call.method).toBe("POST");
    expect(call.headers.get("Authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("sends exactly this SQL: filters, minute bucketing, _sample_interval weighting, one count per threshold", async () => {
    const { fetch, calls } = recorded(normal);
    await source(fetch).read(QUERY);
    const pairs = (ms: number) =>
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ` + if(double${5 + 2 * i} = ${ms}, double${6 + 2 * i}, 0)`).join("");
    expect(calls[0]?.body).toBe(
      [
        "SELECT",
        "  intDiv(double1, 60000) * 60000 AS minute,",
        "  SUM(_sample_interval * double2) AS requests,",
        "  SUM(_sample_interval * double3) AS errors,",
        `  SUM(_sample_interval * (if(double4 > 500, double2, 0)${pairs(500)})) AS slower_500,`,
        `  SUM(_sample_interval * (if(double4 > 1000, double2, 0)${pairs(1000)})) AS slower_1000`,
        "FROM edgeflags_metrics",
        "WHERE index1 = 'production:checkout-v2'",
        `  AND blob1 = 'production' AND blob2 = 'checkout-v2' AND blob3 = 'on' AND blob4 = '${LAYOUT}'`,
        `  AND timestamp >= toDateTime(${T0 / 1000 - 300})`,
        `  AND double1 >= ${T0} AND double1 < ${T0 + 10 * MINUTE}`,
        "GROUP BY minute",
        "ORDER BY minute",
        "FORMAT JSON",
      ].join("\n"),
    );
  });

  it("reads whole minutes: since and until are rounded up to minute starts, like the Durable Object source", () => {
    const sql = buildMetricsSql("ds", { ...QUERY, since: T0 + 1, until: T0 + 5 * MINUTE + 1 });
    expect(sql).toContain(`AND double1 >= ${T0 + MINUTE} AND double1 < ${T0 + 6 * MINUTE}`);
  });

  it("deduplicates and sorts thresholds; without thresholds there are no latency columns", () => {
    const sql = buildMetricsSql("ds", { ...QUERY, thresholdsMs: [1000, 500, 1000] });
    expect(sql.match(/AS slower_\d+/g)).toEqual(["AS slower_500", "AS slower_1000"]);
    expect(buildMetricsSql("ds", { ...QUERY, thresholdsMs: [] })).not.toContain("slower_");
  });

  it("uses the endpoint override", async () => {
    const { fetch, calls } = recorded(empty);
    await source(fetch, { endpoint: "https://ae.example.test/v4/" }).read(QUERY);
    expect(calls[0]?.url).toBe(`https://ae.example.test/v4/accounts/${ACCOUNT}/analytics_engine/sql`);
  });

  it("cuts the index (the sampling key) to 96 bytes, in the writes and the query alike", () => {
    const flag = `f${"x".repeat(127)}`;
    expect(indexFor("production", flag)).toHaveLength(96);
    expect(buildMetricsSql("ds", { ...QUERY, flag })).toContain(`index1 = '${indexFor("production", flag)}'`);
  });

  it("does not ask when the window holds no minute", async () => {
    const { fetch, calls } = recorded(normal);
    expect((await source(fetch).read({ ...QUERY, since: T0 + 1, until: T0 + MINUTE })).size).toBe(0);
    expect(calls).toHaveLength(0);
  });
});

describe("AnalyticsEngineMetricsSource.read: the recorded answers", () => {
  it("turns a multi-minute answer into buckets with weighted counts per threshold, rounded to integers", async () => {
    const buckets = await source(recorded(normal).fetch).read(QUERY);
    expect([...buckets.values()]).toEqual([
      { minute: T0, requests: 240, errors: 1, slowerThanMs: { "500": 9, "1000": 2 } },
      // a sampled minute: the weighted sums come back as they are
      { minute: T0 + MINUTE, requests: 12_800, errors: 224, slowerThanMs: { "500": 704, "1000": 96 } },
      // floating-point sums are rounded
      { minute: T0 + 2 * MINUTE, requests: 3100, errors: 31, slowerThanMs: { "500": 400, "1000": 100 } },
      // a heartbeat (0 requests) is kept: telemetry works, there is just no traffic
      { minute: T0 + 4 * MINUTE, requests: 0, errors: 0, slowerThanMs: { "500": 0, "1000": 0 } },
    ]);
    expect([...buckets.keys()]).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 4 * MINUTE]);
    expect(buckets.has(T0 + 3 * MINUTE)).toBe(false); // no point at all: absent, i.e. UNKNOWN to the guards
  });

  it("returns no buckets for an empty answer", async () => {
    expect((await source(recorded(empty).fetch).read(QUERY)).size).toBe(0);
  });

  it("ignores columns it did not ask for", async () => {
    const buckets = await source(recorded(normal).fetch).read({ ...QUERY, thresholdsMs: [500] });
    expect(buckets.get(T0)).toEqual({ minute: T0, requests: 240, errors: 1, slowerThanMs: { "500": 9 } });
  });
});

describe("AnalyticsEngineMetricsSource.read: failures throw (the caller reads them as 'metrics unavailable')", () => {
  it.each([
    [400, error400, "Analytics Engine SQL API answered 400: unknown function: toStartOfMinuteX (code 1001)"],
    [401, error401, "Analytics Engine SQL API answered 401: Authentication error (code 10000)"],
    [500, error500, "Analytics Engine SQL API answered 500: Internal error while executing the query (code 10001)"],
  ])("HTTP %i with an errors envelope", async (status, body, message) => {
    const error = await source(recorded(body, status).fetch).read(QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnalyticsEngineError);
    expect((error as AnalyticsEngineError).status).toBe(status);
    expect((error as Error).message).toBe(message);
  });

  it("a non-JSON error page: its text, shortened", async () => {
    const page = `<html><body>${"Bad gateway ".repeat(50)}</body></html>`;
    const error = (await source(recorded(page, 502, "text/html").fetch).read(QUERY).catch((e: unknown) => e)) as AnalyticsEngineError;
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/^Analytics Engine SQL API answered 502: <html><body>Bad gateway/);
    expect(error.message.length).toBeLessThan(400);
  });

  it("never puts the token into the error", async () => {
    const error = (await source(recorded(error401, 401).fetch).read(QUERY).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain(TOKEN);
  });

  it("errors in a 200 body", async () => {
    await expect(source(recorded(error200).fetch).read(QUERY)).rejects.toThrow(
      "Analytics Engine SQL API reported errors: query exceeded the maximum execution time",
    );
  });

  it("malformed rows: names the row and the field", async () => {
    const error = (await source(recorded(malformed).fetch).read(QUERY).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(AnalyticsEngineError);
    expect(error.message).toMatch(/^Analytics Engine SQL API answered 200 with malformed data: data\[1\]/);
    expect(error.message).toContain(`requests: expected a count ≥ 0, got "n/a"`);
    expect(error.message).toContain("slower_500: missing");
  });

  it.each([
    ["not JSON", "Internal Server Error", /not JSON: Internal Server Error/],
    ["no data array", JSON.stringify({ meta: [], rows: 0 }), /malformed data: .*data/],
    ["rows disagrees with data", JSON.stringify({ data: [], rows: 3 }), /"rows" is 3 but "data" has 0/],
    ["a negative count", row({ errors: -1 }), /malformed data: data\[0\]/],
    ["more errors than requests", row({ errors: 241 }), /more errors \(241\) than requests \(240\)/],
    ["more slow requests than requests", row({ slower_1000: 300 }), /slower than 1000 ms \(300\) than requests \(240\)/],
    ["a minute that is not a minute start", row({ minute: String(T0 + 1) }), /is not a minute start/],
    ["a minute outside the window", row({ minute: String(T0 + 10 * MINUTE) }), /is not a minute start in/],
    ["a repeated minute", JSON.stringify({ data: [ROW, ROW], rows: 2 }), /repeats minute/],
  ])("%s", async (_, body, message) => {
    await expect(source(recorded(body).fetch).read(QUERY)).rejects.toThrow(message);
  });

  it("a failed request (network, timeout)", async () => {
    const failing = (async () => {
      throw new TypeError("Network connection lost.");
    }) as typeof fetch;
    await expect(source(failing).read(QUERY)).rejects.toThrow("Analytics Engine SQL API request failed: TypeError: Network connection lost.");
  });
});

describe("AnalyticsEngineMetricsSource.read: hostile input is refused before any request", () => {
  it.each<[string, Partial<MetricsQuery>]>([
    ["a flag with SQL in it", { flag: "x' OR 1=1 --" }],
    ["a flag with a backslash", { flag: "x\\" }],
    ["a flag with a newline", { flag: "x\n" }],
    ["an environment with a quote", { env: "prod'" }],
    ["an upper-case environment", { env: "Prod" }],
    ["a variant with a quote", { variant: "on'); DROP" }],
    ["an empty variant", { variant: "" }],
    ["a fractional threshold", { thresholdsMs: [500.5] }],
    ["a negative threshold", { thresholdsMs: [-1] }],
    ["a NaN threshold", { thresholdsMs: [Number.NaN] }],
    ["a threshold smuggled in as a string", { thresholdsMs: ["500) OR 1=1 --" as unknown as number] }],
    ["a NaN since", { since: Number.NaN }],
    ["a fractional until", { until: T0 + 0.5 }],
    ["a negative since", { since: -MINUTE }],
  ])("%s", async (_, bad) => {
    const { fetch, calls } = recorded(normal);
    await expect(source(fetch).read({ ...QUERY, ...bad })).rejects.toBeInstanceOf(AnalyticsEngineError);
    expect(calls).toHaveLength(0);
  });

  it.each([
    ["an account id that is not 32 hex", { accountId: "../../zones" }],
    ["a token with a newline", { apiToken: "tok\nX-Evil: 1" }],
    ["an empty token", { apiToken: "" }],
    ["a dataset with SQL in it", { dataset: "metrics; DROP TABLE x" }],
    ["a dataset with a dash", { dataset: "edge-metrics" }],
    ["a non-http endpoint", { endpoint: "file:///etc/passwd" }],
  ])("the constructor refuses %s", (_, bad) => {
    const options = { accountId: ACCOUNT, apiToken: TOKEN, dataset: "edgeflags_metrics", ...bad };
    expect(() => new AnalyticsEngineMetricsSource(options)).toThrow(TypeError);
  });
});

describe("writeMetricEvent and writeMetricBucket", () => {
  /** A dataset that records its data points (Analytics Engine writes are a no-op in local workerd). */
  function recordingDataset(): { dataset: AnalyticsEngineDataset; points: AnalyticsEngineDataPoint[] } {
    const points: AnalyticsEngineDataPoint[] = [];
    return { dataset: { writeDataPoint: (point?: AnalyticsEngineDataPoint) => void points.push(point ?? {}) }, points };
  }

  it("writes one request as one point: index env:flag, blobs, time, 1 request, error flag, latency", () => {
    const { dataset, points } = recordingDataset();
    writeMetricEvent(dataset, "production", { flag: "checkout-v2", variant: "on", at: T0 + 1234, error: true, latencyMs: 812.5 });
    writeMetricEvent(dataset, "production", { flag: "checkout-v2", variant: "off", at: T0 + 2000, error: false });
    expect(points).toEqual([
      { indexes: ["production:checkout-v2"], blobs: ["production", "checkout-v2", "on", LAYOUT], doubles: [T0 + 1234, 1, 1, 812.5] },
      // no latency measured: −1, which is never slower than any threshold
      { indexes: ["production:checkout-v2"], blobs: ["production", "checkout-v2", "off", LAYOUT], doubles: [T0 + 2000, 1, 0, -1] },
    ]);
  });

  it("writes a pre-aggregated minute as one point with (threshold, count) pairs", () => {
    const { dataset, points } = recordingDataset();
    writeMetricBucket(dataset, "staging", {
      flag: "search.rank",
      variant: "treatment",
      minute: T0 + MINUTE,
      requests: 900,
      errors: 4,
      slowerThanMs: { "500": 31, "1000": 7, "250": 120 },
    });
    expect(points).toEqual([
      {
        indexes: ["staging:search.rank"],
        blobs: ["staging", "search.rank", "treatment", LAYOUT],
        doubles: [T0 + MINUTE, 900, 4, -1, 250, 120, 500, 31, 1000, 7],
      },
    ]);
  });

  it("writes a heartbeat (0 requests) too", () => {
    const { dataset, points } = recordingDataset();
    writeMetricBucket(dataset, "staging", { flag: "f", variant: "on", minute: T0, requests: 0, errors: 0, slowerThanMs: {} });
    expect(points[0]?.doubles).toEqual([T0, 0, 0, -1]);
  });

  it("stays within the limits: 1 index of at most 96 bytes, 20 doubles", () => {
    const { dataset, points } = recordingDataset();
    const flag = `f${"x".repeat(127)}`;
    const slowerThanMs = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [String(i * 100), i]));
    writeMetricBucket(dataset, "a-very-long-environment-name-xyz", { flag, variant: "on", minute: T0, requests: 10, errors: 0, slowerThanMs });
    const point = points[0] as AnalyticsEngineDataPoint;
    expect(new TextEncoder().encode(point.indexes?.[0] as string).byteLength).toBe(96);
    expect(point.doubles).toHaveLength(20);
  });

  it.each<[string, () => void]>([
    ["a flag with SQL in it", () => writeMetricEvent(recordingDataset().dataset, "production", { flag: "x' OR 1=1 --", variant: "on", at: T0, error: false })],
    ["a bad environment", () => writeMetricEvent(recordingDataset().dataset, "Prod", { flag: "f", variant: "on", at: T0, error: false })],
    ["a negative latency", () => writeMetricEvent(recordingDataset().dataset, "production", { flag: "f", variant: "on", at: T0, error: false, latencyMs: -5 })],
    ["a minute that is not a minute start", () => writeMetricBucket(recordingDataset().dataset, "production", bucket({ minute: T0 + 1 }))],
    ["more errors than requests", () => writeMetricBucket(recordingDataset().dataset, "production", bucket({ errors: 11 }))],
    ["more slow requests than requests", () => writeMetricBucket(recordingDataset().dataset, "production", bucket({ slowerThanMs: { "500": 11 } }))],
    ["a fractional threshold", () => writeMetricBucket(recordingDataset().dataset, "production", bucket({ slowerThanMs: { "0.5": 1 } }))],
    [
      "more than 8 thresholds",
      () => writeMetricBucket(recordingDataset().dataset, "production", bucket({ slowerThanMs: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [String(i), 0])) })),
    ],
  ])("refuses %s", (_, write) => {
    expect(write).toThrow();
  });

  it("writes nothing when it refuses", () => {
    const { dataset, points } = recordingDataset();
    expect(() => writeMetricBucket(dataset, "production", bucket({ errors: 11 }))).toThrow();
    expect(points).toHaveLength(0);
  });
});

/** A one-row answer, with some fields changed. */
function row(changes: Record<string, unknown>): string {
  return JSON.stringify({ data: [{ ...ROW, ...changes }], rows: 1 });
}

function bucket(changes: Partial<Parameters<typeof writeMetricBucket>[2]>): Parameters<typeof writeMetricBucket>[2] {
  return { flag: "f", variant: "on", minute: T0, requests: 10, errors: 0, slowerThanMs: {}, ...changes };
}
