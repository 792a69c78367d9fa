/**
 * What an import would change: `flagContent` (a flag's comparable content, bookkeeping excluded)
 * and `diffFlagSets` in merge and replace mode.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Flag, type FlagInput } from "../../src/domain/flag.js";
import { diffFlagSets, flagContent } from "../../src/domain/flag-diff.js";
import { booleanFlag } from "../support/flags.js";

const flag = (key: string, over: Partial<FlagInput> = {}): Flag => Flag.parse(booleanFlag(key, over));

describe("flagContent", () => {
  it("ignores the bookkeeping fields version and updatedAt", () => {
    const a = flag("f", { version: 1, updatedAt: "2026-01-01T00:00:00.000Z" });
    const b = flag("f", { version: 9, updatedAt: "2026-06-01T12:00:00.000Z" });
    expect(flagContent(a)).toBe(flagContent(b));
    expect(flagContent(a)).not.toContain("version");
    expect(flagContent(a)).not.toContain("updatedAt");
  });

  it("does not depend on key order, at the top level or nested", () => {
    const a = flag("f");
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as Flag;
    expect(flagContent(reordered)).toBe(flagContent(a));
    expect(flagContent({ ...a, variants: { off: false, on: true } })).toBe(flagContent({ ...a, variants: { on: true, off: false } }));
  });

  it("treats a missing salt as the key (the salt bucketing uses), and a different salt as a change", () => {
    expect(flagContent(flag("f", { salt: "f" }))).toBe(flagContent(flag("f")));
    expect(flagContent(flag("f", { salt: "other" }))).not.toBe(flagContent(flag("f")));
  });

  it("treats an optional field set to undefined as absent", () => {
    expect(flagContent({ ...flag("f"), description: undefined })).toBe(flagContent(flag("f")));
  });

  it("changes with any real content change, including rule order", () => {
    const base = flag("f");
    const ruleA = { id: "a", when: [{ attribute: "plan", op: "eq" as const, values: ["pro"] }], serve: { variant: "on" } };
    const ruleB = { id: "b", when: [], serve: { variant: "off" } };
    const variants = [
      flag("f", { enabled: false }),
      flag("f", { fallthrough: { variant: "off" } }),
      flag("f", { description: "now documented" }),
      flag("f", { tags: ["x"] }),
      flag("f", { rules: [ruleA, ruleB] }),
    ];
    for (const changed of variants) expect(flagContent(changed)).not.toBe(flagContent(base));
    expect(flagContent(flag("f", { rules: [ruleA, ruleB] }))).not.toBe(flagContent(flag("f", { rules: [ruleB, ruleA] })));
  });
});

describe("diffFlagSets", () => {
  const current = [flag("same"), flag("edited"), flag("gone")];
  const incoming = [flag("edited", { enabled: false }), flag("same", { version: 42 }), flag("zz_new"), flag("aa_new")];

  it("merge mode: reports added and changed, never removed", () => {
    expect(diffFlagSets(current, incoming, false)).toEqual({ added: ["aa_new", "zz_new"], changed: ["edited"], removed: [], unchanged: 1 });
  });

  it("replace mode: also reports the current flags the incoming set leaves out", () => {
    expect(diffFlagSets(current, incoming, true)).toEqual({ added: ["aa_new", "zz_new"], changed: ["edited"], removed: ["gone"], unchanged: 1 });
  });

  it("a flag that differs only in version/updatedAt is unchanged", () => {
    const diff = diffFlagSets([flag("f", { version: 3 })], [flag("f", { version: 0, updatedAt: "2026-02-02T00:00:00.000Z" })], true);
    expect(diff).toEqual({ added: [], changed: [], removed: [], unchanged: 1 });
  });

  it("handles empty sets on either side", () => {
    expect(diffFlagSets([], [], true)).toEqual({ added: [], changed: [], removed: [], unchanged: 0 });
    expect(diffFlagSets([], [flag("b"), flag("a")], true)).toEqual({ added: ["a", "b"], changed: [], removed: [], unchanged: 0 });
    expect(diffFlagSets([flag("b"), flag("a")], [], false)).toEqual({ added: [], changed: [], removed: [], unchanged: 0 });
    expect(diffFlagSets([flag("b"), flag("a")], [], true)).toEqual({ added: [], changed: [], removed: ["a", "b"], unchanged: 0 });
  });

  /** Random flag sets over a small key space, so the two sides overlap. */
  const flagSet = fc
    .uniqueArray(fc.record({ key: fc.constantFrom("a", "b", "c", "d", "e", "f"), enabled: fc.boolean(), version: fc.nat(5) }), {
      selector: (f) => f.key,
      maxLength: 6,
    })
    .map((specs) => specs.map((s) => flag(s.key, { enabled: s.enabled, version: s.version })));

  it("property: every incoming flag is counted exactly once, removed ones are exactly the left-out ones", () => {
    fc.assert(
      fc.property(flagSet, flagSet, fc.boolean(), (before, after, replace) => {
        const diff = diffFlagSets(before, after, replace);
        const beforeKeys = new Set(before.map((f) => f.key));
        const afterKeys = new Set(after.map((f) => f.key));
        expect(diff.added.length + diff.changed.length + diff.unchanged).toBe(after.length);
        expect(diff.added).toEqual([...afterKeys].filter((k) => !beforeKeys.has(k)).sort());
        for (const k of diff.changed) expect(beforeKeys.has(k)).toBe(true);
        expect(diff.removed).toEqual(replace ? [...beforeKeys].filter((k) => !afterKeys.has(k)).sort() : []);
        for (const list of [diff.added, diff.changed, diff.removed]) expect(list).toEqual([...list].sort());
      }),
      { numRuns: 300 },
    );
  });

  it("property: a set compared with itself changes nothing", () => {
    fc.assert(
      fc.property(flagSet, fc.boolean(), (set, replace) => {
        expect(diffFlagSets(set, set, replace)).toEqual({ added: [], changed: [], removed: [], unchanged: set.length });
      }),
      { numRuns: 100 },
    );
  });
});
