#!/usr/bin/env node
/**
 * Generates test/vectors/bucketing.json with an INDEPENDENT, textbook MurmurHash3_x86_32
 * (Austin Appleby's reference algorithm over the UTF-8 bytes from TextEncoder). It deliberately
 * does not import src/, so the published vectors check the streaming implementation rather than
 * repeat it.
 *
 *   node scripts/make-bucketing-vectors.mjs            # writes test/vectors/bucketing.json
 *   node scripts/make-bucketing-vectors.mjs --check    # exits 1 if the file is out of date
 *
 * bucket = floor(hash * 100000 / 2^32), hash = murmur3_x86_32(utf8(`${salt}:${value}`), seed 0).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Textbook MurmurHash3_x86_32: 4-byte little-endian blocks, tail, fmix32. Returns an unsigned int. */
export function murmur3x86_32(bytes, seed = 0) {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const len = bytes.length;
  const nblocks = len >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h1 = seed >>> 0;

  for (let i = 0; i < nblocks; i++) {
    let k1 = view.getUint32(i * 4, true);
    k1 = Math.imul(k1, c1);
    k1 = rotl32(k1, 15);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
    h1 = rotl32(h1, 13);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) >>> 0;
  }

  const tail = nblocks * 4;
  let k1 = 0;
  switch (len & 3) {
    case 3:
      k1 ^= bytes[tail + 2] << 16;
    // falls through
    case 2:
      k1 ^= bytes[tail + 1] << 8;
    // falls through
    case 1:
      k1 ^= bytes[tail];
      k1 = Math.imul(k1, c1);
      k1 = rotl32(k1, 15);
      k1 = Math.imul(k1, c2);
      h1 ^= k1;
  }

  h1 ^= len;
  return fmix32(h1);
}

function rotl32(x, r) {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function fmix32(h) {
  h >>>= 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Published MurmurHash3_x86_32 values; the reference must reproduce them before we trust it. */
const KNOWN = [
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

const enc = new TextEncoder();
for (const [s, seed, want] of KNOWN) {
  const got = murmur3x86_32(enc.encode(s), seed);
  if (got !== want) {
    throw new Error(`reference murmur3 mismatch for ${JSON.stringify(s)} seed ${seed}: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
  }
}

const CASES = [
  // plain ASCII
  ["checkout_v2", "user-1"],
  ["checkout_v2", "user-2"],
  ["checkout_v2", "user-3"],
  ["checkout_v2", "alice@example.com"],
  ["demo_checkout_v2", "user-42"],
  ["demo_banner_color", "user-42"],
  ["emergency_shutdown", "org_7"],
  ["a", "b"],
  ["salt", "value"],
  ["flag.with.dots", "Key-With_Mixed.Chars"],
  ["x", "The quick brown fox jumps over the lazy dog"],
  // empty-ish values (the evaluator never buckets an empty string, but the hash is defined)
  ["checkout_v2", ""],
  ["", ""],
  ["", "user-1"],
  ["checkout_v2", " "],
  ["checkout_v2", "  "],
  ["checkout_v2", "\t"],
  ["checkout_v2", ":"],
  ["checkout_v2", "::"],
  ["a:b", "c"],
  ["a", "b:c"],
  ["checkout_v2", "\u0000"],
  // numbers as strings (how numeric bucket attributes are hashed)
  ["checkout_v2", "0"],
  ["checkout_v2", "1"],
  ["checkout_v2", "42"],
  ["checkout_v2", "-1"],
  ["checkout_v2", "3.14"],
  ["checkout_v2", "1e+21"],
  ["checkout_v2", "9007199254740991"],
  // long strings (many blocks, every tail length)
  ["checkout_v2", "u".repeat(100)],
  ["checkout_v2", "0123456789abcdef".repeat(64)],
  ["long_salt_" + "s".repeat(117), "v"],
  ["abc", "d"],
  ["abc", "de"],
  ["abc", "def"],
  ["abc", "defg"],
  // multi-byte UTF-8
  ["checkout_v2", "é"],
  ["checkout_v2", "café"],
  ["checkout_v2", "e\u0301"], // decomposed é: different bytes from the precomposed form
  ["checkout_v2", "日本"],
  ["checkout_v2", "日本語のユーザー"],
  ["checkout_v2", "🚀"],
  ["checkout_v2", "user-🚀-42"],
  ["checkout_v2", "👨‍👩‍👧"],
  ["checkout_v2", "ÿ"],
  ["checkout_v2", "\u07ff"],
  ["checkout_v2", "\u0800"],
  ["checkout_v2", "\uffff"],
  ["checkout_v2", "\u{10ffff}"],
  ["日本", "ユーザー"],
  // lone surrogates: TextEncoder writes U+FFFD (EF BF BD) for each
  ["checkout_v2", "\ud800"],
  ["checkout_v2", "\udfff"],
  ["checkout_v2", "a\ud83dz"],
  ["checkout_v2", "\ude80\ud83d"],
  ["checkout_v2", "\ud83d"], // a high surrogate at the very end
  ["checkout_v2", "\ufffd"], // ...hashes like the lone surrogate above
];

const vectors = CASES.map(([salt, value]) => {
  const hash = murmur3x86_32(enc.encode(`${salt}:${value}`), 0);
  const bucket = Math.floor((hash * 100000) / 4294967296);
  return { salt, value, hash, bucket };
});

const out = fileURLToPath(new URL("../test/vectors/bucketing.json", import.meta.url));
const text = JSON.stringify(vectors, null, 2) + "\n";
const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === (await import("node:path")).resolve(process.argv[1]);
if (!isMain) {
  // Imported (e.g. to reuse murmur3x86_32): write nothing.
} else if (process.argv.includes("--check")) {
  const current = readFileSync(out, "utf8");
  if (current !== text) {
    console.error(`${out} is out of date; run node scripts/make-bucketing-vectors.mjs`);
    process.exit(1);
  }
  console.log(`${out} is up to date (${vectors.length} vectors)`);
} else {
  writeFileSync(out, text);
  console.log(`wrote ${vectors.length} vectors to ${out}`);
}
