/**
 * MurmurHash3 x86_32 over UTF-8 bytes, built for the bucketing hot path:
 * - ASCII strings (almost every targeting key: ids, UUIDs, emails) are hashed straight from their
 *   UTF-16 code units, 4 per block: for code units < 0x80 the UTF-8 bytes ARE the code units, so
 *   the hash is the same as over the UTF-8 bytes, with no encoding pass, no buffer and no allocation;
 * - any other string falls back to UTF-8-encoding into one reused buffer (lone surrogates become
 *   U+FFFD, as TextEncoder does) and hashing that;
 * - a fixed prefix (a flag's `"{salt}:"`) can be hashed once (`murmur3Prefix`) and resumed for
 *   every value (`murmur3WithPrefix`), so an evaluation hashes only the targeting key.
 * All forms give the same result as hashing the whole UTF-8 byte string at once.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

let buffer = new Uint8Array(256);

function capacity(bytes: number): Uint8Array {
  if (bytes > buffer.length) buffer = new Uint8Array(Math.max(bytes, buffer.length * 2));
  return buffer;
}

/** Writes the UTF-8 encoding of `s` at `pos` (lone surrogates → U+FFFD, as TextEncoder does). */
function encodeInto(out: Uint8Array, s: string, pos: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[pos++] = 0xf0 | (c >> 18);
      out[pos++] = 0x80 | ((c >> 12) & 0x3f);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

/** Mixes one 4-byte block into h1. */
function mix(h1: number, k1: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, C2);
  h1 ^= k1;
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

/**
 * Mixes the 0-3 trailing bytes (packed little-endian in `k1`) and finalizes with the total byte
 * length; returns the hash as a signed int32 (`>>> 0` gives the unsigned value). Mixing an empty
 * tail (k1 = 0) is a no-op, so it needs no branch.
 */
function finish(h1: number, k1: number, totalLength: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, C2);
  h1 ^= k1;
  h1 ^= totalLength;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  return h1 ^ (h1 >>> 16);
}

/** Mixes the whole 4-byte blocks of bytes[0, n) into h1. */
function mixBlocks(h1: number, bytes: Uint8Array, n: number): number {
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h1 = mix(h1, (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
  }
  return h1;
}

/** The 0-3 tail bytes of bytes[0, n), packed little-endian. */
function tailOf(bytes: Uint8Array, n: number): number {
  let k1 = 0;
  for (let i = n & ~3, shift = 0; i < n; i++, shift += 8) k1 |= (bytes[i] as number) << shift;
  return k1;
}

/** murmur3_x86_32 of raw bytes. */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  const n = bytes.length;
  return finish(mixBlocks(seed | 0, bytes, n), tailOf(bytes, n), n) >>> 0;
}

/** The hash state after a fixed prefix: its whole blocks mixed, its 0-3 trailing bytes kept. */
export interface Murmur3Prefix {
  readonly h1: number;
  /** The prefix's 0-3 trailing bytes (after its whole blocks). */
  readonly tail: Uint8Array;
  /** The same bytes packed little-endian, as the next block's low bytes. */
  readonly tailBits: number;
  /** Byte length of the whole prefix. */
  readonly length: number;
}

export function murmur3Prefix(prefix: string, seed = 0): Murmur3Prefix {
  const bytes = new TextEncoder().encode(prefix);
  const whole = bytes.length & ~3;
  return { h1: mixBlocks(seed | 0, bytes, whole), tail: bytes.slice(whole), tailBits: tailOf(bytes, bytes.length), length: bytes.length };
}

/** murmur3_x86_32 of the UTF-8 encoding of `s`. */
export function murmur3(s: string, seed = 0): number {
  return murmur3WithPrefixInt32({ h1: seed | 0, tail: EMPTY, tailBits: 0, length: 0 }, s) >>> 0;
}

const EMPTY = new Uint8Array(0);

/** murmur3_x86_32 of utf8(`a` + ":" + `b`), without building the joined string. */
export function murmur3Joined(a: string, b: string, seed = 0): number {
  return murmur3WithPrefix(murmur3Prefix(`${a}:`, seed), b);
}

/** murmur3_x86_32 of prefix bytes + utf8(`s`), resuming from a precomputed prefix. */
export function murmur3WithPrefix(prefix: Murmur3Prefix, s: string): number {
  return murmur3WithPrefixInt32(prefix, s) >>> 0;
}

/**
 * `murmur3WithPrefix` as a signed int32 (the same 32 bits): what the bucketing hot path takes,
 * because an unsigned value ≥ 2^31 leaving a function that V8 did not inline is a heap number
 * (an int32 is a small integer in Node; with pointer compression only within ±2^30).
 *
 * The ASCII fast path: the prefix's 0-3 tail bytes take the key's first code units to complete
 * their block, then the key is read 4 code units per block. The code units are OR-ed together on
 * the way, and a key with one ≥ 0x80 (whose UTF-8 form is 2-4 bytes) is hashed again on the
 * encoding path: one test per key instead of one per block, and a function small enough for V8
 * to inline into the bucketer.
 */
export function murmur3WithPrefixInt32(prefix: Murmur3Prefix, s: string): number {
  const n = s.length;
  const t = prefix.length & 3;
  let h1 = prefix.h1;
  let k1 = prefix.tailBits;
  let bits = 0;
  let i = 0;
  if (t !== 0) {
    for (const first = n < 4 - t ? n : 4 - t; i < first; i++) {
      const c = s.charCodeAt(i);
      bits |= c;
      k1 |= c << ((t + i) << 3);
    }
    if (t + i === 4) {
      h1 = mix(h1, k1);
      k1 = 0;
    }
  }
  for (const end = n - ((n - i) & 3); i < end; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    bits |= c0 | c1 | c2 | c3;
    h1 = mix(h1, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  for (let shift = 0; i < n; i++, shift += 8) {
    const c = s.charCodeAt(i);
    bits |= c;
    k1 |= c << shift;
  }
  return bits > 0x7f ? utf8WithPrefix(prefix, s) : finish(h1, k1, prefix.length + n);
}

/** The general path: prefix tail + utf8(`s`) encoded into the shared buffer, then hashed. */
function utf8WithPrefix(prefix: Murmur3Prefix, s: string): number {
  const tail = prefix.tail;
  const out = capacity(tail.length + s.length * 3);
  for (let i = 0; i < tail.length; i++) out[i] = tail[i] as number;
  const n = encodeInto(out, s, tail.length);
  return finish(mixBlocks(prefix.h1, out, n), tailOf(out, n), prefix.length - tail.length + n);
}
