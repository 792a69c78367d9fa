/**
 * MurmurHash3 x86_32 over a byte stream fed in pieces: the same number as `murmur3Bytes` of the
 * whole byte string (src/domain/murmur3.ts), whatever the split. Used to hash a streamed response
 * body's ETag without holding the body (src/http/etag.ts).
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k1: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  return Math.imul(k1, C2);
}

export class Murmur3Stream {
  private h1: number;
  /** Bytes of an incomplete 4-byte block carried to the next `update`. */
  private readonly carry = new Uint8Array(4);
  private carried = 0;
  private length = 0;

  constructor(seed = 0) {
    this.h1 = seed | 0;
  }

  update(bytes: Uint8Array): void {
    this.length += bytes.length;
    let i = 0;
    const n = bytes.length;
    while (this.carried > 0 && this.carried < 4 && i < n) this.carry[this.carried++] = bytes[i++] as number;
    if (this.carried === 4) {
      const c = this.carry;
      this.block((c[0] as number) | ((c[1] as number) << 8) | ((c[2] as number) << 16) | ((c[3] as number) << 24));
      this.carried = 0;
    }
    const end = i + ((n - i) & ~3);
    let h1 = this.h1;
    for (; i < end; i += 4) {
      h1 ^= mixK((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    }
    this.h1 = h1;
    while (i < n) this.carry[this.carried++] = bytes[i++] as number;
  }

  /** The hash of everything fed so far, as an unsigned 32-bit integer. */
  digest(): number {
    let h1 = this.h1;
    const tail = this.carried;
    if (tail !== 0) {
      const c = this.carry;
      let k1 = 0;
      if (tail === 3) k1 ^= (c[2] as number) << 16;
      if (tail >= 2) k1 ^= (c[1] as number) << 8;
      k1 ^= c[0] as number;
      h1 ^= mixK(k1);
    }
    h1 ^= this.length;
    h1 ^= h1 >>> 16;
    h1 = Math.imul(h1, 0x85ebca6b);
    h1 ^= h1 >>> 13;
    h1 = Math.imul(h1, 0xc2b2ae35);
    h1 ^= h1 >>> 16;
    return h1 >>> 0;
  }

  private block(k: number): void {
    let h1 = this.h1 ^ mixK(k);
    h1 = (h1 << 13) | (h1 >>> 19);
    this.h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
}
