/**
 * JSON Merge Patch (RFC 7396): the RFC's own examples, the edge cases a flag PATCH meets, and the
 * algebra (empty patch is identity, null removes, a patch applied twice equals once).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergePatch } from "../../src/domain/merge-patch.js";

/** RFC 7396 appendix A, verbatim: [original, patch, result]. */
const RFC_EXAMPLES: readonly [unknown, unknown, unknown][] = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [["a", "b"], ["c", "d"], ["c", "d"]],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });

describe("mergePatch", () => {
  it.each(RFC_EXAMPLES)("RFC 7396 appendix A: %j patched with %j is %j", (original, patch, result) => {
    expect(mergePatch(original, patch)).toEqual(result);
  });

  it("RFC 7396 section 3: the worked example", () => {
    const target = { title: "Goodbye!", author: { givenName: "John", familyName: "Doe" }, tags: ["example", "sample"], content: "This will be unchanged" };
    const patch = { title: "Hello!", phoneNumber: "+01-123-456-7890", author: { familyName: null }, tags: ["example"] };
    expect(mergePatch(target, patch)).toEqual({
      title: "Hello!",
      author: { givenName: "John" },
      tags: ["example"],
      content: "This will be unchanged",
      phoneNumber: "+01-123-456-7890",
    });
  });

  it("never mutates the target or the patch", () => {
    const target = { a: { b: 1, c: [1, 2] }, d: "x" };
    const patch = { a: { b: null, e: { f: 1 } }, d: null };
    const [targetBefore, patchBefore] = [structuredClone(target), structuredClone(patch)];
    const result = mergePatch(target, patch);
    expect(result).toEqual({ a: { c: [1, 2], e: { f: 1 } } });
    expect(target).toEqual(targetBefore);
    expect(patch).toEqual(patchBefore);
  });

  it("removing a key the target does not have is a no-op, and a scalar target becomes an object", () => {
    expect(mergePatch({ a: 1 }, { zzz: null })).toEqual({ a: 1 });
    expect(mergePatch("text", { a: 1 })).toEqual({ a: 1 });
    expect(mergePatch(undefined, { a: { b: null } })).toEqual({ a: {} });
    expect(mergePatch(42, {})).toEqual({});
  });

  it("treats a member named __proto__ as an ordinary key (no prototype change, nothing inherited)", () => {
    const patch = JSON.parse('{"__proto__": {"description": "injected"}}') as unknown;
    const result = mergePatch({ a: 1 }, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result).sort()).toEqual(["__proto__", "a"]);
    expect(result["description"]).toBeUndefined();
    expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse('{"a": 1, "__proto__": {"description": "injected"}}'));
    // And a later patch can remove it again.
    expect(Object.keys(mergePatch(result, JSON.parse('{"__proto__": null}')) as object)).toEqual(["a"]);
  });

  it("property: patching an object with {} is identity (a copy, not the same object)", () => {
    fc.assert(
      fc.property(jsonObject, (target) => {
        const result = mergePatch(target, {});
        expect(result).toEqual(target);
        expect(result).not.toBe(target);
      }),
      { numRuns: 300 },
    );
  });

  it("property: null removes exactly the named keys and leaves the rest untouched", () => {
    fc.assert(
      fc.property(jsonObject, fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }), (target, removed) => {
        const patch = Object.fromEntries(removed.map((k) => [k, null]));
        const result = mergePatch(target, patch) as Record<string, unknown>;
        for (const k of removed) expect(Object.hasOwn(result, k)).toBe(false);
        const kept = Object.keys(target).filter((k) => !removed.includes(k));
        expect(Object.keys(result).sort()).toEqual(kept.sort());
        for (const k of kept) expect(result[k]).toEqual(target[k]);
      }),
      { numRuns: 300 },
    );
  });

  it("property: applying a patch twice equals applying it once (idempotence)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }), (target, patch) => {
        const once = mergePatch(target, patch);
        expect(mergePatch(once, patch)).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });

  it("property: a patch of non-null scalars is a shallow overwrite", () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(jsonObject, fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 4 }), (target, patch) => {
        expect(mergePatch(target, patch)).toEqual({ ...target, ...patch });
      }),
      { numRuns: 300 },
    );
  });
});
