import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { murmur3, murmur3Bytes, murmur3Joined, murmur3Prefix, murmur3WithPrefix } from "../../src/domain/murmur3.js";
import { vectors } from "../support/vectors.js";

const enc = new TextEncoder();

/**
 * Published MurmurHash3_x86_32 values (Appleby's reference / SMHasher verification set as
 * widely re-published), [input, seed, unsigned hash]. scripts/make-bucketing-vectors.mjs checks its
 * independent textbook implementation against the same list before writing the vectors.
 */
const KNOWN: readonly [string, number, number][] = [
  ["", 0, 0x00000000],
  ["", 1, 0x514e28b7],
  ["", 0xffffffff, 0x81f16f39],
  ["\0\0\0\0", 0, 0x2362f9de],
  ["hello", 0, 0x248bfa47],
  ["abc", 0, 0xb3dd93fa],
  ["aaaa", 0x9747b28c, 0x5a97808a],
  ["Hello, world!", 0x9747b28c, 0x24884cba],
  ["The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723],
  ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
];

/** Raw-byte inputs that are not valid UTF-8 (only murmur3Bytes can express them). */
const KNOWN_BYTES: readonly [number[], number, number][] = [
  [[0xff, 0xff, 0xff, 0xff], 0, 0x76293b50],
  [[0x21, 0x43, 0x65, 0x87], 0, 0xf55b516b],
  [[0x21, 0x43, 0x65, 0x87], 0x5082edee, 0x2362f9de], // this seed cancels the first block
  [[0x21, 0x43, 0x65], 0, 0x7e4a8634],
  [[0x21, 0x43], 0, 0xa0f7b07a],
  [[0x21], 0, 0x72661cf4],
  [[0x00, 0x00, 0x00], 0, 0x85f0b427],
  [[0x00, 0x00], 0, 0x30f4c306],
  [[0x00], 0, 0x514e28b7],
];

describe("murmur3_x86_32: published values", () => {
  it.each(KNOWN)("murmur3(%j, seed %d)", (input, seed, want) => {
    expect(murmur3(input, seed)).toBe(want);
    expect(murmur3Bytes(enc.encode(input), seed)).toBe(want);
  });

  it.each(KNOWN_BYTES)("murmur3Bytes(%j, seed %d)", (bytes, seed, want) => {
    expect(murmur3Bytes(new Uint8Array(bytes), seed)).toBe(want);
  });

  it("returns unsigned 32-bit integers", () => {
    for (const [input, seed] of KNOWN) {
      const h = murmur3(input, seed);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 32);
    }
  });

  it("defaults the seed to 0", () => {
    expect(murmur3("hello")).toBe(0x248bfa47);
    expect(murmur3Joined("a", "b")).toBe(murmur3("a:b", 0));
  });
});

describe("murmur3: the streaming form equals the bytes form", () => {
  it("on the published bucketing vectors (salt:value, seed 0)", () => {
    for (const v of vectors) {
      const joined = `${v.salt}:${v.value}`;
      expect(murmur3Joined(v.salt, v.value), JSON.stringify(v)).toBe(v.hash);
      expect(murmur3(joined), JSON.stringify(v)).toBe(v.hash);
      expect(murmur3Bytes(enc.encode(joined)), JSON.stringify(v)).toBe(v.hash);
    }
  });

  it("lone surrogates hash like U+FFFD (TextEncoder semantics)", () => {
    expect(murmur3("\ud800")).toBe(murmur3("\ufffd"));
    expect(murmur3("\udc00x")).toBe(murmur3("\ufffdx"));
    expect(murmur3("a\ud83d")).toBe(murmur3("a\ufffd"));
    expect(murmur3("\ude80\ud83d")).toBe(murmur3("\ufffd\ufffd"));
    expect(murmur3("\ud83d\ude80")).not.toBe(murmur3("\ufffd\ufffd"));
  });

  // Full unicode strings including lone surrogates ("grapheme"/"binary-ascii" units cover the
  // rest); fc.string() with unit "binary" yields any UTF-16 code unit sequence.
  const anyString = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: fc.constantFrom("\ud800", "\udfff", "\ud83d", "\ude80", "é", "日", "🚀", "a", ":") }),
  );

  it("property: murmur3Joined(a, b) === murmur3Bytes(utf8(a + ':' + b))", () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => murmur3Joined(a, b) === murmur3Bytes(enc.encode(`${a}:${b}`))),
      { numRuns: 2000 },
    );
  });

  it("property: murmur3(s, seed) === murmur3Bytes(utf8(s), seed) for any seed", () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => murmur3(s, seed) === murmur3Bytes(enc.encode(s), seed)),
      { numRuns: 2000 },
    );
  });

  it("property: murmur3Joined with a seed equals the bytes form with that seed", () => {
    fc.assert(
      fc.property(anyString, anyString, fc.integer({ min: 0, max: 0xffffffff }), (a, b, seed) =>
        murmur3Joined(a, b, seed) === murmur3Bytes(enc.encode(`${a}:${b}`), seed),
      ),
      { numRuns: 1000 },
    );
  });

  it("property: interleaved calls do not leak streaming state", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyString, anyString), { minLength: 1, maxLength: 10 }), (pairs) => {
        const first = pairs.map(([a, b]) => murmur3Joined(a, b));
        const again = [...pairs].reverse().map(([a, b]) => murmur3Joined(a, b)).reverse();
        return first.every((h, i) => h === again[i]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("murmur3: a precomputed prefix resumes to the same hash", () => {
  it("property: murmur3WithPrefix(murmur3Prefix(p, seed), s) === murmur3Bytes(utf8(p + s), seed)", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }), fc.integer({ min: 0, max: 0xffffffff }), (p, s, seed) => {
        expect(murmur3WithPrefix(murmur3Prefix(p, seed), s)).toBe(murmur3Bytes(encoder.encode(p + s), seed));
      }),
      { numRuns: 2000 },
    );
  });

  it("reuses one prefix for many values, and long values grow the buffer safely", () => {
    const prefix = murmur3Prefix("checkout_v2:");
    const long = "é".repeat(5_000);
    for (const value of ["", "a", "user-1", long, "b"]) {
      expect(murmur3WithPrefix(prefix, value)).toBe(murmur3Joined("checkout_v2", value));
    }
  });
});
