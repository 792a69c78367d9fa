import { describe, expect, it } from "vitest";
import type { z } from "zod";
import flags from "../../config/flags.json";
import { evaluate } from "../../src/domain/evaluate.js";
import { Condition, Flag, FLAG_KEY_PATTERN, FlagSet, saltOf, type FlagInput } from "../../src/domain/flag.js";
import { booleanFlag } from "../support/flags.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");

/** The documented example (docs/flags.md, "Wire shape"), verbatim. */
const DOCUMENTED_EXAMPLE = {
  key: "checkout_v2",
  type: "boolean",
  variants: { on: true, off: false },
  offVariant: "off",
  enabled: true,
  rules: [{ id: "beta-testers", when: [{ attribute: "plan", op: "in", values: ["beta"] }], serve: { variant: "on" } }],
  fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 25 } },
  salt: "checkout_v2",
  clientSide: true,
  category: "experimental",
  version: 7,
};

const BASE: FlagInput = booleanFlag("f");

interface FlatIssue {
  path: string;
  message: string;
  code: string;
}

/** All issues with dotted paths; union failures are expanded into their branches' issues. */
function issuesOf(schema: z.ZodType, input: unknown): FlatIssue[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  const out: FlatIssue[] = [];
  const walk = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): void => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      out.push({ path: path.map(String).join("."), message: issue.message, code: issue.code });
      if (issue.code === "invalid_union") for (const branch of issue.errors) walk(branch, path);
    }
  };
  walk(result.error.issues, []);
  return out;
}

/** Expect `input` to be rejected with an issue at exactly `path` whose message matches. */
function expectRejected(input: unknown, path: string, message: RegExp, schema: z.ZodType = Flag): void {
  const issues = issuesOf(schema, input);
  expect(issues.length, `expected ${JSON.stringify(input)} to be rejected`).toBeGreaterThan(0);
  expect(issues, JSON.stringify(issues, null, 2)).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) }));
}

const withRule = (condition: unknown): unknown => ({ ...BASE, rules: [{ id: "r", when: [condition], serve: { variant: "on" } }] });

describe("accepts", () => {
  it("the documented example, applying defaults", () => {
    const flag = Flag.parse(DOCUMENTED_EXAMPLE);
    expect(flag).toMatchObject(DOCUMENTED_EXAMPLE);
    expect(flag.bucketBy).toBe("targetingKey");
    expect(flag.tags).toEqual([]);
    expect(flag.rules[0]!.when[0]!.values).toEqual(["beta"]);
    expect(saltOf(flag)).toBe("checkout_v2");
  });

  it("a minimal flag, with documented defaults", () => {
    const flag = Flag.parse(BASE);
    expect(flag).toMatchObject({ rules: [], bucketBy: "targetingKey", clientSide: false, category: "general", tags: [], version: 0 });
    expect(flag.salt).toBeUndefined();
    expect(saltOf(flag)).toBe("f");
  });

  it("every flag in config/flags.json (FlagSet.parse)", () => {
    const set = FlagSet.parse(flags);
    expect(set.flags.length).toBe(flags.flags.length);
    for (const flag of set.flags) expect(Flag.safeParse(flag).success, flag.key).toBe(true);
  });

  it("extra fields are fine", () => {
    expect(Flag.safeParse({ ...DOCUMENTED_EXAMPLE, createdBy: "someone", x: { y: 1 } }).success).toBe(true);
  });

  it.each([
    ["a"],
    ["A"],
    ["0"],
    ["checkout_v2"],
    ["checkout-v2.beta"],
    ["a".repeat(128)],
    ["9._-"],
  ])("key %j", (key) => {
    expect(Flag.safeParse({ ...BASE, key }).success).toBe(true);
  });

  it("every serve kind, split weights with decimals, and all variant types", () => {
    for (const input of [
      { ...BASE, fallthrough: { split: { on: 33.3, off: 66.7 } } },
      { ...BASE, fallthrough: { split: { on: 100 } } },
      { ...BASE, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 0 } } },
      { ...BASE, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 100, startAt: "2026-01-01T00:00:00Z", endAt: "2026-01-02T00:00:00+02:00" } } },
      { ...BASE, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 5, startAt: 0, endAt: 1 } } },
      { ...BASE, type: "string", variants: { a: "", b: "x" }, offVariant: "a", fallthrough: { variant: "b" } },
      { ...BASE, type: "number", variants: { a: 0, b: -1.5 }, offVariant: "a", fallthrough: { variant: "b" } },
      { ...BASE, type: "object", variants: { a: {}, b: { x: [1, null, { y: "z" }] } }, offVariant: "a", fallthrough: { variant: "b" } },
    ]) {
      const r = Flag.safeParse(input);
      expect(r.success, `${JSON.stringify(input)}: ${r.error?.message}`).toBe(true);
    }
  });
});

describe("the 15 required default flags (config/flags.json)", () => {
  const byKey = new Map(FlagSet.parse(flags).flags.map((f) => [f.key, f]));
  const CRITICAL = [
    "orchestration_enabled",
    "security_hardening_enabled",
    "llm_integration_enabled",
    "error_handling_enabled",
    "otel_enabled",
    "performance_optimizations_enabled",
    "reward_learning_enabled",
    "phase_1_complete",
    "phase_2_complete",
    "phase_3_complete",
  ];
  const EXPERIMENTAL = ["aatc_system_enabled", "phase_4_deployment"];
  const SAFETY = ["emergency_shutdown", "read_only_mode", "maintenance_mode"];

  it("all 15 exist, as boolean on/off flags", () => {
    expect(CRITICAL.length + EXPERIMENTAL.length + SAFETY.length).toBe(15);
    for (const key of [...CRITICAL, ...EXPERIMENTAL, ...SAFETY]) {
      const flag = byKey.get(key);
      expect(flag, key).toBeDefined();
      expect(flag!.type).toBe("boolean");
      expect(flag!.variants).toEqual({ on: true, off: false });
      expect(flag!.offVariant).toBe("off");
      expect(saltOf(flag!)).toBe(key);
    }
  });

  it.each(CRITICAL)("critical %s: enabled, fallthrough {variant: on}, serves true", (key) => {
    const flag = byKey.get(key)!;
    expect(flag).toMatchObject({ category: "critical", enabled: true, fallthrough: { variant: "on" } });
    expect(evaluate(flag, { targetingKey: "anyone" }, NOW)).toMatchObject({ value: true, variant: "on", reason: "STATIC" });
    expect(evaluate(flag, {}, NOW)).toMatchObject({ value: true, variant: "on", reason: "STATIC" });
  });

  it.each(EXPERIMENTAL)("experimental %s: enabled, fallthrough rollout at 0 %%, serves false", (key) => {
    const flag = byKey.get(key)!;
    expect(flag).toMatchObject({ category: "experimental", enabled: true, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 0 } } });
    for (let i = 0; i < 1000; i++) expect(evaluate(flag, { targetingKey: `user-${i}` }, NOW).value).toBe(false);
  });

  it.each(SAFETY)("safety %s: enabled false, fallthrough {variant: on}, off until enabled", (key) => {
    const flag = byKey.get(key)!;
    expect(flag).toMatchObject({ category: "safety", enabled: false, fallthrough: { variant: "on" } });
    expect(evaluate(flag, { targetingKey: "anyone" }, NOW)).toMatchObject({ value: false, variant: "off", reason: "DISABLED" });
    // The kill switch is one toggle: enabling it turns it on for everyone.
    const enabled = Flag.parse({ ...flag, enabled: true });
    expect(evaluate(enabled, {}, NOW)).toMatchObject({ value: true, variant: "on", reason: "STATIC" });
  });

  it("flag keys in config are unique and match the key pattern", () => {
    const keys = flags.flags.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(FLAG_KEY_PATTERN);
  });
});

describe("rejects, with a clear path", () => {
  it.each([[""], ["-leading-dash"], ["_leading_underscore"], [".dot"], ["has space"], ["slash/inside"], ["a".repeat(129)], ["é"], ["emoji🚀"], ["q?x"], ["a%20b"]])(
    "bad key %j → key",
    (key) => expectRejected({ ...BASE, key }, "key", /must match/),
  );

  it("unknown variant in offVariant", () => expectRejected({ ...BASE, offVariant: "nope" }, "offVariant", /unknown variant "nope"/));

  it("unknown variant in a fixed serve (fallthrough and rule)", () => {
    expectRejected({ ...BASE, fallthrough: { variant: "nope" } }, "fallthrough.variant", /unknown variant/);
    expectRejected({ ...BASE, rules: [{ id: "r", when: [], serve: { variant: "nope" } }] }, "rules.0.serve.variant", /unknown variant/);
  });

  it("unknown variant in a split", () =>
    expectRejected({ ...BASE, fallthrough: { split: { on: 50, nope: 50 } } }, "fallthrough.split.nope", /unknown variant "nope"/));

  it("unknown variant or baseline in a rollout", () => {
    expectRejected({ ...BASE, fallthrough: { rollout: { variant: "nope", baseline: "off", percentage: 5 } } }, "fallthrough.rollout.variant", /unknown variant/);
    expectRejected({ ...BASE, fallthrough: { rollout: { variant: "on", baseline: "nope", percentage: 5 } } }, "fallthrough.rollout.baseline", /unknown variant/);
  });

  // Regression: Object.prototype member names are not variants (the check once used `in`).
  it("variant names that are Object.prototype members are unknown too", () => {
    for (const name of ["toString", "constructor", "valueOf", "hasOwnProperty"]) {
      expectRejected({ ...BASE, offVariant: name }, "offVariant", /unknown variant/);
      expectRejected({ ...BASE, fallthrough: { variant: name } }, "fallthrough.variant", /unknown variant/);
      expectRejected({ ...BASE, fallthrough: { split: { on: 50, [name]: 50 } } }, `fallthrough.split.${name}`, /unknown variant/);
    }
  });

  it.each([
    ["boolean", { on: "true", off: false }, "on"],
    ["boolean", { on: 1, off: false }, "on"],
    ["boolean", { on: {}, off: false }, "on"],
    ["string", { a: 1, b: "x" }, "a"],
    ["string", { a: false, b: "x" }, "a"],
    ["number", { a: "1", b: 2 }, "a"],
    ["number", { a: true, b: 2 }, "a"],
    ["object", { a: "x", b: {} }, "a"],
    ["object", { a: 0, b: {} }, "a"],
  ])("variant value of the wrong type: %s %j", (type, variants, bad) => {
    const names = Object.keys(variants);
    expectRejected(
      { ...BASE, type, variants, offVariant: names[1], fallthrough: { variant: names[1] } },
      `variants.${bad}`,
      new RegExp(`not of type ${type}`),
    );
  });

  // Values that are no flag's type (null, arrays) fail structurally; the path is what matters.
  it.each([
    ["string", { a: null, b: "x" }, "a"],
    ["boolean", { on: null, off: false }, "on"],
    ["object", { a: [1, 2], b: {} }, "a"],
    ["object", { a: null, b: {} }, "a"],
  ])("variant value that no flag type allows: %s %j", (type, variants, bad) => {
    const names = Object.keys(variants);
    expectRejected({ ...BASE, type, variants, offVariant: names[1], fallthrough: { variant: names[1] } }, `variants.${bad}`, /.+/);
  });

  it("no variants at all", () => expectRejected({ ...BASE, variants: {} }, "variants", /at least one variant/));

  it.each([[{ on: 50, off: 40 }], [{ on: 50, off: 51 }], [{ on: 0, off: 0 }], [{}], [{ on: 99.99 }]])("split weights not summing to 100: %j", (split) =>
    expectRejected({ ...BASE, fallthrough: { split } }, "fallthrough.split", /sum to 100/),
  );

  it("split weights outside [0, 100]", () => {
    expectRejected({ ...BASE, fallthrough: { split: { on: 150, off: -50 } } }, "fallthrough.split.on", /.+/);
  });

  it("a serve with two kinds", () => {
    for (const serve of [
      { variant: "on", split: { on: 100 } },
      { variant: "on", rollout: { variant: "on", baseline: "off", percentage: 5 } },
      { split: { on: 100 }, rollout: { variant: "on", baseline: "off", percentage: 5 } },
    ]) {
      const issues = issuesOf(Flag, { ...BASE, fallthrough: serve });
      expect(issues[0]).toMatchObject({ path: "fallthrough", code: "invalid_union" });
      expect(issues.some((i) => i.code === "unrecognized_keys")).toBe(true);
    }
    expectRejected({ ...BASE, fallthrough: {} }, "fallthrough", /.+/);
  });

  it("rollout percentage outside [0, 100]", () => {
    expectRejected({ ...BASE, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 101 } } }, "fallthrough.rollout.percentage", /.+/);
    expectRejected({ ...BASE, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: -1 } } }, "fallthrough.rollout.percentage", /.+/);
  });

  it("eq (and every single-value operator) with 2 values", () => {
    for (const op of ["eq", "neq", "lt", "lte", "gt", "gte", "semverEq", "semverLt", "semverGt", "before", "after"]) {
      expectRejected(withRule({ attribute: "a", op, values: [1, 2] }), "rules.0.when.0.values", new RegExp(`${op} takes exactly one value`));
      expectRejected(withRule({ attribute: "a", op }), "rules.0.when.0.values", new RegExp(`${op} takes exactly one value`));
    }
  });

  it("multi-value operators with no values", () => {
    for (const op of ["in", "notIn", "contains", "startsWith", "endsWith"]) {
      expectRejected(withRule({ attribute: "a", op, values: [] }), "rules.0.when.0.values", /at least one value/);
    }
  });

  it("exists with values", () => expectRejected(withRule({ attribute: "a", op: "exists", values: ["x"] }), "rules.0.when.0.values", /exists takes no values/));

  it("unknown operator, empty attribute, non-scalar condition values", () => {
    expectRejected(withRule({ attribute: "a", op: "regex", values: ["x"] }), "rules.0.when.0.op", /.+/);
    expectRejected(withRule({ attribute: "", op: "exists" }), "rules.0.when.0.attribute", /.+/);
    expectRejected(withRule({ attribute: "a", op: "eq", values: [{ x: 1 }] }), "rules.0.when.0.values.0", /.+/);
    expectRejected(withRule({ attribute: "a", op: "in", values: [null] }), "rules.0.when.0.values.0", /.+/);
  });

  it("the Condition schema alone reports the same", () => {
    expect(issuesOf(Condition, { attribute: "a", op: "eq", values: [1, 2] })).toContainEqual(expect.objectContaining({ path: "values" }));
    expect(Condition.parse({ attribute: "a", op: "exists" }).values).toEqual([]);
  });

  it("duplicate rule ids", () => {
    const rule = { id: "same", when: [], serve: { variant: "on" } };
    expectRejected({ ...BASE, rules: [rule, { ...rule, serve: { variant: "off" } }] }, "rules.1.id", /duplicate rule id "same"/);
  });

  it("startAt without endAt (and endAt without startAt)", () => {
    const rollout = { variant: "on", baseline: "off", percentage: 50 };
    expectRejected({ ...BASE, fallthrough: { rollout: { ...rollout, startAt: "2026-01-01T00:00:00Z" } } }, "fallthrough.rollout.endAt", /go together/);
    expectRejected({ ...BASE, fallthrough: { rollout: { ...rollout, endAt: "2026-01-01T00:00:00Z" } } }, "fallthrough.rollout.endAt", /go together/);
  });

  it("endAt before (or equal to) startAt", () => {
    const rollout = { variant: "on", baseline: "off", percentage: 50 };
    expectRejected(
      { ...BASE, fallthrough: { rollout: { ...rollout, startAt: "2026-01-02T00:00:00Z", endAt: "2026-01-01T00:00:00Z" } } },
      "fallthrough.rollout.endAt",
      /after startAt/,
    );
    expectRejected({ ...BASE, fallthrough: { rollout: { ...rollout, startAt: 1000, endAt: 1000 } } }, "fallthrough.rollout.endAt", /after startAt/);
    // Compared as instants, not as strings: 01:00+02:00 is before 00:00Z.
    expectRejected(
      { ...BASE, fallthrough: { rollout: { ...rollout, startAt: "2026-01-01T00:00:00Z", endAt: "2026-01-01T01:00:00+02:00" } } },
      "fallthrough.rollout.endAt",
      /after startAt/,
    );
  });

  it("malformed schedule times", () => {
    const rollout = { variant: "on", baseline: "off", percentage: 50 };
    expectRejected({ ...BASE, fallthrough: { rollout: { ...rollout, startAt: "tomorrow", endAt: "2026-01-01T00:00:00Z" } } }, "fallthrough.rollout.startAt", /.+/);
    expectRejected({ ...BASE, fallthrough: { rollout: { ...rollout, startAt: -1, endAt: 5 } } }, "fallthrough.rollout.startAt", /.+/);
  });

  it("duplicate flag keys in a FlagSet", () => {
    expectRejected({ flags: [BASE, { ...BASE, offVariant: "on" }] }, "flags.1.key", /duplicate flag key "f"/, FlagSet);
    const twice = { flags: [...flags.flags, flags.flags[3]] };
    expectRejected(twice, `flags.${flags.flags.length}.key`, /duplicate flag key/, FlagSet);
  });

  it("a FlagSet names the failing flag's index", () => {
    expectRejected({ flags: [BASE, { ...BASE, key: "g", offVariant: "nope" }] }, "flags.1.offVariant", /unknown variant/, FlagSet);
  });

  it("wrong top-level types", () => {
    expectRejected({ ...BASE, type: "array" }, "type", /.+/);
    expectRejected({ ...BASE, enabled: "yes" }, "enabled", /.+/);
    expectRejected({ ...BASE, version: -1 }, "version", /.+/);
    expectRejected({ ...BASE, category: "Not A Category" }, "category", /.+/);
    expectRejected({ ...BASE, variants: { "bad name": true, off: false } }, "variants.bad name", /.+/);
  });
});
