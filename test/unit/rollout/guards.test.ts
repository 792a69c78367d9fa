import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BREACHES_TO_FIRE, closedMinutes, evaluateGuards, guardStatus, MINUTE, minuteVerdict, stageGate, wilsonLower, WINDOW_MINUTES,
  type Verdict,
} from "../../../src/domain/rollout/guards.js";
import type { GuardSettings, MetricGuard, MinuteBucket } from "../../../src/domain/rollout/model.js";
import { resolveGuards } from "../../../src/domain/rollout/strategies.js";
import { bucket, healthy, T0 } from "./fixtures.js";

const DEFAULTS = resolveGuards(undefined);
const guardNamed = (name: string, settings: GuardSettings = DEFAULTS): MetricGuard => {
  const g = settings.metrics.find((m) => m.name === name);
  if (!g) throw new Error(`no guard ${name}`);
  return g;
};
const ERROR = guardNamed("errorRate");
const P95 = guardNamed("p95");
const P99 = guardNamed("p99");

/** Reference Wilson lower bound, written independently from the formula on Wikipedia. */
function referenceWilson(x: number, n: number, z: number): number {
  const p = x / n;
  const denom = 1 + (z * z) / n;
  const centre = p + (z * z) / (2 * n);
  const adj = z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n);
  return (centre - adj) / denom;
}

describe("wilsonLower", () => {
  it("is 0 for n = 0 and for x = 0", () => {
    expect(wilsonLower(0, 0, 0.95)).toBe(0);
    expect(wilsonLower(5, 0, 0.95)).toBe(0);
    expect(wilsonLower(0, 0, 0)).toBe(0);
    for (const n of [1, 10, 100, 1_000, 1_000_000]) expect(wilsonLower(0, n, 0.95)).toBeCloseTo(0, 12);
  });

  it("with confidence 0 is the point estimate x/n", () => {
    expect(wilsonLower(3, 100, 0)).toBe(0.03);
    expect(wilsonLower(1, 3, 0)).toBe(1 / 3);
    expect(wilsonLower(7, 7, 0)).toBe(1);
  });

  it("matches the textbook formula for z = 1.2816, 1.6449, 2.3263", () => {
    for (const [confidence, z] of [[0.9, 1.2816], [0.95, 1.6449], [0.99, 2.3263]] as const) {
      for (const [x, n] of [[1, 10], [3, 100], [16, 1_000], [500, 1_000], [117, 10_000], [10, 10]] as const) {
        expect(wilsonLower(x, n, confidence)).toBeCloseTo(referenceWilson(x, n, z), 12);
      }
    }
  });

  it("known value: 16 of 1000 at 95 % is about 1.066 %", () => {
    expect(wilsonLower(16, 1_000, 0.95)).toBeCloseTo(0.010_658, 5);
    expect(wilsonLower(15, 1_000, 0.95)).toBeCloseTo(0.009_860, 5);
  });

  it("an unknown confidence falls back to 95 %", () => {
    expect(wilsonLower(16, 1_000, 0.8)).toBe(wilsonLower(16, 1_000, 0.95));
  });

  it("higher confidence gives a lower (or equal) bound", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const x = Math.round(f * n);
        const b90 = wilsonLower(x, n, 0.9);
        const b95 = wilsonLower(x, n, 0.95);
        const b99 = wilsonLower(x, n, 0.99);
        expect(b95).toBeLessThanOrEqual(b90 + 1e-12);
        expect(b99).toBeLessThanOrEqual(b95 + 1e-12);
      }),
    );
  });

  it("is in [0, x/n], monotone in x, and approaches x/n as n grows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.9, 0.95, 0.99), (n, f, c) => {
        const x = Math.min(n - 1, Math.floor(f * n));
        const lb = wilsonLower(x, n, c);
        expect(lb).toBeGreaterThanOrEqual(0);
        expect(lb).toBeLessThanOrEqual(x / n + 1e-12);
        expect(wilsonLower(x + 1, n, c)).toBeGreaterThan(lb);
      }),
    );
    expect(wilsonLower(1_000, 100_000, 0.95)).toBeGreaterThan(wilsonLower(100, 10_000, 0.95));
    expect(wilsonLower(100_000, 10_000_000, 0.95)).toBeCloseTo(0.01, 3);
  });
});

describe("minuteVerdict: the calibration table's BREACH thresholds at T = 1 %", () => {
  // Minimum errors per bucket to count as BREACH (docs/rollouts.md, "Why a lower bound: calibration").
  const wilson: [number, number][] = [[100, 3], [200, 5], [500, 9], [1_000, 16], [2_000, 28], [10_000, 117]];
  const literal: [number, number][] = [[100, 3], [200, 3], [500, 6], [1_000, 11], [2_000, 21], [10_000, 101]];

  it.each(wilson)("Wilson LB95: n = %i → x - 1 is OK and x = %i is BREACH", (n, x) => {
    expect(minuteVerdict(ERROR, T0, bucket(T0, n, x - 1), 0.95).verdict).toBe("OK");
    const v = minuteVerdict(ERROR, T0, bucket(T0, n, x), 0.95);
    expect(v).toMatchObject({ minute: T0, verdict: "BREACH", n, x });
    expect(v.lowerBound).toBeGreaterThan(0.01);
  });

  it.each(literal)("point estimate (confidence 0) with x ≥ 3: n = %i → threshold %i", (n, x) => {
    expect(minuteVerdict(ERROR, T0, bucket(T0, n, x - 1), 0).verdict).toBe("OK");
    expect(minuteVerdict(ERROR, T0, bucket(T0, n, x), 0)).toMatchObject({ verdict: "BREACH", lowerBound: x / n });
  });

  it("exactly at the threshold rate is not a breach (strictly greater)", () => {
    expect(minuteVerdict(ERROR, T0, bucket(T0, 1_000, 10), 0).verdict).toBe("OK");
    expect(minuteVerdict(P95, T0, bucket(T0, 1_000, 0, 50), 0).verdict).toBe("OK");
    expect(minuteVerdict(P95, T0, bucket(T0, 1_000, 0, 51), 0).verdict).toBe("BREACH");
  });
});

describe("minuteVerdict: UNKNOWN, NODATA, latency guards", () => {
  it("UNKNOWN when the minute has no bucket at all", () => {
    expect(minuteVerdict(ERROR, T0, undefined, 0.95)).toEqual({ minute: T0, verdict: "UNKNOWN", n: 0, x: null, lowerBound: null });
  });

  it("NODATA below minSamples (including zero traffic); evaluable at exactly minSamples", () => {
    expect(minuteVerdict(ERROR, T0, bucket(T0, 0), 0.95)).toEqual({ minute: T0, verdict: "NODATA", n: 0, x: 0, lowerBound: null });
    expect(minuteVerdict(ERROR, T0, bucket(T0, 99, 99), 0.95)).toMatchObject({ verdict: "NODATA", n: 99, x: 99 });
    expect(minuteVerdict(ERROR, T0, bucket(T0, 100, 0), 0.95).verdict).toBe("OK");
    expect(minuteVerdict(P95, T0, bucket(T0, 199, 0, 199), 0.95).verdict).toBe("NODATA");
    expect(minuteVerdict(P99, T0, bucket(T0, 999, 0, 0, 999), 0.95).verdict).toBe("NODATA");
    expect(minuteVerdict(P99, T0, bucket(T0, 1_000, 0, 0, 0), 0.95).verdict).toBe("OK");
  });

  it("NODATA when the guard's latency threshold is missing from slowerThanMs", () => {
    const noLatency: MinuteBucket = { minute: T0, requests: 5_000, errors: 0, slowerThanMs: { "250": 5_000 } };
    expect(minuteVerdict(P95, T0, noLatency, 0.95)).toEqual({ minute: T0, verdict: "NODATA", n: 5_000, x: null, lowerBound: null });
    expect(minuteVerdict(P99, T0, noLatency, 0.95).verdict).toBe("NODATA");
    // The error guard does not need latency counts.
    expect(minuteVerdict(ERROR, T0, noLatency, 0.95).verdict).toBe("OK");
  });

  it("latency guards read their own threshold's count", () => {
    // P95 > 500 ms: 5 % of requests slower than 500 ms. 2000 requests → Wilson threshold 117.
    expect(minuteVerdict(P95, T0, bucket(T0, 2_000, 0, 116, 0), 0.95).verdict).toBe("OK");
    expect(minuteVerdict(P95, T0, bucket(T0, 2_000, 0, 117, 0), 0.95)).toMatchObject({ verdict: "BREACH", x: 117 });
    // P99 > 1000 ms: 1 % slower than 1000 ms.
    expect(minuteVerdict(P99, T0, bucket(T0, 2_000, 0, 0, 27), 0.95).verdict).toBe("OK");
    expect(minuteVerdict(P99, T0, bucket(T0, 2_000, 0, 0, 28), 0.95).verdict).toBe("BREACH");
    // A guard with a custom threshold reads that key.
    const p95at300 = guardNamed("p95", resolveGuards({ p95: { thresholdMs: 300 } }));
    const b: MinuteBucket = { minute: T0, requests: 2_000, errors: 0, slowerThanMs: { "300": 500, "500": 0 } };
    expect(minuteVerdict(p95at300, T0, b, 0.95).verdict).toBe("BREACH");
    expect(minuteVerdict(P95, T0, b, 0.95).verdict).toBe("OK");
  });
});

describe("guardStatus: the 'for 5 minutes' rule", () => {
  const B = "BREACH", O = "OK", N = "NODATA", U = "UNKNOWN";
  const cases: [string, Verdict[], string, number][] = [
    ["no verdicts", [], "OK", 0],
    ["all OK", [O, O, O], "OK", 0],
    ["one breach", [B], "PENDING", 1],
    ["4 breaches in a row", [B, B, B, B], "PENDING", 4],
    ["5 breaches in a row", [B, B, B, B, B], "FIRE", 5],
    ["10 breaches", [B, B, B, B, B, B, B, B, B, B], "FIRE", 10],
    ["5 breaches after an OK", [O, B, B, B, B, B], "FIRE", 5],
    ["gaps neither extend nor reset", [B, N, B, U, B, B, B], "FIRE", 5],
    ["gaps: only 4 breaches", [B, N, B, U, B, N, B], "PENDING", 4],
    ["an OK resets the streak", [B, B, B, B, O, B], "PENDING", 1],
    ["an OK in the middle", [B, B, B, O, B, B, B, B], "PENDING", 4],
    ["newest evaluable is OK", [B, B, B, B, B, O], "OK", 0],
    ["newest evaluable is OK behind gaps", [B, B, B, B, B, O, N, U], "OK", 0],
    ["newest is OK after breaches", [B, B, B, B, O], "OK", 0],
    ["trailing NODATA keeps FIRE", [B, B, B, B, B, N, N], "FIRE", 5],
    ["trailing UNKNOWN keeps PENDING", [B, B, U, U, U], "PENDING", 2],
    ["only gaps", [N, U, N], "OK", 0],
    ["gaps after an OK", [O, N, U], "OK", 0],
  ];
  it.each(cases)("%s", (_name, verdicts, status, streak) => {
    expect(guardStatus(verdicts)).toEqual({ status, streak });
  });

  it("BREACHES_TO_FIRE and WINDOW_MINUTES are 5 and 10", () => {
    expect(BREACHES_TO_FIRE).toBe(5);
    expect(WINDOW_MINUTES).toBe(10);
  });

  it("property: inserting NODATA/UNKNOWN anywhere never changes the status", () => {
    const verdict = fc.constantFrom<Verdict>("BREACH", "OK");
    const gap = fc.constantFrom<Verdict>("NODATA", "UNKNOWN");
    fc.assert(
      fc.property(fc.array(verdict, { maxLength: 12 }), fc.array(fc.tuple(fc.nat(), gap), { maxLength: 6 }), (vs, gaps) => {
        const withGaps = [...vs];
        for (const [at, g] of gaps) withGaps.splice(at % (withGaps.length + 1), 0, g);
        expect(guardStatus(withGaps)).toEqual(guardStatus(vs));
      }),
    );
  });

  it("property: FIRE iff the evaluable verdicts end in ≥ 5 BREACH", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Verdict>("BREACH", "OK", "NODATA", "UNKNOWN"), { maxLength: 12 }), (vs) => {
        const evaluable = vs.filter((v) => v === "BREACH" || v === "OK");
        let run = 0;
        for (let i = evaluable.length - 1; i >= 0 && evaluable[i] === "BREACH"; i--) run++;
        const expected = run >= 5 ? "FIRE" : run > 0 ? "PENDING" : "OK";
        expect(guardStatus(vs)).toEqual({ status: expected, streak: run });
      }),
    );
  });
});

describe("closedMinutes", () => {
  it("the current minute is not closed; the previous one is", () => {
    expect(closedMinutes(T0 + 10 * MINUTE, T0)).toContain(T0 + 9 * MINUTE);
    expect(closedMinutes(T0 + 10 * MINUTE, T0)).not.toContain(T0 + 10 * MINUTE);
    expect(closedMinutes(T0 + 10 * MINUTE + 59_999, T0).at(-1)).toBe(T0 + 9 * MINUTE);
    expect(closedMinutes(T0 + 11 * MINUTE, T0).at(-1)).toBe(T0 + 10 * MINUTE);
  });

  it("holds at most the last 10 closed minutes, oldest first", () => {
    const minutes = closedMinutes(T0 + 60 * MINUTE, T0);
    expect(minutes).toEqual(Array.from({ length: 10 }, (_, i) => T0 + (50 + i) * MINUTE));
  });

  it("holds nothing before `since`; a minute that started before `since` is left out", () => {
    expect(closedMinutes(T0 + 3 * MINUTE, T0)).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE]);
    expect(closedMinutes(T0 + 3 * MINUTE, T0 + 1)).toEqual([T0 + MINUTE, T0 + 2 * MINUTE]);
    expect(closedMinutes(T0 + 3 * MINUTE, T0 + MINUTE - 1)).toEqual([T0 + MINUTE, T0 + 2 * MINUTE]);
  });

  it("is empty right after `since`, and when `since` is in the future", () => {
    expect(closedMinutes(T0, T0)).toEqual([]);
    expect(closedMinutes(T0 + 59_999, T0)).toEqual([]);
    expect(closedMinutes(T0 + MINUTE, T0)).toEqual([T0]);
    expect(closedMinutes(T0 + 5 * MINUTE, T0 + HOUR_MS)).toEqual([]);
  });

  it("property: minute-aligned, consecutive, closed, ≥ since, ≤ 10 of them", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), fc.integer({ min: 0, max: 10 * 86_400_000 }), (a, b) => {
        const since = T0 + a;
        const now = T0 + b;
        const ms = closedMinutes(now, since);
        expect(ms.length).toBeLessThanOrEqual(10);
        ms.forEach((m, i) => {
          expect(m % MINUTE).toBe(0);
          expect(m).toBeGreaterThanOrEqual(since);
          expect(m + MINUTE).toBeLessThanOrEqual(now);
          if (i > 0) expect(m - (ms[i - 1] as number)).toBe(MINUTE);
        });
        // It is the full window whenever enough time has passed since `since`.
        if (now - since >= 11 * MINUTE) expect(ms.length).toBe(10);
      }),
    );
  });
});
const HOUR_MS = 60 * MINUTE;

describe("evaluateGuards", () => {
  const minutes = Array.from({ length: 10 }, (_, i) => T0 + i * MINUTE);

  it("one report per enabled guard, with per-minute verdicts", () => {
    const buckets = new Map(minutes.map((m) => [m, healthy(m)] as const));
    const reports = evaluateGuards(DEFAULTS, buckets, minutes);
    expect(reports.map((r) => r.name)).toEqual(["errorRate", "p95", "p99"]);
    for (const r of reports) {
      expect(r).toMatchObject({ status: "OK", streak: 0, needsSamples: null });
      expect(r.verdicts.map((v) => v.minute)).toEqual(minutes);
      expect(r.verdicts.every((v) => v.verdict === "OK")).toBe(true);
    }
    expect(evaluateGuards(resolveGuards({ p95: { enabled: false } }), buckets, minutes).map((r) => r.name)).toEqual(["errorRate", "p99"]);
  });

  it("needsSamples tells how many requests the newest NODATA minute lacks", () => {
    const buckets = new Map(minutes.map((m) => [m, bucket(m, 150)] as const));
    const [err, p95, p99] = evaluateGuards(DEFAULTS, buckets, minutes);
    expect(err?.needsSamples).toBeNull(); // 150 ≥ 100: evaluable
    expect(p95?.needsSamples).toBe(50);
    expect(p99?.needsSamples).toBe(850);
  });

  it("FIRE on 5 breaching minutes, with the evidence per minute", () => {
    const buckets = new Map(minutes.map((m, i) => [m, i >= 5 ? bucket(m, 2_000, 200) : healthy(m)] as const));
    const [err, p95] = evaluateGuards(DEFAULTS, buckets, minutes);
    expect(err).toMatchObject({ status: "FIRE", streak: 5 });
    expect(err?.verdicts[9]).toMatchObject({ verdict: "BREACH", n: 2_000, x: 200 });
    expect(p95?.status).toBe("OK");
  });

});

describe("stageGate", () => {
  const minutes = Array.from({ length: 10 }, (_, i) => T0 + i * MINUTE);
  const pool = (f: (m: number) => MinuteBucket): MinuteBucket[] => minutes.map(f);
  const reportsFor = (buckets: MinuteBucket[], settings = DEFAULTS) =>
    evaluateGuards(settings, new Map(buckets.map((b) => [b.minute, b] as const)), minutes);

  it("PASS on enough healthy pooled data", () => {
    const pooled = pool(healthy);
    expect(stageGate(DEFAULTS, reportsFor(pooled), pooled, false)).toEqual({ result: "PASS" });
  });

  it("FAIL when a pooled rate is confidently over its threshold (even with no single minute breaching)", () => {
    // 1.4 % errors per minute: each minute is OK (Wilson threshold 16 of 1000), the pool of 10 000 is not.
    const pooled = pool((m) => bucket(m, 1_000, 14, 0, 0));
    const reports = reportsFor(pooled);
    expect(reports[0]?.status).toBe("OK");
    const gate = stageGate(DEFAULTS, reports, pooled, false);
    expect(gate).toMatchObject({ result: "FAIL", guard: "errorRate", n: 10_000, x: 140 });
    expect(gate.result === "FAIL" && gate.lowerBound).toBeGreaterThan(0.01);
  });

  it("FAIL on pooled latency; a pooled rate just under the bound passes", () => {
    const slow = pool((m) => bucket(m, 1_000, 0, 60, 0)); // 6 % > 500 ms
    expect(stageGate(DEFAULTS, reportsFor(slow), slow, false)).toMatchObject({ result: "FAIL", guard: "p95", n: 10_000, x: 600 });
    const fine = pool((m) => bucket(m, 1_000, 9, 40, 5));
    expect(stageGate(DEFAULTS, reportsFor(fine), fine, false)).toEqual({ result: "PASS" });
  });

  it("FAIL beats PENDING/UNKNOWN; needs at least minSamples pooled", () => {
    const pooled = pool((m) => bucket(m, 1_000, 100));
    expect(stageGate(DEFAULTS, reportsFor(pooled), pooled, true).result).toBe("FAIL");
    const tiny = [bucket(T0, 99, 99)]; // 100 % errors but below the error guard's 100 samples
    expect(stageGate(DEFAULTS, [], tiny, false).result).toBe("INSUFFICIENT");
  });

  it("PENDING while a guard is PENDING or FIRE-ing, even if the pool is fine", () => {
    const pooled = pool(healthy);
    const breaching = [...pooled.slice(0, 8), bucket(T0 + 8 * MINUTE, 2_000, 60), bucket(T0 + 9 * MINUTE, 2_000, 60)];
    const reports = reportsFor(breaching);
    expect(reports[0]).toMatchObject({ status: "PENDING", streak: 2 });
    // Pool over a longer healthy stage so the pooled rate stays fine.
    const longPool = [...Array.from({ length: 100 }, (_, i) => bucket(T0 - (i + 1) * MINUTE, 2_000, 0)), ...breaching];
    const gate = stageGate(DEFAULTS, reports, longPool, false);
    expect(gate).toEqual({ result: "PENDING", detail: "errorRate is breaching (2/5)" });
  });

  it("UNKNOWN when a recent minute had no telemetry (after the PENDING check)", () => {
    const pooled = pool(healthy);
    expect(stageGate(DEFAULTS, reportsFor(pooled), pooled, true)).toMatchObject({ result: "UNKNOWN" });
  });

  it("INSUFFICIENT when a required guard lacks stage samples; advisory guards do not block", () => {
    // 1 500 requests: enough for the error guard (1 000), not for p95 (2 000); p99 (10 000) is advisory.
    const few = [bucket(T0, 1_500)];
    expect(stageGate(DEFAULTS, [], few, false)).toEqual({ result: "INSUFFICIENT", detail: "p95 has 1500 of 2000 samples this stage" });
    expect(stageGate(DEFAULTS, [], [bucket(T0, 500)], false)).toEqual({ result: "INSUFFICIENT", detail: "errorRate has 500 of 1000 samples this stage" });
    expect(stageGate(DEFAULTS, [], [bucket(T0, 2_000)], false)).toEqual({ result: "PASS" });
    // p99 made required: now it blocks.
    const strict = resolveGuards({ p99: { requiredForAdvance: true } });
    expect(stageGate(strict, [], [bucket(T0, 2_000)], false)).toMatchObject({ result: "INSUFFICIENT", detail: "p99 has 2000 of 10000 samples this stage" });
  });

  it("latency samples only count from buckets that carry the threshold", () => {
    const noLatency: MinuteBucket = { minute: T0, requests: 5_000, errors: 0, slowerThanMs: {} };
    expect(stageGate(DEFAULTS, [], [noLatency], false)).toEqual({ result: "INSUFFICIENT", detail: "p95 has 0 of 2000 samples this stage" });
  });

  it("an empty pool passes only when nothing is required", () => {
    expect(stageGate(DEFAULTS, [], [], false).result).toBe("INSUFFICIENT");
    const lax = resolveGuards({ errorRate: { stageMinSamples: 0 }, p95: { requiredForAdvance: false } });
    expect(stageGate(lax, [], [], false)).toEqual({ result: "PASS" });
  });
});
