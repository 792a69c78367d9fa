/**
 * MurmurHash3 x86_32 over UTF-8 bytes, built for the bucketing hot path:
 * - strings are UTF-8-encoded into one reused buffer (no TextEncoder, no allocation per call);
 * - the hash loop keeps its state in locals and consumes 4 bytes per iteration;
 * - a fixed prefix (a flag's `"{salt}:"`) can be hashed once (`murmur3Prefix`) and resumed for
 *   every value (`murmur3WithPrefix`), so an evaluation hashes only the targeting key's bytes.
 * All forms give the same result as hashing the whole byte string at once.
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

/** Mixes the whole 4-byte blocks of bytes[0, n) into h1. */
function mixBlocks(h1: number, bytes: Uint8Array, n: number): number {
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k1 = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  return h1;
}

/** Mixes the 0-3 tail bytes of bytes[0, n) and finalizes with the total byte length. */
function finish(h1: number, bytes: Uint8Array, n: number, totalLength: number): number {
  const tail = n & 3;
  if (tail !== 0) {
    const i = n - tail;
    let k1 = 0;
    if (tail === 3) k1 ^= (bytes[i + 2] as number) << 16;
    if (tail >= 2) k1 ^= (bytes[i + 1] as number) << 8;
    k1 ^= bytes[i] as number;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  h1 ^= totalLength;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

/** murmur3_x86_32 of raw bytes. */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  return finish(mixBlocks(seed | 0, bytes, bytes.length), bytes, bytes.length, bytes.length);
}

/** murmur3_x86_32 of the UTF-8 encoding of `s`. */
export function murmur3(s: string, seed = 0): number {
  const out = capacity(s.length * 3);
  const n = encodeInto(out, s, 0);
  return finish(mixBlocks(seed | 0, out, n), out, n, n);
}

/** murmur3_x86_32 of utf8(`a` + ":" + `b`), without building the joined string. */
export function murmur3Joined(a: string, b: string, seed = 0): number {
  return murmur3WithPrefix(murmur3Prefix(`${a}:`, seed), b);
}

/** The hash state after a fixed prefix: its whole blocks mixed, its 0-3 trailing bytes kept. */
export interface Murmur3Prefix {
  readonly h1: number;
  readonly tail: Uint8Array;
  /** Byte length of the whole prefix. */
  readonly length: number;
}

export function murmur3Prefix(prefix: string, seed = 0): Murmur3Prefix {
  const bytes = new TextEncoder().encode(prefix);
  const whole = bytes.length & ~3;
  return { h1: mixBlocks(seed | 0, bytes, whole), tail: bytes.slice(whole), length: bytes.length };
}

/** murmur3_x86_32 of prefix bytes + utf8(`s`), resuming from a precomputed prefix. */
export function murmur3WithPrefix(prefix: Murmur3Prefix, s: string): number {
  const tail = prefix.tail;
  const out = capacity(tail.length + s.length * 3);
  for (let i = 0; i < tail.length; i++) out[i] = tail[i] as number;
  const n = encodeInto(out, s, tail.length);
  return finish(mixBlocks(prefix.h1, out, n), out, n, prefix.length - tail.length + n);
}
