import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketOf, BUCKETS, percentageBound } from "../../src/domain/bucket.js";
import { evaluate } from "../../src/domain/evaluate.js";
import { Flag } from "../../src/domain/flag.js";
import { booleanFlag } from "../support/flags.js";
import { vectors } from "../support/vectors.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");

function rolloutFlag(percentage: number, salt = "ramp"): Flag {
  return Flag.parse(booleanFlag("ramp", { fallthrough: { rollout: { variant: "on", baseline: "off", percentage } }, salt }));
}

const included = (flag: Flag, targetingKey: string): boolean => evaluate(flag, { targetingKey }, NOW).variant === "on";

/** Percentages at the model's resolution (0.001 %), plus arbitrary doubles in [0, 100]. */
const percentage = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map((k) => k / 1000),
  fc.double({ min: 0, max: 100, noNaN: true }),
  fc.constantFrom(0, 0.001, 1, 5, 10, 25, 50, 75, 99.999, 100),
);
const key = fc.oneof(fc.string({ minLength: 1 }), fc.uuid(), fc.nat().map((n) => `user-${n}`));

describe("bucketing vectors (test/vectors/bucketing.json)", () => {
  it("has a useful spread of vectors", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(40);
    expect(vectors.some((v) => /[^\x00-\x7f]/.test(v.value))).toBe(true);
    expect(vectors.some((v) => /[\ud800-\udfff]/.test(v.value) && !/[\ud800-\udbff][\udc00-\udfff]/.test(v.value))).toBe(true);
  });

  it.each(vectors.map((v) => [JSON.stringify(v.salt).slice(0, 40), JSON.stringify(v.value).slice(0, 40), v] as const))(
    "bucketOf(%s, %s)",
    (_salt, _value, v) => {
      expect(v.bucket).toBe(Math.floor((v.hash * 100_000) / 2 ** 32));
      expect(bucketOf(v.salt, v.value)).toBe(v.bucket);
    },
  );
});

describe("bucketOf", () => {
  it("property: an integer in [0, 100000), deterministic", () => {
    expect(BUCKETS).toBe(100_000);
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: "binary" }), (salt, value) => {
        const b = bucketOf(salt, value);
        return Number.isInteger(b) && b >= 0 && b < BUCKETS && bucketOf(salt, value) === b;
      }),
      { numRuns: 1000 },
    );
  });

  it("separates salt and value with ':' (so 'a:b'+'c' and 'a'+'b:c' collide, by definition)", () => {
    expect(bucketOf("a:b", "c")).toBe(bucketOf("a", "b:c"));
  });
});

describe("percentageBound: percent → exclusive bucket bound", () => {
  it.each([
    [0, 0],
    [0.001, 1],
    [0.0004, 0],
    [0.0005, 1],
    [0.0015, 2],
    [1, 1000],
    [5, 5000],
    [25, 25_000],
    [33.3333, 33_333],
    [50, 50_000],
    [99.999, 99_999],
    [100, 100_000],
  ])("percentageBound(%d) = %d", (p, bound) => {
    expect(percentageBound(p)).toBe(bound);
  });

  it("every multiple of 0.001 % maps to exactly its bucket count (no float drift)", () => {
    for (let k = 0; k <= 100_000; k++) {
      const b = percentageBound(k / 1000);
      if (b !== k) expect(b, `percentageBound(${k / 1000})`).toBe(k);
    }
  });

  it("property: monotonic and within [0, 100000] over [0, 100]", () => {
    fc.assert(
      fc.property(percentage, percentage, (p, q) => {
        const [lo, hi] = p <= q ? [p, q] : [q, p];
        const a = percentageBound(lo);
        const b = percentageBound(hi);
        return a <= b && a >= 0 && b <= BUCKETS;
      }),
      { numRuns: 2000 },
    );
  });

  it("0 % includes nobody and 100 % includes everybody (via evaluate)", () => {
    const none = rolloutFlag(0);
    const all = rolloutFlag(100);
    for (let i = 0; i < 5000; i++) {
      expect(included(none, `user-${i}`)).toBe(false);
      expect(included(all, `user-${i}`)).toBe(true);
    }
  });

  it("0.001 % includes exactly the contexts in bucket 0", () => {
    const flag = rolloutFlag(0.001, "tiny");
    let zeros = 0;
    for (let i = 0; i < 300_000 && zeros < 2; i++) {
      const k = `u${i}`;
      const inBucketZero = bucketOf("tiny", k) === 0;
      if (inBucketZero) zeros++;
      if (included(flag, k) !== inBucketZero) expect(included(flag, k), k).toBe(inBucketZero);
    }
    expect(zeros).toBeGreaterThan(0);
  });
});

describe("rollouts ramp monotonically (via evaluate)", () => {
  it("property: included iff bucket < round(percentage * 1000)", () => {
    fc.assert(
      fc.property(key, percentage, (k, p) => included(rolloutFlag(p), k) === bucketOf("ramp", k) < Math.round(p * 1000)),
      { numRuns: 2000 },
    );
  });

  it("property: included at p % ⇒ included at every q ≥ p", () => {
    fc.assert(
      fc.property(key, percentage, percentage, (k, a, b) => {
        const [p, q] = a <= b ? [a, b] : [b, a];
        return !included(rolloutFlag(p), k) || included(rolloutFlag(q), k);
      }),
      { numRuns: 2000 },
    );
  });

  it("the SAFE ramp only ever adds contexts, in the expected proportions", () => {
    const stages = [0, 5, 10, 25, 50, 75, 100].map((p) => rolloutFlag(p, "checkout_v2"));
    const n = 20_000;
    let previous = new Set<number>();
    for (const [s, flag] of stages.entries()) {
      const now = new Set<number>();
      for (let i = 0; i < n; i++) if (included(flag, `user-${i}`)) now.add(i);
      for (const i of previous) expect(now.has(i), `user-${i} dropped out at stage ${s}`).toBe(true);
      const p = [0, 5, 10, 25, 50, 75, 100][s]! / 100;
      // 5 standard deviations of a binomial proportion: never flaky, still catches a broken ramp.
      expect(Math.abs(now.size / n - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
      previous = now;
    }
  });
});

/** Upper critical values of the chi-square distribution at p = 0.001. */
const CHI2_CRIT_P001: Record<number, number> = { 1: 10.828, 19: 43.82, 99: 148.23, 999: 1143.9 };

function chiSquare(observed: readonly number[], expected: number): number {
  return observed.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
}

describe("uniformity", () => {
  const families: [string, (i: number) => string][] = [
    ["sequential user-i", (i) => `user-${i}`],
    ["bare integers", (i) => String(i)],
    ["email-like", (i) => `person${i}@example.com`],
  ];

  it.each(families)("chi-square over 100,000 %s keys into 100 bins (df 99, p 0.001)", (_name, keyOf) => {
    const n = 100_000;
    const bins = new Array<number>(100).fill(0);
    for (let i = 0; i < n; i++) bins[Math.floor(bucketOf("checkout_v2", keyOf(i)) / 1000)]!++;
    const x2 = chiSquare(bins, n / 100);
    expect(x2).toBeLessThan(CHI2_CRIT_P001[99]!);
    // ...and not suspiciously perfect either (lower tail, p 0.001 → ~61.9).
    expect(x2).toBeGreaterThan(61.9);
  });

  it("chi-square over 200,000 keys into 1000 bins (df 999, p 0.001)", () => {
    const n = 200_000;
    const bins = new Array<number>(1000).fill(0);
    for (let i = 0; i < n; i++) bins[Math.floor(bucketOf("demo_banner_color", `k${i}`) / 100)]!++;
    expect(chiSquare(bins, n / 1000)).toBeLessThan(CHI2_CRIT_P001[999]!);
  });

  it("the fine resolution is used: the lowest 0.1 % (buckets 0-99) are hit evenly", () => {
    // ~1,000 of 1,000,000 keys land in buckets 0-99; 20 bins of 5 buckets, ~50 expected each.
    const n = 1_000_000;
    const bins = new Array<number>(20).fill(0);
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const b = bucketOf("fine", `u${i}`);
      if (b < 100) {
        bins[Math.floor(b / 5)]!++;
        hits++;
      }
    }
    expect(Math.abs(hits - 1000)).toBeLessThan(5 * Math.sqrt(1000));
    expect(chiSquare(bins, hits / 20)).toBeLessThan(CHI2_CRIT_P001[19]!);
  });
});

describe("independence across salts", () => {
  const pairs: [string, string][] = [
    ["checkout_v2", "demo_banner_color"],
    ["flag-a", "flag-b"],
    ["a", "b"],
    ["salt", "salt2"],
  ];

  it.each(pairs)("inclusion at 50 percent, salt %s vs salt %s: 2x2 chi-square (df 1, p 0.001) over 40k keys", (a, b) => {
    const n = 40_000;
    const cells = [0, 0, 0, 0]; // [inA&inB, inA&!inB, !inA&inB, !inA&!inB]
    for (let i = 0; i < n; i++) {
      const k = `user-${i}`;
      const inA = bucketOf(a, k) < 50_000;
      const inB = bucketOf(b, k) < 50_000;
      cells[(inA ? 0 : 2) + (inB ? 0 : 1)]!++;
    }
    const [ab, aNotB, notAB, neither] = cells as [number, number, number, number];
    const rowA = ab + aNotB;
    const rowNotA = notAB + neither;
    const colB = ab + notAB;
    const colNotB = aNotB + neither;
    const expected = [(rowA * colB) / n, (rowA * colNotB) / n, (rowNotA * colB) / n, (rowNotA * colNotB) / n];
    const x2 = cells.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
    expect(x2).toBeLessThan(CHI2_CRIT_P001[1]!);
  });

  it("bucket correlation between two salts is ~0 (|r| < 5/sqrt(n)) over 40k keys", () => {
    const n = 40_000;
    let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (let i = 0; i < n; i++) {
      const x = bucketOf("checkout_v2", `user-${i}`);
      const y = bucketOf("checkout_v3", `user-${i}`);
      sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
    const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    expect(Math.abs(r)).toBeLessThan(5 / Math.sqrt(n));
  });

  it("a 10 % rollout under one salt says nothing about another: overlap ≈ 1 %", () => {
    const n = 40_000;
    let both = 0;
    for (let i = 0; i < n; i++) {
      const k = `user-${i}`;
      if (bucketOf("flag-x", k) < 10_000 && bucketOf("flag-y", k) < 10_000) both++;
    }
    const p = 0.01;
    expect(Math.abs(both / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });
});
