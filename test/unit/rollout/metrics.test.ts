/**
 * The metrics ingest wire shape (samples and raw events) and how `toDeltas` folds a body into one
 * delta per (flag, variant, minute).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetricEvent, MetricSample, MetricsIngest, minuteOf, toDeltas, type Delta } from "../../../src/domain/rollout/metrics.js";
import { MINUTE, T0 } from "./fixtures.js";

const DEFAULT_THRESHOLDS = (): readonly number[] => [500, 1000];
const ingest = (body: unknown): MetricsIngest => MetricsIngest.parse(body);
const sample = (over: Record<string, unknown> = {}) => ({ flag: "checkout", variant: "new", minute: T0, requests: 100, errors: 1, ...over });
const event = (over: Record<string, unknown> = {}) => ({ flag: "checkout", variant: "new", at: T0 + 1_000, error: false, ...over });
const sortDeltas = (ds: Delta[]): Delta[] => [...ds].sort((a, b) => a.minute - b.minute || a.flag.localeCompare(b.flag) || a.variant.localeCompare(b.variant));

describe("metrics ingest schema", () => {
  it("accepts ISO instants with an offset and epoch milliseconds, and normalises both to epoch ms", () => {
    const body = ingest({ samples: [sample({ minute: "2026-03-02T01:00:00+01:00" })], events: [event({ at: T0 })] });
    expect(body.samples[0]?.minute).toBe(T0);
    expect(body.events[0]?.at).toBe(T0);
    expect(body.samples[0]?.slowerThanMs).toEqual({});
  });

  it("needs at least one sample or event", () => {
    expect(MetricsIngest.safeParse({}).success).toBe(false);
    expect(MetricsIngest.safeParse({ samples: [], events: [] }).success).toBe(false);
    expect(MetricsIngest.safeParse({ events: [event()] }).success).toBe(true);
  });

  it("refuses more errors or slow requests than requests", () => {
    const errors = MetricSample.safeParse(sample({ requests: 5, errors: 6 }));
    expect(errors.success).toBe(false);
    expect(errors.error?.issues.map((i) => i.path)).toEqual([["errors"]]);
    const slow = MetricSample.safeParse(sample({ requests: 5, errors: 0, slowerThanMs: { "500": 6 } }));
    expect(slow.error?.issues.map((i) => i.path)).toEqual([["slowerThanMs", "500"]]);
    expect(MetricSample.safeParse(sample({ requests: 5, errors: 5, slowerThanMs: { "500": 5 } })).success).toBe(true);
  });

  it("refuses thresholds that are not whole milliseconds, and bad counts, names and instants", () => {
    for (const bad of ["0", "05", "1.5", "abc", "12345678"]) expect(MetricSample.safeParse(sample({ slowerThanMs: { [bad]: 1 } })).success, bad).toBe(false);
    expect(MetricSample.safeParse(sample({ requests: -1 })).success).toBe(false);
    expect(MetricSample.safeParse(sample({ requests: 1.5 })).success).toBe(false);
    expect(MetricSample.safeParse(sample({ requests: 1_000_000_001, errors: 0 })).success).toBe(false);
    expect(MetricSample.safeParse(sample({ flag: "bad key" })).success).toBe(false);
    expect(MetricSample.safeParse(sample({ minute: "2026-03-02T00:00:00" })).success).toBe(false); // no offset
    expect(MetricEvent.safeParse(event({ latencyMs: -1 })).success).toBe(false);
    expect(MetricEvent.safeParse(event({ latencyMs: 3_600_001 })).success).toBe(false);
    expect(MetricsIngest.safeParse({ env: "Prod!", events: [event()] }).success).toBe(false);
  });
});

describe("minuteOf", () => {
  it("floors to the start of the minute", () => {
    expect(minuteOf(T0)).toBe(T0);
    expect(minuteOf(T0 + MINUTE - 1)).toBe(T0);
    expect(minuteOf(T0 + MINUTE)).toBe(T0 + MINUTE);
    expect(minuteOf(0)).toBe(0);
  });
});

describe("toDeltas", () => {
  it("sums samples of the same flag, variant and minute (any instant inside the minute)", () => {
    const body = ingest({
      samples: [
        sample({ requests: 100, errors: 1, slowerThanMs: { "500": 10 } }),
        sample({ minute: T0 + 59_999, requests: 50, errors: 2, slowerThanMs: { "500": 5, "1000": 1 } }),
      ],
    });
    expect(toDeltas(body, DEFAULT_THRESHOLDS)).toEqual([
      { flag: "checkout", variant: "new", minute: T0, requests: 150, errors: 3, slowerThanMs: { "500": 15, "1000": 1 } },
    ]);
  });

  it("keeps flags, variants and minutes apart", () => {
    const body = ingest({
      samples: [sample(), sample({ variant: "old" }), sample({ flag: "search" }), sample({ minute: T0 + MINUTE })],
    });
    const deltas = toDeltas(body, DEFAULT_THRESHOLDS);
    expect(deltas).toHaveLength(4);
    expect(new Set(deltas.map((d) => `${d.flag}/${d.variant}/${d.minute - T0}`))).toEqual(
      new Set(["checkout/new/0", "checkout/old/0", "search/new/0", `checkout/new/${MINUTE}`]),
    );
  });

  it("counts each event into its minute, its latency against every threshold (strictly slower)", () => {
    const body = ingest({
      events: [
        event({ latencyMs: 499 }),
        event({ latencyMs: 500 }), // not slower than 500
        event({ latencyMs: 750, error: true }),
        event({ latencyMs: 1_500 }),
        event({ at: T0 + MINUTE, latencyMs: 2_000, error: true }),
      ],
    });
    expect(sortDeltas(toDeltas(body, DEFAULT_THRESHOLDS))).toEqual([
      { flag: "checkout", variant: "new", minute: T0, requests: 4, errors: 1, slowerThanMs: { "500": 2, "1000": 1 } },
      { flag: "checkout", variant: "new", minute: T0 + MINUTE, requests: 1, errors: 1, slowerThanMs: { "500": 1, "1000": 1 } },
    ]);
  });

  it("uses the flag's own thresholds for events", () => {
    const body = ingest({ events: [event({ latencyMs: 300 }), event({ flag: "search", latencyMs: 300 })] });
    const deltas = toDeltas(body, (flag) => (flag === "checkout" ? [250] : [500, 1000]));
    expect(sortDeltas(deltas).map((d) => [d.flag, d.slowerThanMs])).toEqual([
      ["checkout", { "250": 1 }],
      ["search", { "500": 0, "1000": 0 }],
    ]);
  });

  it("an event without a latency counts as a request (and an error) but touches no threshold", () => {
    const body = ingest({ events: [event({ error: true })] });
    expect(toDeltas(body, DEFAULT_THRESHOLDS)).toEqual([{ flag: "checkout", variant: "new", minute: T0, requests: 1, errors: 1, slowerThanMs: {} }]);
  });

  it("folds samples and events of the same minute into one delta", () => {
    const body = ingest({ samples: [sample({ requests: 10, errors: 0, slowerThanMs: { "500": 3 } })], events: [event({ latencyMs: 600, error: true })] });
    expect(toDeltas(body, DEFAULT_THRESHOLDS)).toEqual([
      { flag: "checkout", variant: "new", minute: T0, requests: 11, errors: 1, slowerThanMs: { "500": 4, "1000": 0 } },
    ]);
  });

  it("property: totals are conserved, minutes are aligned, and no delta has more errors or slow requests than requests", () => {
    const key = { flag: fc.constantFrom("a", "b"), variant: fc.constantFrom("on", "off") };
    const offset = fc.integer({ min: 0, max: 5 * MINUTE - 1 });
    const samples = fc.array(
      fc
        .record({ ...key, offset, requests: fc.nat(1_000), errorShare: fc.double({ min: 0, max: 1, noNaN: true }), slowShare: fc.double({ min: 0, max: 1, noNaN: true }) })
        .map((s) => ({
          flag: s.flag, variant: s.variant, minute: T0 + s.offset, requests: s.requests,
          errors: Math.floor(s.requests * s.errorShare), slowerThanMs: { "500": Math.floor(s.requests * s.slowShare) },
        })),
      { maxLength: 8 },
    );
    const events = fc.array(
      fc.record({ ...key, offset, error: fc.boolean(), latencyMs: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }) }).map((e) => ({
        flag: e.flag, variant: e.variant, at: T0 + e.offset, error: e.error, ...(e.latencyMs === undefined ? {} : { latencyMs: e.latencyMs }),
      })),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(samples, events, (ss, es) => {
        fc.pre(ss.length + es.length > 0);
        const deltas = toDeltas(ingest({ samples: ss, events: es }), DEFAULT_THRESHOLDS);
        const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
        expect(sum(deltas.map((d) => d.requests))).toBe(sum(ss.map((s) => s.requests)) + es.length);
        expect(sum(deltas.map((d) => d.errors))).toBe(sum(ss.map((s) => s.errors)) + es.filter((e) => e.error).length);
        const slow500 = sum(ss.map((s) => s.slowerThanMs["500"])) + es.filter((e) => e.latencyMs !== undefined && e.latencyMs > 500).length;
        expect(sum(deltas.map((d) => d.slowerThanMs["500"] ?? 0))).toBe(slow500);
        const keys = deltas.map((d) => `${d.flag}/${d.variant}/${d.minute}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const d of deltas) {
          expect(d.minute % MINUTE).toBe(0);
          expect(d.errors).toBeLessThanOrEqual(d.requests);
          for (const n of Object.values(d.slowerThanMs)) expect(n).toBeLessThanOrEqual(d.requests);
        }
      }),
      { numRuns: 300 },
    );
  });
});
