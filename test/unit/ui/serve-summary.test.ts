/** The dashboard's serve summary (ui/src/serve-summary.ts): the one line per flag in the flags table. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flagServeSummary, serveSummary } from "../../../ui/src/serve-summary.js";

describe("serveSummary", () => {
  it("names a fixed variant", () => {
    expect(serveSummary({ variant: "on" })).toBe("on");
  });

  it('says "on 25 % (else off)" for a rollout fallthrough', () => {
    expect(serveSummary({ rollout: { variant: "on", baseline: "off", percentage: 25 } })).toBe("on 25 % (else off)");
  });

  it("rounds fractional percentages to two decimals and lists splits in order", () => {
    expect(serveSummary({ rollout: { variant: "v2", baseline: "v1", percentage: 12.5000001 } })).toBe("v2 12.5 % (else v1)");
    expect(serveSummary({ split: { a: 50, b: 30, c: 20 } })).toBe("a 50 % / b 30 % / c 20 %");
  });

  it("names the rollout's variant, percentage and baseline for any percentage", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), (percentage) => {
        expect(serveSummary({ rollout: { variant: "new", baseline: "old", percentage } })).toBe(`new ${percentage} % (else old)`);
      }),
    );
  });
});

describe("flagServeSummary", () => {
  const flag = { enabled: true, offVariant: "off", fallthrough: { variant: "on" }, rules: [] };

  it("is the fallthrough for an enabled flag without rules", () => {
    expect(flagServeSummary(flag)).toBe("on");
  });

  it("is the off variant for a disabled flag, whatever the fallthrough", () => {
    expect(flagServeSummary({ ...flag, enabled: false, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 40 } } })).toBe("off (disabled)");
  });

  it("counts the rules that come before the fallthrough", () => {
    expect(flagServeSummary({ ...flag, rules: [{ serve: { variant: "on" } }] })).toBe("on + 1 rule");
    expect(flagServeSummary({ ...flag, rules: [{ serve: { variant: "on" } }, { serve: { variant: "off" } }] })).toBe("on + 2 rules");
  });
});
