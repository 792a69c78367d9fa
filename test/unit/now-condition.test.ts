import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/domain/evaluate.js";
import { Flag } from "../../src/domain/flag.js";
import { booleanFlag } from "../support/flags.js";

const AT = "2026-11-26T10:00:00Z";
const T = Date.parse(AT);
const timed = (op: "before" | "after") =>
  Flag.parse(booleanFlag("t", { fallthrough: { variant: "off" }, rules: [{ id: "r", when: [{ attribute: "$now", op, values: [AT] }], serve: { variant: "on" } }] }));

describe("the $now condition", () => {
  it("after/before compare the evaluation's now (strictly), never a context value", () => {
    expect(evaluate(timed("after"), {}, T + 1).variant).toBe("on");
    expect(evaluate(timed("after"), {}, T).variant).toBe("off");
    expect(evaluate(timed("before"), {}, T - 1).variant).toBe("on");
    expect(evaluate(timed("before"), {}, T).variant).toBe("off");
    expect(evaluate(timed("after"), { $now: "2030-01-01T00:00:00Z" }, T - 1).variant).toBe("off");
  });

  it("property: exactly one of before/after holds at any instant but the boundary", () => {
    fc.assert(
      fc.property(fc.integer({ min: T - 1e10, max: T + 1e10 }), (now) => {
        const after = evaluate(timed("after"), {}, now).variant === "on";
        const before = evaluate(timed("before"), {}, now).variant === "on";
        expect(after).toBe(now > T);
        expect(before).toBe(now < T);
      }),
    );
  });
});
