/**
 * MurmurHash3 x86_32 over the UTF-8 bytes of one or more strings, without allocating:
 * the strings are encoded on the fly and fed to the hash as one byte stream. This is the hot
 * path of every percentage decision, so it avoids TextEncoder and string concatenation.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

// Streaming state, module-level because evaluation is synchronous and single-threaded per isolate.
let h1 = 0;
let k1 = 0; // pending bytes of the current 4-byte block, little-endian
let shift = 0; // bit offset of the next pending byte (0, 8, 16, 24)
let length = 0;

function pushByte(byte: number): void {
  k1 |= byte << shift;
  shift += 8;
  length++;
  if (shift === 32) {
    let k = Math.imul(k1, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    k1 = 0;
    shift = 0;
  }
}

function pushString(s: string): void {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      pushByte(c);
    } else if (c < 0x800) {
      pushByte(0xc0 | (c >> 6));
      pushByte(0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      pushByte(0xf0 | (c >> 18));
      pushByte(0x80 | ((c >> 12) & 0x3f));
      pushByte(0x80 | ((c >> 6) & 0x3f));
      pushByte(0x80 | (c & 0x3f));
    } else {
      // Lone surrogates encode as U+FFFD, exactly as TextEncoder does.
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      pushByte(0xe0 | (c >> 12));
      pushByte(0x80 | ((c >> 6) & 0x3f));
      pushByte(0x80 | (c & 0x3f));
    }
  }
}

function finish(): number {
  if (shift !== 0) {
    let k = Math.imul(k1, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h1 ^= k;
  }
  h1 ^= length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

function start(seed: number): void {
  h1 = seed | 0;
  k1 = 0;
  shift = 0;
  length = 0;
}

/** murmur3_x86_32 of the UTF-8 encoding of `s`. */
export function murmur3(s: string, seed = 0): number {
  start(seed);
  pushString(s);
  return finish();
}

/** murmur3_x86_32 of utf8(`a` + ":" + `b`), without building the joined string. */
export function murmur3Joined(a: string, b: string, seed = 0): number {
  start(seed);
  pushString(a);
  pushByte(0x3a);
  pushString(b);
  return finish();
}

/** murmur3_x86_32 of raw bytes (reference form, used by tests to cross-check the streaming form). */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  start(seed);
  for (let i = 0; i < bytes.length; i++) pushByte(bytes[i] as number);
  return finish();
}
