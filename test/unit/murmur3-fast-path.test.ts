import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketerFor, bucketOf, bucketOfHash, BUCKETS } from "../../src/domain/bucket.js";
import { murmur3, murmur3Prefix, murmur3WithPrefix, murmur3WithPrefixInt32 } from "../../src/domain/murmur3.js";

/**
 * The hot path hashes ASCII straight from UTF-16 code units and falls back to UTF-8 encoding for
 * anything else. These properties pin both paths to a textbook murmur3_x86_32 over TextEncoder's
 * bytes (written here again, independent of src/), so a fast-path bug cannot move a bucket.
 */
function reference(bytes: Uint8Array, seed = 0): number {
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  const n = bytes.length;
  let h = seed | 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
    h = (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
  }
  const rest = n & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= bytes[i + 2]! << 16;
    if (rest >= 2) k ^= bytes[i + 1]! << 8;
    k ^= bytes[i]!;
    h ^= Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const floatBucket = (hash: number): number => Math.floor((hash * BUCKETS) / 2 ** 32);

const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 80 });
/** Every kind of code unit: ASCII edges, 2- and 3-byte UTF-8, surrogate pairs and lone surrogates. */
const oddUnit = fc.constantFrom("\u007f", "\u0080", "é", "\u07ff", "\u0800", "日", "\uffff", "\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude80", "🚀", "\u{10ffff}");
/** ASCII with one odd code unit at any position: the fallback is hit in the first block, a middle block or the tail. */
const asciiWithOne = fc.tuple(ascii, oddUnit, ascii).map(([a, u, b]) => a + u + b);
const anyString = fc.oneof(
  ascii,
  asciiWithOne,
  fc.uuid(),
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: fc.oneof(oddUnit, fc.constantFrom("a", ":", "-")) }),
);
/** Salts of every length mod 4, so the key starts at every offset within the prefix's last block. */
const salt = fc.oneof(ascii, fc.string({ unit: "grapheme", maxLength: 12 }), fc.constantFrom("", "a", "ab", "abc", "checkout_v2", "flag_00001"));

describe("murmur3 fast path equals the UTF-8 reference", () => {
  it("property: murmur3(s, seed) === reference(utf8(s), seed) for any string", () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
        expect(murmur3(s, seed)).toBe(reference(utf8(s), seed));
      }),
      { numRuns: 5000 },
    );
  });

  it('property: the bucketing form, murmur3WithPrefix(murmur3Prefix(salt + ":"), key) === reference(utf8(salt + ":" + key))', () => {
    fc.assert(
      fc.property(salt, anyString, (s, key) => {
        const prefix = murmur3Prefix(`${s}:`);
        const want = reference(utf8(`${s}:${key}`));
        expect(murmur3WithPrefix(prefix, key)).toBe(want);
        expect(murmur3WithPrefixInt32(prefix, key)).toBe(want | 0);
      }),
      { numRuns: 5000 },
    );
  });

  it("property: any prefix, any seed (the prefix itself well-formed, as every `salt:` is)", () => {
    fc.assert(
      fc.property(fc.oneof(ascii, fc.string({ unit: "grapheme", maxLength: 10 })), anyString, fc.integer({ min: 0, max: 0xffffffff }), (p, s, seed) => {
        expect(murmur3WithPrefix(murmur3Prefix(p, seed), s)).toBe(reference(utf8(p + s), seed));
      }),
      { numRuns: 3000 },
    );
  });

  it("lone surrogates are defined as TextEncoder defines them: each hashes as U+FFFD (EF BF BD)", () => {
    const cases: [string, string][] = [
      ["\ud800", "\ufffd"],
      ["abc\udc00", "abc\ufffd"],
      ["user-\ud83d-42", "user-\ufffd-42"],
      ["\ude80\ud83d", "\ufffd\ufffd"],
      ["0b8a7c52-7a3f-4c1e-9b2d-0123456789a\ud800", "0b8a7c52-7a3f-4c1e-9b2d-0123456789a\ufffd"],
    ];
    for (const [lone, replaced] of cases) {
      expect(murmur3(lone)).toBe(murmur3(replaced));
      expect(murmur3(lone)).toBe(reference(utf8(replaced)));
      for (const s of ["", "a", "ab", "abc", "checkout_v2"]) expect(bucketOf(s, lone)).toBe(bucketOf(s, replaced));
    }
    // A well-formed pair is one 4-byte code point, not two replacements.
    expect(murmur3("\ud83d\ude80")).toBe(reference(utf8("🚀")));
    expect(murmur3("\ud83d\ude80")).not.toBe(murmur3("\ufffd\ufffd"));
  });

  it("UUID and short-id keys: the bucketer equals the float bucket of the reference hash", () => {
    fc.assert(
      fc.property(fc.constantFrom("checkout_v2", "flag_00000", "a", "ab", "abc"), fc.oneof(fc.uuid(), fc.nat().map((n) => `u${n.toString(36)}`)), (s, key) => {
        expect(bucketerFor(s)(key)).toBe(floatBucket(reference(utf8(`${s}:${key}`))));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("bucketOfHash: integer bucket === floor(hash * 100000 / 2^32)", () => {
  it("property: over the whole unsigned 32-bit range, given as unsigned or as int32", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (u) => {
        expect(bucketOfHash(u)).toBe(floatBucket(u));
        expect(bucketOfHash(u | 0)).toBe(floatBucket(u));
      }),
      { numRuns: 20_000 },
    );
  });

  it("at every bucket boundary: the first hash of each bucket and the one before it", () => {
    for (let b = 0; b < BUCKETS; b++) {
      const first = Math.ceil((b * 2 ** 32) / BUCKETS);
      if (bucketOfHash(first) !== b) expect(bucketOfHash(first), `hash ${first}`).toBe(b);
      if (b > 0 && bucketOfHash(first - 1) !== b - 1) expect(bucketOfHash(first - 1), `hash ${first - 1}`).toBe(b - 1);
    }
    expect(bucketOfHash(0)).toBe(0);
    expect(bucketOfHash(0xffffffff)).toBe(BUCKETS - 1);
    expect(bucketOfHash(-1)).toBe(BUCKETS - 1);
    expect(bucketOfHash(0x80000000 | 0)).toBe(BUCKETS / 2);
  });
});
