/**
 * The guard series behind the dashboard's charts: the window it covers, each point's numbers (the
 * same as the guard's own minuteVerdict) and the streak as the guard's sliding window saw it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BREACHES_TO_FIRE, guardStatus, minuteVerdict, WINDOW_MINUTES, type Verdict } from "../../../src/domain/rollout/guards.js";
import type { MinuteBucket } from "../../../src/domain/rollout/model.js";
import { DEFAULT_SERIES_MS, guardSeries, MAX_SERIES_MS, seriesLookbackStart, seriesWindow } from "../../../src/domain/rollout/series.js";
import { resolveGuards } from "../../../src/domain/rollout/strategies.js";
import { bucket, erroring, healthy, MINUTE, T0, trickle } from "./fixtures.js";

const GUARDS = resolveGuards(undefined);
const NOW = T0 + 90 * MINUTE + 17_000;

describe("seriesWindow", () => {
  it("defaults to the last hour before now", () => {
    expect(seriesWindow(undefined, undefined, NOW)).toEqual({ ok: true, from: Math.floor((NOW - DEFAULT_SERIES_MS) / MINUTE) * MINUTE, to: NOW });
  });

  it("completes a missing bound with one hour, and rounds from down to its minute", () => {
    expect(seriesWindow(T0 + 30_000, undefined, NOW)).toEqual({ ok: true, from: T0, to: T0 + 30_000 + DEFAULT_SERIES_MS });
    expect(seriesWindow(undefined, T0 + 2 * DEFAULT_SERIES_MS, NOW)).toEqual({ ok: true, from: T0 + DEFAULT_SERIES_MS, to: T0 + 2 * DEFAULT_SERIES_MS });
  });

  it("refuses an empty or reversed range and one longer than 24 h, naming the field", () => {
    expect(seriesWindow(T0, T0, NOW)).toMatchObject({ ok: false, path: "to" });
    expect(seriesWindow(T0 + MINUTE, T0, NOW)).toMatchObject({ ok: false, path: "to" });
    expect(seriesWindow(T0, T0 + MAX_SERIES_MS, NOW)).toMatchObject({ ok: true });
    expect(seriesWindow(T0, T0 + MAX_SERIES_MS + 1, NOW)).toMatchObject({ ok: false, path: "to", message: expect.stringContaining("1440 minutes") });
  });
});

describe("guardSeries", () => {
  const byMinute = (list: MinuteBucket[]) => new Map(list.map((b) => [b.minute, b]));

  it("has one point per minute per guard with the guard's own numbers", () => {
    const buckets = byMinute([healthy(T0), erroring(T0 + MINUTE), trickle(T0 + 2 * MINUTE), bucket(T0 + 3 * MINUTE, 500, 5)]);
    const series = guardSeries(GUARDS, buckets, T0, T0 + 5 * MINUTE, T0);
    expect(series.map((s) => s.name)).toEqual(["errorRate", "p95", "p99"]);
    const errors = series[0]!;
    expect(errors).toMatchObject({ threshold: 0.01, thresholdMs: null, minSamples: 100 });
    expect(errors.points.map((p) => p.verdict)).toEqual(["OK", "BREACH", "NODATA", "OK", "UNKNOWN"]);
    expect(errors.points[1]).toMatchObject({ minute: new Date(T0 + MINUTE).toISOString(), requests: 2_000, events: 200, rate: 0.1, threshold: 0.01 });
    expect(errors.points[1]!.lowerBound).toBeCloseTo(minuteVerdict(GUARDS.metrics[0]!, T0 + MINUTE, erroring(T0 + MINUTE), GUARDS.confidence).lowerBound!, 12);
    expect(errors.points[4]).toMatchObject({ requests: 0, events: null, rate: null, lowerBound: null });
    // the latency guard counts requests slower than its threshold
    expect(series[1]!.points[0]).toMatchObject({ events: 20, rate: 0.01, threshold: 0.05 });
    expect(series[1]!.thresholdMs).toBe(500);
  });

  it("counts the streak over the sliding window, including minutes before `from`", () => {
    const buckets = byMinute(Array.from({ length: 12 }, (_, i) => erroring(T0 + i * MINUTE)));
    const from = T0 + 6 * MINUTE;
    const points = guardSeries(GUARDS, buckets, from, from + 3 * MINUTE, T0)[0]!.points;
    expect(points.map((p) => p.streak)).toEqual([7, 8, 9]);
    expect(points.every((p) => p.status === "FIRE")).toBe(true);
    // before the rollout started nothing counts
    const early = guardSeries(GUARDS, buckets, T0, T0 + 6 * MINUTE, T0 + 3 * MINUTE)[0]!.points;
    expect(early.map((p) => p.streak)).toEqual([0, 0, 0, 1, 2, 3]);
    expect(early[3]!.status).toBe("PENDING");
    expect(early[5]!.streak).toBeLessThan(BREACHES_TO_FIRE);
  });

  it("property: each point's streak and status are guardStatus over the window ending there", () => {
    const minuteKind = fc.constantFrom("healthy", "erroring", "trickle", "missing");
    fc.assert(
      fc.property(fc.array(minuteKind, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 39 }), (kinds, offset) => {
        const list: MinuteBucket[] = [];
        kinds.forEach((k, i) => {
          const m = T0 + i * MINUTE;
          if (k === "healthy") list.push(healthy(m));
          else if (k === "erroring") list.push(erroring(m));
          else if (k === "trickle") list.push(trickle(m));
        });
        const buckets = byMinute(list);
        const from = T0 + Math.min(offset, kinds.length - 1) * MINUTE;
        expect(seriesLookbackStart(from)).toBe(from - (WINDOW_MINUTES - 1) * MINUTE);
        const guard = GUARDS.metrics[0]!;
        const points = guardSeries(GUARDS, buckets, from, T0 + kinds.length * MINUTE, T0)[0]!.points;
        points.forEach((p, i) => {
          const end = from + i * MINUTE;
          const verdicts: Verdict[] = [];
          for (let m = Math.max(T0, end - (WINDOW_MINUTES - 1) * MINUTE); m <= end; m += MINUTE) {
            verdicts.push(minuteVerdict(guard, m, buckets.get(m), GUARDS.confidence).verdict);
          }
          const expected = guardStatus(verdicts);
          expect({ streak: p.streak, status: p.status }).toEqual(expected);
          expect(p.verdict).toBe(verdicts[verdicts.length - 1]);
        });
      }),
    );
  });
});
