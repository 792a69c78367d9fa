import fc from "fast-check";
import { describe, expect, it } from "vitest";
import flagsJson from "../../config/flags.json";
import { bucketOf } from "../../src/domain/bucket.js";
import type { EvaluationContext } from "../../src/domain/conditions.js";
import { evaluate, type Evaluation } from "../../src/domain/evaluate.js";
import { Flag, FlagSet, type Condition, type FlagInput } from "../../src/domain/flag.js";
import { booleanFlag } from "../support/flags.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");

function boolFlag(over: Partial<FlagInput> = {}): Flag {
  return Flag.parse(booleanFlag("f", { fallthrough: { variant: "off" }, ...over }));
}

function stringFlag(over: Partial<FlagInput> = {}): Flag {
  return Flag.parse({
    key: "s",
    type: "string",
    variants: { a: "A", b: "B", c: "C", off: "OFF" },
    offVariant: "off",
    enabled: true,
    fallthrough: { variant: "off" },
    ...over,
  } satisfies FlagInput);
}

/** A flag that serves "on" iff the one condition matches. */
function conditionFlag(condition: Condition | Omit<Condition, "values">): Flag {
  return boolFlag({ rules: [{ id: "r", when: [condition as Condition], serve: { variant: "on" } }] });
}

function matches(condition: Condition | Omit<Condition, "values">, context: EvaluationContext): boolean {
  const result = evaluate(conditionFlag(condition), context, NOW);
  expect(result.reason === "TARGETING_MATCH" || result.reason === "STATIC").toBe(true);
  return result.variant === "on";
}

type Scalar = string | number | boolean;
type Case = [op: Condition["op"], values: Scalar[], actual: unknown, expected: boolean];

// [op, condition values, context attribute value, matches?]
const OPERATOR_CASES: Case[] = [
  // eq / neq: strict, no coercion
  ["eq", ["gold"], "gold", true],
  ["eq", ["gold"], "Gold", false],
  ["eq", ["gold"], "gold ", false],
  ["eq", [42], 42, true],
  ["eq", [42], 42.5, false],
  ["eq", [0], -0, true],
  ["eq", [true], true, true],
  ["eq", [true], false, false],
  ["eq", [""], "", true],
  ["neq", ["gold"], "silver", true],
  ["neq", ["gold"], "gold", false],
  ["neq", [1], 2, true],
  ["neq", [false], false, false],
  // in / notIn
  ["in", ["beta", "alpha"], "beta", true],
  ["in", ["beta", "alpha"], "alpha", true],
  ["in", ["beta", "alpha"], "gamma", false],
  ["in", [1, 2, 3], 2, true],
  ["in", [1, 2, 3], 4, false],
  ["in", [true], true, true],
  ["notIn", ["XX", "YY"], "DE", true],
  ["notIn", ["XX", "YY"], "XX", false],
  ["notIn", [1, 2], 3, true],
  ["notIn", [1, 2], 1, false],
  // contains / startsWith / endsWith (strings only; any of the values)
  ["contains", ["@example"], "ann@example.com", true],
  ["contains", ["@example"], "ann@other.com", false],
  ["contains", ["x", "@other"], "ann@other.com", true],
  ["contains", [""], "anything", true],
  ["startsWith", ["ann"], "ann@example.com", true],
  ["startsWith", ["bob", "ann"], "ann@example.com", true],
  ["startsWith", ["example"], "ann@example.com", false],
  ["endsWith", ["@example.com"], "ann@example.com", true],
  ["endsWith", ["@example.org", "@example.com"], "ann@example.com", true],
  ["endsWith", ["@example.com"], "ann@example.com.evil", false],
  ["contains", ["日本"], "こんにちは日本", true],
  ["endsWith", ["🚀"], "go 🚀", true],
  // lt / lte / gt / gte (numbers only)
  ["lt", [18], 17, true],
  ["lt", [18], 18, false],
  ["lt", [18], 19, false],
  ["lt", [0], -0.5, true],
  ["lte", [18], 18, true],
  ["lte", [18], 18.0001, false],
  ["gt", [18], 19, true],
  ["gt", [18], 18, false],
  ["gte", [18], 18, true],
  ["gte", [18], 17.999, false],
  ["gte", [1.5], 1.5, true],
  // semver
  ["semverEq", ["1.2.3"], "1.2.3", true],
  ["semverEq", ["1.2.3"], "v1.2.3", true],
  ["semverEq", ["1.2.3"], "1.2.3+build.7", true],
  ["semverEq", ["1.2.3"], "1.2.4", false],
  ["semverEq", ["1.2.3"], "1.2.3-rc.1", false],
  ["semverLt", ["2.0.0"], "1.99.99", true],
  ["semverLt", ["2.0.0"], "2.0.0-rc.1", true],
  ["semverLt", ["2.0.0"], "2.0.0", false],
  ["semverLt", ["1.10.0"], "1.9.0", true],
  ["semverGt", ["2.0.0"], "2.0.1", true],
  ["semverGt", ["2.0.0"], "10.0.0", true],
  ["semverGt", ["2.0.0"], "2.0.0", false],
  ["semverGt", ["2.0.0"], "2.0.0-beta", false],
  ["semverGt", ["2.0.0"], "not-a-version", false],
  ["semverGt", ["not-a-version"], "3.0.0", false],
  // before / after (ISO-8601 or epoch ms)
  ["before", ["2026-01-01T00:00:00Z"], "2025-12-31T23:59:59Z", true],
  ["before", ["2026-01-01T00:00:00Z"], "2026-01-01T00:00:00Z", false],
  ["before", ["2026-01-01T00:00:00Z"], "2026-01-01T00:00:01Z", false],
  ["before", ["2026-01-01T00:00:00Z"], Date.parse("2025-06-01T00:00:00Z"), true],
  ["before", [Date.parse("2026-01-01T00:00:00Z")], "2025-06-01T00:00:00Z", true],
  ["before", ["2026-01-01T01:00:00+01:00"], "2025-12-31T23:59:59Z", true],
  ["after", ["2026-01-01T00:00:00Z"], "2026-01-01T00:00:01Z", true],
  ["after", ["2026-01-01T00:00:00Z"], "2026-01-01T00:00:00Z", false],
  ["after", ["2026-01-01T00:00:00Z"], "2025-01-01T00:00:00Z", false],
  ["after", [Date.parse("2026-01-01T00:00:00Z")], Date.parse("2026-02-01T00:00:00Z"), true],
  ["after", ["2026-01-01T00:00:00Z"], "not a date", false],
  ["before", ["not a date"], "2020-01-01T00:00:00Z", false],
  ["after", ["2026-01-01T00:00:00Z"], true, false],
];

// No cross-type coercion: a number never equals a string, a boolean never equals "true", …
const NO_COERCION_CASES: Case[] = [
  ["eq", ["1"], 1, false],
  ["eq", [1], "1", false],
  ["eq", [true], "true", false],
  ["eq", ["true"], true, false],
  ["eq", [0], false, false],
  ["eq", [""], 0, false],
  ["neq", ["1"], 1, true],
  ["in", ["1", "2"], 1, false],
  ["in", [1, 2], "1", false],
  ["in", [true], 1, false],
  ["notIn", ["1"], 1, true],
  ["contains", ["2"], 123, false],
  ["startsWith", ["1"], 123, false],
  ["endsWith", ["3"], 123, false],
  ["contains", ["true"], true, false],
  ["lt", [10], "5", false],
  ["lt", ["10"], 5, false],
  ["gt", [0], true, false],
  ["gte", [0], "0", false],
  ["lte", [1], false, false],
  ["semverEq", ["1.0.0"], 1, false],
  ["semverGt", ["1.0.0"], 2, false],
  ["eq", ["[object Object]"], {}, false],
  ["eq", ["a"], { toString: "a" }, false],
];

describe("operators (table)", () => {
  it.each(OPERATOR_CASES)("%s %j vs %j → %s", (op, values, actual, expected) => {
    expect(matches({ attribute: "x", op, values }, { x: actual })).toBe(expected);
  });

  it.each(NO_COERCION_CASES)("no coercion: %s %j vs %j → %s", (op, values, actual, expected) => {
    expect(matches({ attribute: "x", op, values }, { x: actual })).toBe(expected);
  });

  it("exists: any non-null value, including falsy ones and empty containers", () => {
    for (const v of ["", 0, false, [], {}, "x", 1, [null]]) {
      expect(matches({ attribute: "x", op: "exists" }, { x: v }), JSON.stringify(v)).toBe(true);
    }
  });

  it("every operator is covered by the table", () => {
    const covered = new Set([...OPERATOR_CASES, ...NO_COERCION_CASES].map((c) => c[0]));
    covered.add("exists");
    const all = ["eq", "neq", "in", "notIn", "contains", "startsWith", "endsWith", "lt", "lte", "gt", "gte", "semverEq", "semverLt", "semverGt", "before", "after", "exists"];
    expect([...covered].sort()).toEqual([...all].sort());
  });

  it("before/after accept ISO-8601 date-times, ISO dates and epoch ms", () => {
    expect(matches({ attribute: "x", op: "before", values: ["2026-01-01T00:00:00Z"] }, { x: "2025-12-31" })).toBe(true);
    expect(matches({ attribute: "x", op: "after", values: ["2026-01-01"] }, { x: "2026-01-01T00:00:00.001Z" })).toBe(true);
    expect(matches({ attribute: "x", op: "after", values: [0] }, { x: 1 })).toBe(true);
  });

  // Regression: V8's Date.parse alone reads "1", "1.2.3" or "foo 2020" as dates; only ISO-8601
  // strings and epoch milliseconds count.
  it("before/after do not read non-ISO strings (numbers-as-strings, versions, prose) as dates", () => {
    for (const x of ["1", "0", "12", "1.2.3", "Version 2", "foo 2020"]) {
      expect(matches({ attribute: "x", op: "before", values: ["2026-01-01T00:00:00Z"] }, { x }), `${x} before 2026`).toBe(false);
      expect(matches({ attribute: "x", op: "after", values: ["1990-01-01T00:00:00Z"] }, { x }), `${x} after 1990`).toBe(false);
    }
  });

  it("conditions read top-level attributes only (no dotted paths)", () => {
    expect(matches({ attribute: "user.plan", op: "eq", values: ["gold"] }, { user: { plan: "gold" } })).toBe(false);
    expect(matches({ attribute: "user.plan", op: "eq", values: ["gold"] }, { "user.plan": "gold" })).toBe(true);
  });

  it("all conditions of a rule must match (AND)", () => {
    const flag = boolFlag({
      rules: [
        {
          id: "both",
          when: [
            { attribute: "plan", op: "eq", values: ["gold"] },
            { attribute: "age", op: "gte", values: [18] },
          ],
          serve: { variant: "on" },
        },
      ],
    });
    expect(evaluate(flag, { plan: "gold", age: 30 }, NOW).variant).toBe("on");
    expect(evaluate(flag, { plan: "gold", age: 10 }, NOW).variant).toBe("off");
    expect(evaluate(flag, { plan: "free", age: 30 }, NOW).variant).toBe("off");
    expect(evaluate(flag, { age: 30 }, NOW).variant).toBe("off");
  });

  it("a rule with no conditions always matches", () => {
    const flag = boolFlag({ rules: [{ id: "all", when: [], serve: { variant: "on" } }] });
    expect(evaluate(flag, {}, NOW)).toMatchObject({ variant: "on", reason: "TARGETING_MATCH" });
  });
});

describe("array attributes", () => {
  const cases: Case[] = [
    ["eq", ["b"], ["a", "b"], true],
    ["eq", ["c"], ["a", "b"], false],
    ["neq", ["b"], ["a", "b"], false], // no element may equal
    ["neq", ["c"], ["a", "b"], true],
    ["in", ["x", "b"], ["a", "b"], true],
    ["in", ["x"], ["a", "b"], false],
    ["notIn", ["x", "b"], ["a", "b"], false],
    ["notIn", ["x"], ["a", "b"], true],
    ["contains", ["lph"], ["alpha", "beta"], true],
    ["startsWith", ["be"], ["alpha", "beta"], true],
    ["endsWith", ["ta"], ["alpha", "beta"], true],
    ["endsWith", ["zz"], ["alpha", "beta"], false],
    ["lt", [10], [50, 5], true],
    ["gt", [100], [50, 5], false],
    ["semverGt", ["2.0.0"], ["1.0.0", "3.0.0"], true],
    ["before", ["2026-01-01T00:00:00Z"], ["2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z"], true],
    ["eq", [1], [1, "1"], true],
    ["eq", ["1"], [1, 2], false], // still no coercion inside arrays
    // empty array: no element matches
    ["eq", ["a"], [], false],
    ["in", ["a"], [], false],
    ["neq", ["a"], [], true],
    ["notIn", ["a"], [], true],
    // arrays are flattened one level only
    ["eq", [1], [[1]], false],
  ];
  it.each(cases)("%s %j vs %j → %s", (op, values, actual, expected) => {
    expect(matches({ attribute: "tags", op, values }, { tags: actual })).toBe(expected);
  });
});

describe("missing attributes never match (exists → false)", () => {
  const ops: [Condition["op"], Scalar[]][] = [
    ["eq", ["x"]],
    ["neq", ["x"]],
    ["in", ["x"]],
    ["notIn", ["x"]],
    ["contains", ["x"]],
    ["startsWith", ["x"]],
    ["endsWith", ["x"]],
    ["lt", [1]],
    ["lte", [1]],
    ["gt", [1]],
    ["gte", [1]],
    ["semverEq", ["1.0.0"]],
    ["semverLt", ["1.0.0"]],
    ["semverGt", ["1.0.0"]],
    ["before", ["2026-01-01T00:00:00Z"]],
    ["after", ["2026-01-01T00:00:00Z"]],
  ];
  const contexts: [string, EvaluationContext][] = [
    ["absent", { other: "x" }],
    ["null", { attr: null }],
    ["undefined", { attr: undefined }],
    ["empty context", {}],
  ];
  for (const [label, ctx] of contexts) {
    it.each(ops)(`${label}: %s %j → no match`, (op, values) => {
      expect(matches({ attribute: "attr", op, values }, ctx)).toBe(false);
    });
    it(`${label}: exists → false`, () => {
      expect(matches({ attribute: "attr", op: "exists" }, ctx)).toBe(false);
    });
  }

  // Regression: attributes are own properties; names of Object.prototype members ("constructor",
  // "toString", …) must not be "present" on every context.
  it("attributes named like Object.prototype members are missing on a context without them", () => {
    for (const attribute of ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"]) {
      expect(matches({ attribute, op: "exists" }, {}), `exists ${attribute}`).toBe(false);
      expect(matches({ attribute, op: "neq", values: ["x"] }, {}), `neq ${attribute}`).toBe(false);
      expect(matches({ attribute, op: "notIn", values: ["x"] }, {}), `notIn ${attribute}`).toBe(false);
    }
  });

  it("own attributes with prototype-member names work normally", () => {
    const ctx = JSON.parse('{"constructor": "c", "toString": "t"}') as EvaluationContext;
    expect(matches({ attribute: "constructor", op: "eq", values: ["c"] }, ctx)).toBe(true);
    expect(matches({ attribute: "toString", op: "exists" }, ctx)).toBe(true);
  });
});

describe("rule order and reasons", () => {
  const rules: FlagInput["rules"] = [
    { id: "gold", when: [{ attribute: "plan", op: "eq", values: ["gold"] }], serve: { variant: "a" } },
    { id: "gold-or-silver", when: [{ attribute: "plan", op: "in", values: ["gold", "silver"] }], serve: { variant: "b" } },
    { id: "anyone-with-plan", when: [{ attribute: "plan", op: "exists" }], serve: { variant: "c" } },
  ];

  it("first matching rule wins", () => {
    const flag = stringFlag({ rules });
    expect(evaluate(flag, { plan: "gold" }, NOW)).toMatchObject({ variant: "a", value: "A", reason: "TARGETING_MATCH" });
    expect(evaluate(flag, { plan: "silver" }, NOW)).toMatchObject({ variant: "b", value: "B", reason: "TARGETING_MATCH" });
    expect(evaluate(flag, { plan: "free" }, NOW)).toMatchObject({ variant: "c", value: "C", reason: "TARGETING_MATCH" });
    expect(evaluate(flag, {}, NOW)).toMatchObject({ variant: "off", value: "OFF", reason: "STATIC", metadata: { reason: "DEFAULT" } });
  });

  it("reversing the rules changes the winner", () => {
    const flag = stringFlag({ rules: [...rules!].reverse() });
    expect(evaluate(flag, { plan: "gold" }, NOW).variant).toBe("c");
  });

  it("STATIC when the flag has no rules", () => {
    const result = evaluate(stringFlag({ fallthrough: { variant: "b" } }), { targetingKey: "u1" }, NOW);
    expect(result).toEqual({ key: "s", value: "B", variant: "b", reason: "STATIC" });
  });

  it("STATIC with metadata.reason DEFAULT when rules exist but none match (OFREP's enum has no DEFAULT)", () => {
    const result = evaluate(stringFlag({ rules, fallthrough: { variant: "b" } }), { country: "DE", targetingKey: "u1" }, NOW);
    expect(result).toEqual({ key: "s", value: "B", variant: "b", reason: "STATIC", metadata: { reason: "DEFAULT" } });
  });

  it("TARGETING_MATCH when a rule serves a fixed variant", () => {
    expect(evaluate(stringFlag({ rules }), { plan: "gold" }, NOW)).toEqual({ key: "s", value: "A", variant: "a", reason: "TARGETING_MATCH" });
  });

  it("SPLIT when a split or rollout decides, in a rule or in the fallthrough", () => {
    const split = { split: { a: 50, b: 50 } };
    const rollout = { rollout: { variant: "a", baseline: "b", percentage: 50 } };
    for (const serve of [split, rollout]) {
      expect(evaluate(stringFlag({ fallthrough: serve }), { targetingKey: "u1" }, NOW).reason).toBe("SPLIT");
      const inRule = stringFlag({ rules: [{ id: "r", when: [], serve }] });
      expect(evaluate(inRule, { targetingKey: "u1" }, NOW).reason).toBe("SPLIT");
    }
    // A rollout at 0 % still decided by percentage: baseline with reason SPLIT.
    expect(evaluate(stringFlag({ fallthrough: { rollout: { variant: "a", baseline: "b", percentage: 0 } } }), { targetingKey: "u1" }, NOW)).toEqual({
      key: "s",
      value: "B",
      variant: "b",
      reason: "SPLIT",
    });
  });

  it("DISABLED serves offVariant to everyone, ignoring rules, splits and context", () => {
    const flag = stringFlag({ enabled: false, offVariant: "c", rules, fallthrough: { split: { a: 50, b: 50 } } });
    for (const ctx of [{}, { plan: "gold" }, { targetingKey: "u1" }, { targetingKey: 5, plan: ["gold"] }]) {
      expect(evaluate(flag, ctx, NOW)).toEqual({ key: "s", value: "C", variant: "c", reason: "DISABLED" });
    }
  });

  it("serves values of every type unchanged", () => {
    const num = Flag.parse({ key: "n", type: "number", variants: { small: 10, big: 1e6, neg: -1.5 }, offVariant: "small", enabled: true, fallthrough: { variant: "neg" } });
    expect(evaluate(num, {}, NOW).value).toBe(-1.5);
    const obj = Flag.parse({
      key: "o",
      type: "object",
      variants: { dark: { bg: "#111", nested: { list: [1, 2, { x: null }] } }, light: {} },
      offVariant: "light",
      enabled: true,
      fallthrough: { variant: "dark" },
    });
    expect(evaluate(obj, {}, NOW).value).toEqual({ bg: "#111", nested: { list: [1, 2, { x: null }] } });
    const bool = boolFlag({ fallthrough: { variant: "off" } });
    expect(evaluate(bool, {}, NOW).value).toBe(false);
  });
});

const splitFlag = (split: Record<string, number>, over: Partial<FlagInput> = {}): Flag =>
  stringFlag({ key: "split", salt: "split-salt", fallthrough: { split }, ...over });

describe("splits", () => {
  it("takes cumulative ranges in sorted variant order (JSON key order does not matter)", () => {
    const f1 = splitFlag({ b: 30, a: 70 });
    const f2 = splitFlag({ a: 70, b: 30 });
    for (let i = 0; i < 5000; i++) {
      const k = `user-${i}`;
      const want = bucketOf("split-salt", k) < 70_000 ? "a" : "b";
      expect(evaluate(f1, { targetingKey: k }, NOW).variant).toBe(want);
      expect(evaluate(f2, { targetingKey: k }, NOW).variant).toBe(want);
    }
  });

  it("three-way split: ranges [0, 20000) a, [20000, 50000) b, [50000, 100000) c", () => {
    const flag = splitFlag({ c: 50, a: 20, b: 30 });
    for (let i = 0; i < 5000; i++) {
      const k = `k${i}`;
      const bucket = bucketOf("split-salt", k);
      const want = bucket < 20_000 ? "a" : bucket < 50_000 ? "b" : "c";
      expect(evaluate(flag, { targetingKey: k }, NOW).variant).toBe(want);
    }
  });

  it.each([
    [{ a: 50, b: 50 }],
    [{ a: 10, b: 90 }],
    [{ a: 33.333, b: 33.333, c: 33.334 }],
    [{ a: 1, b: 2, c: 97 }],
    [{ a: 0, b: 25, c: 75 }],
  ])("distribution over 20k keys is close to the weights: %j", (weights) => {
    const flag = splitFlag(weights);
    const n = 20_000;
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const r = evaluate(flag, { targetingKey: `user-${i}` }, NOW);
      expect(r.reason).toBe("SPLIT");
      counts[r.variant!] = (counts[r.variant!] ?? 0) + 1;
    }
    for (const [variant, weight] of Object.entries(weights)) {
      const p = weight / 100;
      const observed = (counts[variant] ?? 0) / n;
      expect(Math.abs(observed - p), `${variant}: ${observed} vs ${p}`).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
      if (weight === 0) expect(counts[variant]).toBeUndefined();
    }
  });

  it("a 100 % weight takes everyone", () => {
    const flag = splitFlag({ a: 0, b: 100 });
    for (let i = 0; i < 2000; i++) expect(evaluate(flag, { targetingKey: `u${i}` }, NOW).variant).toBe("b");
  });

  it("missing targetingKey → ERROR / TARGETING_KEY_MISSING with no value (never value null)", () => {
    const flag = splitFlag({ a: 50, b: 50 });
    for (const ctx of [{}, { targetingKey: "" }, { targetingKey: null }, { targetingKey: true }, { targetingKey: { id: 1 } }, { targetingKey: ["u1"] }, { userId: "u1" }] as EvaluationContext[]) {
      const r = evaluate(flag, ctx, NOW);
      expect(r.reason, JSON.stringify(ctx)).toBe("ERROR");
      expect(r.errorCode).toBe("TARGETING_KEY_MISSING");
      expect(typeof r.errorDetails).toBe("string");
      expect("value" in r).toBe(false);
      expect(r.variant).toBeUndefined();
    }
  });

  it("missing custom bucketBy attribute → ERROR / INVALID_CONTEXT", () => {
    const flag = splitFlag({ a: 50, b: 50 }, { bucketBy: "orgId" });
    const r = evaluate(flag, { targetingKey: "u1" }, NOW);
    expect(r).toMatchObject({ reason: "ERROR", errorCode: "INVALID_CONTEXT" });
    expect(r.errorDetails).toContain("orgId");
    expect("value" in r).toBe(false);
  });

  it("a rule that serves a split reports the split's error too", () => {
    const flag = stringFlag({ rules: [{ id: "r", when: [{ attribute: "plan", op: "eq", values: ["x"] }], serve: { split: { a: 50, b: 50 } } }] });
    expect(evaluate(flag, { plan: "x" }, NOW)).toMatchObject({ reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" });
    expect(evaluate(flag, { plan: "y" }, NOW)).toMatchObject({ reason: "STATIC", variant: "off", metadata: { reason: "DEFAULT" } });
  });
});

const rolloutFlag = (rollout: Partial<{ percentage: number; startAt: string | number; endAt: string | number }>, over: Partial<FlagInput> = {}): Flag =>
  boolFlag({ key: "ro", salt: "ro-salt", fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 50, ...rollout } }, ...over });

describe("rollouts", () => {
  it("serves variant iff bucket < round(percentage × 1000)", () => {
    const flag = rolloutFlag({ percentage: 37.5 });
    for (let i = 0; i < 5000; i++) {
      const k = `user-${i}`;
      const r = evaluate(flag, { targetingKey: k }, NOW);
      expect(r.variant).toBe(bucketOf("ro-salt", k) < 37_500 ? "on" : "off");
      expect(r.reason).toBe("SPLIT");
    }
  });

  it.each([[{}], [{ targetingKey: "" }], [{ targetingKey: null }], [{ targetingKey: false }], [{ targetingKey: [] }], [{ other: "u1" }]])(
    "missing targetingKey %j → baseline, reason STATIC, metadata reason DEFAULT and bucketAttributeMissing",
    (ctx) => {
      for (const percentage of [0, 50, 100]) {
        expect(evaluate(rolloutFlag({ percentage }), ctx as EvaluationContext, NOW)).toEqual({
          key: "ro",
          value: false,
          variant: "off",
          reason: "STATIC",
          metadata: { reason: "DEFAULT", bucketAttributeMissing: "targetingKey" },
        });
      }
    },
  );

  it("missing custom bucketBy attribute → baseline with metadata naming it (never bucket 0)", () => {
    const flag = rolloutFlag({ percentage: 100 }, { bucketBy: "orgId" });
    expect(evaluate(flag, { targetingKey: "u1" }, NOW)).toEqual({
      key: "ro",
      value: false,
      variant: "off",
      reason: "STATIC",
      metadata: { reason: "DEFAULT", bucketAttributeMissing: "orgId" },
    });
  });

  it("non-finite numbers are missing, not bucket 0", () => {
    const flag = rolloutFlag({ percentage: 100 });
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(evaluate(flag, { targetingKey: v }, NOW)).toMatchObject({ variant: "off", reason: "STATIC", metadata: { reason: "DEFAULT" } });
    }
  });

  it("a numeric bucket attribute buckets like its decimal string", () => {
    const flag = rolloutFlag({ percentage: 50 }, { bucketBy: "orgId" });
    for (const n of [0, 1, 7, 42, -3, 1.5, 123456789, 1e21]) {
      const asNumber = evaluate(flag, { orgId: n }, NOW);
      const asString = evaluate(flag, { orgId: String(n) }, NOW);
      expect(asNumber.reason).toBe("SPLIT");
      expect(asNumber).toBe(asString);
      expect(asNumber.variant).toBe(bucketOf("ro-salt", String(n)) < 50_000 ? "on" : "off");
    }
    const split = splitFlag({ a: 50, b: 50 }, { bucketBy: "orgId" });
    expect(evaluate(split, { orgId: 7 }, NOW)).toBe(evaluate(split, { orgId: "7" }, NOW));
  });

  it("bucketBy another attribute ignores targetingKey", () => {
    const flag = rolloutFlag({ percentage: 50 }, { bucketBy: "orgId" });
    for (let i = 0; i < 500; i++) {
      const org = `org-${i}`;
      const a = evaluate(flag, { targetingKey: "alice", orgId: org }, NOW);
      const b = evaluate(flag, { targetingKey: "bob", orgId: org }, NOW);
      expect(a).toBe(b);
    }
  });

  it("salt stability: renaming the key with the same salt keeps every assignment", () => {
    const before = rolloutFlag({ percentage: 50 }, { key: "checkout_v2", salt: "checkout_v2" });
    const after = rolloutFlag({ percentage: 50 }, { key: "checkout_v3_renamed", salt: "checkout_v2" });
    const split1 = splitFlag({ a: 30, b: 30, c: 40 }, { key: "old", salt: "keep" });
    const split2 = splitFlag({ a: 30, b: 30, c: 40 }, { key: "new", salt: "keep" });
    for (let i = 0; i < 3000; i++) {
      const ctx = { targetingKey: `user-${i}` };
      expect(evaluate(after, ctx, NOW).variant).toBe(evaluate(before, ctx, NOW).variant);
      expect(evaluate(split2, ctx, NOW).variant).toBe(evaluate(split1, ctx, NOW).variant);
    }
  });

  it("the salt defaults to the key", () => {
    const implicit = boolFlag({ key: "some_flag", fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 50 } } });
    const explicit = boolFlag({ key: "renamed", salt: "some_flag", fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 50 } } });
    const other = boolFlag({ key: "renamed", fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 50 } } });
    let differs = 0;
    for (let i = 0; i < 2000; i++) {
      const ctx = { targetingKey: `user-${i}` };
      expect(evaluate(explicit, ctx, NOW).variant).toBe(evaluate(implicit, ctx, NOW).variant);
      if (evaluate(other, ctx, NOW).variant !== evaluate(implicit, ctx, NOW).variant) differs++;
    }
    expect(differs).toBeGreaterThan(500); // a different salt reshuffles (~50 % differ)
  });
});

describe("time-scheduled rollouts", () => {
  const start = Date.parse("2026-12-01T00:00:00Z");
  const end = Date.parse("2026-12-11T00:00:00Z"); // 10 days
  const keys = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
  const share = (flag: Flag, now: number): number => keys.filter((k) => evaluate(flag, { targetingKey: k }, now).variant === "on").length / keys.length;

  for (const [label, startAt, endAt] of [
    ["ISO strings", "2026-12-01T00:00:00Z", "2026-12-11T00:00:00Z"],
    ["epoch ms", start, end],
    ["ISO with offset", "2026-12-01T01:00:00+01:00", "2026-12-10T19:00:00-05:00"],
  ] as const) {
    it(`ramps linearly from 0 at startAt to the percentage at endAt (${label})`, () => {
      const flag = rolloutFlag({ percentage: 100, startAt, endAt });
      expect(share(flag, start - 86_400_000)).toBe(0);
      expect(share(flag, start)).toBe(0);
      expect(share(flag, end)).toBe(1);
      expect(share(flag, end + 365 * 86_400_000)).toBe(1);
      for (const fraction of [0.1, 0.25, 0.5, 0.9]) {
        const observed = share(flag, start + fraction * (end - start));
        expect(Math.abs(observed - fraction), `at ${fraction}`).toBeLessThanOrEqual(5 * Math.sqrt((fraction * (1 - fraction)) / keys.length));
      }
    });
  }

  it("ramps to the rollout's percentage, not to 100 %", () => {
    const flag = rolloutFlag({ percentage: 40, startAt: start, endAt: end });
    expect(share(flag, end + 1)).toBeCloseTo(share(rolloutFlag({ percentage: 40 }), NOW), 10);
    const mid = share(flag, (start + end) / 2);
    expect(Math.abs(mid - 0.2)).toBeLessThan(5 * Math.sqrt((0.2 * 0.8) / keys.length));
  });

  it("exact bound: included iff bucket < round(percentage × elapsed/duration × 1000)", () => {
    const flag = rolloutFlag({ percentage: 60, startAt: start, endAt: end });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: start - 1000, max: end + 1000 }), (k, now) => {
        const fraction = Math.min(1, Math.max(0, (now - start) / (end - start)));
        const bound = Math.round(60 * fraction * 1000);
        return (evaluate(flag, { targetingKey: k }, now).variant === "on") === bucketOf("ro-salt", k) < bound;
      }),
      { numRuns: 1000 },
    );
  });

  it("property: once included, a context stays included as time passes", () => {
    const flag = rolloutFlag({ percentage: 100, startAt: start, endAt: end });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: start - 10, max: end + 10 }), fc.integer({ min: start - 10, max: end + 10 }), (k, t1, t2) => {
        const [a, b] = t1 <= t2 ? [t1, t2] : [t2, t1];
        return evaluate(flag, { targetingKey: k }, a).variant !== "on" || evaluate(flag, { targetingKey: k }, b).variant === "on";
      }),
      { numRuns: 1000 },
    );
  });
});

describe("results are frozen and shared", () => {
  it("evaluating twice returns the identical frozen object for fixed outcomes", () => {
    const flags = [
      boolFlag(),
      boolFlag({ enabled: false }),
      stringFlag({ rules: [{ id: "r", when: [{ attribute: "plan", op: "eq", values: ["gold"] }], serve: { variant: "a" } }] }),
      rolloutFlag({ percentage: 50 }),
      splitFlag({ a: 50, b: 50 }),
    ];
    const contexts: EvaluationContext[] = [{}, { targetingKey: "u1" }, { targetingKey: "u2", plan: "gold" }, { plan: "gold" }];
    for (const flag of flags) {
      for (const ctx of contexts) {
        const first = evaluate(flag, ctx, NOW);
        const second = evaluate(flag, { ...ctx }, NOW);
        expect(second).toBe(first);
        expect(Object.isFrozen(first)).toBe(true);
        if (first.metadata) expect(Object.isFrozen(first.metadata)).toBe(true);
      }
    }
  });

  it("different contexts with the same outcome share one object", () => {
    const flag = boolFlag({ fallthrough: { variant: "on" } });
    expect(evaluate(flag, { targetingKey: "a" }, NOW)).toBe(evaluate(flag, { targetingKey: "b", x: 1 }, NOW + 1));
  });

  it("mutating a result throws in strict mode and changes nothing", () => {
    const flag = boolFlag();
    const r = evaluate(flag, {}, NOW) as { value: unknown };
    expect(() => {
      r.value = "hacked";
    }).toThrow(TypeError);
    expect(evaluate(flag, {}, NOW).value).toBe(false);
  });
});

describe("property: evaluation never throws and always has a reason", () => {
  const REPRESENTATIVE: Flag[] = [
    ...FlagSet.parse(flagsJson).flags,
    stringFlag({
      key: "every-op",
      rules: [
        ...(
          [
            ["eq", ["x"]], ["neq", ["x"]], ["in", ["x", 1, true]], ["notIn", ["y", 2]], ["contains", ["a"]],
            ["startsWith", ["a"]], ["endsWith", ["z"]], ["lt", [0]], ["lte", [1]], ["gt", [100]], ["gte", [50]],
            ["semverEq", ["1.0.0"]], ["semverLt", ["1.0.0-rc.1"]], ["semverGt", ["2.0.0"]],
            ["before", ["2020-01-01T00:00:00Z"]], ["after", [1_700_000_000_000]],
          ] as [Condition["op"], Scalar[]][]
        ).map(([op, values], i) => ({ id: `r${i}`, when: [{ attribute: ["a", "b", "c", "targetingKey", "constructor"][i % 5]!, op, values }], serve: { variant: "a" } })),
        { id: "ex", when: [{ attribute: "d", op: "exists" }], serve: { split: { a: 40, b: 60 } } },
        { id: "ro", when: [{ attribute: "e", op: "exists" }], serve: { rollout: { variant: "c", baseline: "b", percentage: 12.5 } } },
      ],
      fallthrough: { split: { a: 20, b: 30, c: 50 } },
    }),
    rolloutFlag({ percentage: 50 }, { bucketBy: "orgId" }),
    rolloutFlag({ percentage: 80, startAt: "2026-01-01T00:00:00Z", endAt: "2027-01-01T00:00:00Z" }),
    splitFlag({ a: 50, b: 50 }, { bucketBy: "a" }),
  ];

  const attrNames = fc.constantFrom("a", "b", "c", "d", "e", "orgId", "targetingKey", "plan", "country", "email", "appVersion", "constructor", "__proto__", "toString");
  const attrValue = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom("x", "y", "a", "abz", 1, 0, -1, 100, true, false, null, "1.0.0", "2.0.1", "1.0.0-rc.0", "2021-01-01T00:00:00Z", "beta", "XX", "ann@example.com", [], ["x", 1]),
  );
  const targetingKey = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue());
  const context: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc.tuple(fc.dictionary(attrNames, attrValue), fc.option(targetingKey, { nil: undefined })).map(([d, tk]) => (tk === undefined ? d : { ...d, targetingKey: tk })),
    fc.dictionary(fc.string(), fc.jsonValue(), { noNullPrototype: true }), // ordinary objects, like JSON.parse gives
  );
  // OFREP 0.3.0's closed success enum (less UNKNOWN, which edgeflags never answers), plus ERROR on failures.
  const REASONS = new Set(["STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED", "ERROR"]);

  function check(flag: Flag, result: Evaluation): boolean {
    expect(result).toBeTypeOf("object");
    expect(REASONS.has(result.reason), result.reason).toBe(true);
    expect(result.key).toBe(flag.key);
    if (result.reason === "ERROR") {
      expect(result.errorCode).toBeDefined();
      expect("value" in result).toBe(false);
    } else {
      expect(result.errorCode).toBeUndefined();
      expect(Object.keys(flag.variants)).toContain(result.variant);
      expect(result.value).toBe(flag.variants[result.variant!]);
      expect(result.value).not.toBeNull();
      expect(result.value).not.toBeUndefined();
    }
    return true;
  }

  it("for any JSON context, at any time", () => {
    fc.assert(
      fc.property(context, fc.integer({ min: 0, max: 4_102_444_800_000 }), (ctx, now) => {
        for (const flag of REPRESENTATIVE) {
          let result!: Evaluation;
          expect(() => {
            result = evaluate(flag, ctx, now);
          }).not.toThrow();
          check(flag, result);
          // deterministic and shared: same inputs → the very same object
          expect(evaluate(flag, ctx, now)).toBe(result);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("for contexts parsed from arbitrary JSON text", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const parsed: unknown = JSON.parse(text);
        const ctx = (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : { targetingKey: parsed }) as EvaluationContext;
        for (const flag of REPRESENTATIVE) check(flag, evaluate(flag, ctx, NOW));
      }),
      { numRuns: 300 },
    );
  });
});
