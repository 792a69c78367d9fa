/** The flag history's JSON diff (ui/src/json-diff.ts): changed paths with old → new. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffValueText, jsonDiff, jsonEqual } from "../../../ui/src/json-diff.js";

describe("jsonDiff", () => {
  it("names a changed leaf by its dotted path, as the API's details[].path does", () => {
    const before = { rules: [{ id: "r1", when: [{ attribute: "country", op: "in", values: ["DE"] }] }], enabled: true };
    const after = { rules: [{ id: "r1", when: [{ attribute: "country", op: "notIn", values: ["DE"] }] }], enabled: true };
    expect(jsonDiff(before, after)).toEqual([{ path: "rules.0.when.0.op", kind: "changed", before: "in", after: "notIn" }]);
  });

  it("reports added and removed keys and array elements", () => {
    expect(jsonDiff({ a: 1 }, { a: 1, b: 2 })).toEqual([{ path: "b", kind: "added", before: undefined, after: 2 }]);
    expect(jsonDiff({ a: 1, b: 2 }, { a: 1 })).toEqual([{ path: "b", kind: "removed", before: 2, after: undefined }]);
    expect(jsonDiff({ tags: ["x"] }, { tags: ["x", "y"] })).toEqual([{ path: "tags.1", kind: "added", before: undefined, after: "y" }]);
  });

  it("treats a creation (before null) and a type change as one change of the whole value", () => {
    expect(jsonDiff(null, { key: "f" })).toEqual([{ path: "", kind: "changed", before: null, after: { key: "f" } }]);
    expect(jsonDiff({ fallthrough: { variant: "on" } }, { fallthrough: "on" })).toEqual([
      { path: "fallthrough", kind: "changed", before: { variant: "on" }, after: "on" },
    ]);
  });

  it("lists paths in key order regardless of the objects' key order", () => {
    expect(jsonDiff({ b: 1, a: 1 }, { a: 2, b: 2 }).map((d) => d.path)).toEqual(["a", "b"]);
  });

  it("is empty exactly when the values are equal, and every entry's sides differ", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(jsonDiff(a, a)).toEqual([]);
        const diff = jsonDiff(a, b);
        expect(diff.length === 0).toBe(jsonEqual(a, b));
        for (const d of diff) expect(jsonEqual(d.before, d.after)).toBe(false);
      }),
    );
  });
});

describe("diffValueText", () => {
  it("shows a missing side as a dash and values as JSON", () => {
    expect(diffValueText(undefined)).toBe("—");
    expect(diffValueText("on")).toBe('"on"');
    expect(diffValueText({ a: [1] })).toBe('{"a":[1]}');
  });
});
