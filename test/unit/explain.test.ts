/**
 * `explain(flag, context, now)`: the operator's "evaluate as" view. Its evaluation must always be
 * the one `evaluate` answers (property), and the rule, bucket and bound it reports must be the
 * numbers that decided it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import flagsJson from "../../config/flags.json";
import { bucketOf, percentageBound } from "../../src/domain/bucket.js";
import { evaluate, explain, explainCompiled } from "../../src/domain/evaluate.js";
import { Flag, FlagSet, saltOf, type FlagInput } from "../../src/domain/flag.js";
import { withOverride } from "../../src/domain/snapshot.js";
import { booleanFlag } from "../support/flags.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");
const parse = (input: FlagInput): Flag => Flag.parse(input);

const rollout = (percentage: number, extra: Partial<FlagInput> = {}): Flag =>
  parse(booleanFlag("ro", { fallthrough: { rollout: { variant: "on", baseline: "off", percentage } }, ...extra }));

const targeted = parse({
  key: "t",
  type: "string",
  variants: { a: "A", b: "B", c: "C", off: "OFF" },
  offVariant: "off",
  enabled: true,
  rules: [
    { id: "beta-users", when: [{ attribute: "plan", op: "eq", values: ["beta"] }], serve: { variant: "a" } },
    { id: "eu-split", when: [{ attribute: "country", op: "in", values: ["DE", "FR"] }], serve: { split: { a: 25, b: 75 } } },
    { id: "ramp", when: [{ attribute: "ramp", op: "exists" }], serve: { rollout: { variant: "c", baseline: "b", percentage: 30, startAt: "2026-11-26T09:00:00Z", endAt: "2026-11-26T11:00:00Z" } } },
  ],
  fallthrough: { split: { a: 20, b: 30, c: 50 } },
});

describe("explain", () => {
  it("names the matching rule by id and index", () => {
    const e = explain(targeted, { targetingKey: "u1", plan: "beta" }, NOW);
    expect(e).toMatchObject({ decidedBy: "rule", ruleId: "beta-users", ruleIndex: 0, evaluation: { variant: "a", reason: "TARGETING_MATCH" } });
    expect(e.bucket).toBeUndefined();
    expect(e.bound).toBeUndefined();
  });

  it("reports the bucket and the bound of the split range the context fell in", () => {
    const salt = saltOf(targeted);
    for (const key of ["u1", "u2", "u3", "u4", "u5", "u6"]) {
      const e = explain(targeted, { targetingKey: key, country: "DE" }, NOW);
      const bucket = bucketOf(salt, key);
      expect(e).toMatchObject({ decidedBy: "rule", ruleId: "eu-split", ruleIndex: 1, bucket });
      // sorted ranges: a [0, 25 000), b [25 000, 100 000)
      expect(e.bound).toBe(bucket < 25_000 ? 25_000 : 100_000);
      expect(e.evaluation.variant).toBe(bucket < 25_000 ? "a" : "b");
    }
  });

  it("reports the rollout's bound at `now`, ramping linearly", () => {
    // halfway through the ramp: 15 % → bound 15 000
    const e = explain(targeted, { targetingKey: "u1", ramp: true }, NOW);
    expect(e).toMatchObject({ ruleId: "ramp", bound: percentageBound(15), bucket: bucketOf(saltOf(targeted), "u1") });
    expect(e.evaluation.variant).toBe((e.bucket as number) < 15_000 ? "c" : "b");
    expect(explain(targeted, { targetingKey: "u1", ramp: true }, Date.parse("2026-11-26T08:00:00Z")).bound).toBe(0);
  });

  it("is the fallthrough when no rule matches, and says when the flag is off", () => {
    expect(explain(targeted, { targetingKey: "u9" }, NOW)).toMatchObject({ decidedBy: "fallthrough", bucket: bucketOf(saltOf(targeted), "u9") });
    expect(explain(targeted, { targetingKey: "u9" }, NOW).ruleId).toBeUndefined();
    expect(explain({ ...targeted, enabled: false }, { plan: "beta" }, NOW)).toEqual({ evaluation: evaluate({ ...targeted, enabled: false }, {}, NOW), decidedBy: "disabled" });
  });

  it("gives the bound but no bucket when the bucketing attribute is missing", () => {
    const e = explain(rollout(40), {}, NOW);
    expect(e).toMatchObject({ decidedBy: "fallthrough", bound: 40_000, evaluation: { variant: "off", reason: "STATIC" } });
    expect(e.bucket).toBeUndefined();
  });

  it("says so when FLAG_OVERRIDES decided, as the edge applies it", () => {
    const flag = rollout(100);
    const e = explainCompiled(withOverride(flag, "off"), { targetingKey: "u1" }, NOW);
    expect(e.decidedBy).toBe("override");
    expect(e.evaluation).toEqual(withOverride(flag, "off").evaluate({ targetingKey: "u1" }, NOW));
    expect(e.evaluation).toMatchObject({ variant: "off", metadata: { override: "FLAG_OVERRIDES" } });
    // an override naming no variant is ignored, as at the edge
    expect(explainCompiled(withOverride(flag, "nope"), { targetingKey: "u1" }, NOW).decidedBy).toBe("fallthrough");
  });
});

describe("property: explain's evaluation is evaluate's", () => {
  const FLAGS: Flag[] = [
    ...FlagSet.parse(flagsJson).flags,
    targeted,
    { ...targeted, enabled: false },
    rollout(0),
    rollout(33.333),
    rollout(100, { bucketBy: "orgId" }),
    parse(booleanFlag("plain")),
  ];
  const attr = fc.constantFrom("plan", "country", "ramp", "orgId", "targetingKey", "constructor");
  const value = fc.oneof(fc.jsonValue(), fc.constantFrom("beta", "DE", "FR", "x", 1, true, ""));
  const context = fc.oneof(fc.dictionary(attr, value), fc.dictionary(fc.string(), fc.jsonValue()));
  const now = fc.integer({ min: Date.parse("2026-11-26T08:00:00Z"), max: Date.parse("2026-11-26T12:00:00Z") });

  it("for any context and time, value, variant, reason (and the rest) are equal", () => {
    fc.assert(
      fc.property(context, now, (ctx, t) => {
        for (const flag of FLAGS) {
          const e = explain(flag, ctx, t);
          expect(e.evaluation).toEqual(evaluate(flag, ctx, t));
          if (e.bucket !== undefined) {
            expect(e.bucket).toBeGreaterThanOrEqual(0);
            expect(e.bucket).toBeLessThan(100_000);
          }
          if (e.decidedBy === "rule") expect(flag.rules[e.ruleIndex as number]?.id).toBe(e.ruleId);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a rollout serves its variant exactly when bucket < bound", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.double({ min: 0, max: 100, noNaN: true }), (key, pct) => {
        const e = explain(rollout(pct), { targetingKey: key }, NOW);
        expect(e.evaluation.variant).toBe((e.bucket as number) < (e.bound as number) ? "on" : "off");
      }),
    );
  });
});
