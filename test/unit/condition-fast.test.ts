import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastCondition } from "../../src/domain/condition-fast.js";
import { compileCondition, compileGeneral } from "../../src/domain/conditions.js";

/** These operators never read the clock; any instant will do. */
const NOW = 0;
import { Condition } from "../../src/domain/flag.js";

/**
 * condition-fast.ts answers the common operators for scalar attributes itself and hands the rest
 * to the general form: the two must agree on every context, including arrays, null, missing and
 * inherited names (`toString`, `constructor`, `__proto__`) and type mismatches.
 */
const scalar = fc.oneof(fc.constantFrom("beta", "alpha", "NZ", "", "1", "@example.com", "a@example.com"), fc.string({ maxLength: 6 }), fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
const attribute = fc.constantFrom("plan", "email", "country", "toString", "constructor", "__proto__", "hasOwnProperty");
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.array(fc.oneof(scalar, fc.constant(null)), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 2 }) },
);
const context = fc.dictionary(attribute, value, { maxKeys: 4 }).map((ctx) => {
  // JSON.parse makes "__proto__" an own property, as a request body would.
  const parsed: Record<string, unknown> = JSON.parse(JSON.stringify(ctx));
  return parsed;
});
const single = fc.record({ attribute, op: fc.constantFrom("eq", "neq", "startsWith", "endsWith", "contains"), values: scalar.map((v) => [v]) });
const multi = fc.record({
  attribute,
  op: fc.constantFrom("in", "notIn", "startsWith", "endsWith", "contains"),
  values: fc.array(scalar, { minLength: 1, maxLength: 12 }),
});
const condition = fc.oneof(single, multi).map((c) => Condition.parse(c));

describe("fast conditions equal the general form", () => {
  it("property: same answer on any context (scalars, arrays, null, missing, inherited names)", () => {
    fc.assert(
      fc.property(condition, fc.array(context, { minLength: 1, maxLength: 8 }), (c, contexts) => {
        const general = compileGeneral(c);
        const fast = fastCondition(c, general) ?? general;
        const compiled = compileCondition(c);
        for (const ctx of contexts) {
          expect(fast(ctx, NOW), JSON.stringify({ c, ctx })).toBe(general(ctx, NOW));
          expect(compiled(ctx, NOW)).toBe(general(ctx, NOW));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("the common operators do get a fast form", () => {
    const of = (c: unknown) => {
      const parsed = Condition.parse(c);
      return fastCondition(parsed, compileGeneral(parsed));
    };
    expect(of({ attribute: "plan", op: "in", values: ["beta", "alpha"] })).toBeTypeOf("function");
    expect(of({ attribute: "plan", op: "in", values: Array.from({ length: 20 }, (_, i) => `p${i}`) })).toBeTypeOf("function");
    expect(of({ attribute: "country", op: "eq", values: ["NZ"] })).toBeTypeOf("function");
    expect(of({ attribute: "email", op: "endsWith", values: ["@example.com"] })).toBeTypeOf("function");
    expect(of({ attribute: "email", op: "endsWith", values: ["@a.com", "@b.com"] })).toBeUndefined();
    expect(of({ attribute: "age", op: "gt", values: [3] })).toBeUndefined();
  });

  it("inherited names never match, arrays match any element", () => {
    const c = compileCondition(Condition.parse({ attribute: "toString", op: "neq", values: ["x"] }));
    expect(c({}, NOW)).toBe(false);
    const inList = compileCondition(Condition.parse({ attribute: "plan", op: "in", values: ["beta", "alpha"] }));
    expect(inList({ plan: ["free", "alpha"] }, NOW)).toBe(true);
    expect(inList({ plan: ["free"] }, NOW)).toBe(false);
    const notIn = compileCondition(Condition.parse({ attribute: "plan", op: "notIn", values: ["beta", "alpha"] }));
    expect(notIn({ plan: ["free", "alpha"] }, NOW)).toBe(false);
    expect(notIn({ plan: null }, NOW)).toBe(false);
  });
});
