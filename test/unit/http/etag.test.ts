/**
 * ETags over the evaluated body, and the weak `If-None-Match` comparison (a CDN may weaken our
 * strong ETag to W/"…"). `*` is ignored, as the module documents.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { etagOf, ifNoneMatchHits } from "../../../src/http/etag.js";

const ETAG_SHAPE = /^"[0-9a-f]{16}"$/;

describe("etagOf", () => {
  it("is a quoted 16-hex-digit tag, stable for the same body", () => {
    const tag = etagOf('{"flags":[]}');
    expect(tag).toMatch(ETAG_SHAPE);
    expect(etagOf('{"flags":[]}')).toBe(tag);
    expect(etagOf("")).toMatch(ETAG_SHAPE);
  });

  it("changes when the body changes, even by one character or only in non-ASCII text", () => {
    const bodies = ['{"value":true}', '{"value":false}', '{"value":true} ', "é", "e\u0301", "😀", "\u{1F600}x"];
    expect(new Set(bodies.map(etagOf)).size).toBe(bodies.length);
  });

  it("property: always well-formed; distinct bodies practically never collide", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(etagOf(a)).toMatch(ETAG_SHAPE);
        if (a !== b) expect(etagOf(a)).not.toBe(etagOf(b));
      }),
      { numRuns: 500 },
    );
  });
});

describe("ifNoneMatchHits", () => {
  const tag = etagOf("body");

  it("no header, or an empty one, never hits", () => {
    expect(ifNoneMatchHits(undefined, tag)).toBe(false);
    expect(ifNoneMatchHits("", tag)).toBe(false);
  });

  it("hits the exact strong tag and its weak form", () => {
    expect(ifNoneMatchHits(tag, tag)).toBe(true);
    expect(ifNoneMatchHits(`W/${tag}`, tag)).toBe(true);
  });

  it("misses another tag, an unquoted tag, and a lowercase w/ prefix (the prefix is case-sensitive)", () => {
    expect(ifNoneMatchHits(etagOf("other"), tag)).toBe(false);
    expect(ifNoneMatchHits(tag.slice(1, -1), tag)).toBe(false);
    expect(ifNoneMatchHits(`w/${tag}`, tag)).toBe(false);
  });

  it("finds the tag anywhere in a list, whatever the whitespace", () => {
    const other = etagOf("other");
    expect(ifNoneMatchHits(`${other}, ${tag}`, tag)).toBe(true);
    expect(ifNoneMatchHits(`${tag},${other}`, tag)).toBe(true);
    expect(ifNoneMatchHits(`  W/${other} ,\tW/${tag}  `, tag)).toBe(true);
    expect(ifNoneMatchHits(`${other}, W/"0000000000000000"`, tag)).toBe(false);
  });

  it("ignores `*`, alone or in a list", () => {
    expect(ifNoneMatchHits("*", tag)).toBe(false);
    expect(ifNoneMatchHits(`*, ${etagOf("other")}`, tag)).toBe(false);
    expect(ifNoneMatchHits(`*, ${tag}`, tag)).toBe(true);
  });

  it("property: a list hits exactly when one of its entries is the tag, weak or strong, padded or not", () => {
    const entry = fc.record({ body: fc.constantFrom("a", "b", "c", "body"), weak: fc.boolean(), pad: fc.constantFrom("", " ", "  ", "\t") });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (entries) => {
        const header = entries.map((e) => `${e.pad}${e.weak ? "W/" : ""}${etagOf(e.body)}${e.pad}`).join(",");
        expect(ifNoneMatchHits(header, tag)).toBe(entries.some((e) => e.body === "body"));
      }),
      { numRuns: 300 },
    );
  });
});
