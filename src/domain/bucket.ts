/**
 * Deterministic, sticky, monotonic bucketing (docs/architecture.md, "Bucketing").
 * bucket = floor(murmur3_x86_32(utf8("{salt}:{value}"), 0) * 100000 / 2^32) ∈ [0, 100000).
 */
import { murmur3Prefix, murmur3WithPrefixInt32 } from "./murmur3.js";

/** Buckets per 100 %: a resolution of 0.001 %. */
export const BUCKETS = 100_000;

/**
 * floor(u * 100000 / 2^32) for the unsigned value u of the int32 `hash`, in int32 arithmetic:
 * 100000 / 2^32 = 3125 / 2^27, and with u = hi·2^16 + lo (16-bit halves, so hi·3125 and lo·3125 stay
 * below 2^28) floor(u·3125 / 2^27) = (hi·3125 + floor(lo·3125 / 2^16)) >> 11 (nested floors of
 * positive integer divisions). Exactly the float formula, without converting to a double.
 */
export function bucketOfHash(hash: number): number {
  return (Math.imul(hash >>> 16, 3125) + (Math.imul(hash & 0xffff, 3125) >>> 16)) >>> 11;
}

export function bucketOf(salt: string, bucketValue: string): number {
  return bucketOfHash(murmur3WithPrefixInt32(murmur3Prefix(`${salt}:`), bucketValue));
}

/** A bucketing function for one salt: the `"{salt}:"` prefix is hashed once, not per value. */
export function bucketerFor(salt: string): (bucketValue: string) => number {
  const prefix = murmur3Prefix(`${salt}:`);
  return (bucketValue) => bucketOfHash(murmur3WithPrefixInt32(prefix, bucketValue));
}

/** The exclusive upper bound of a percentage: a context is included iff bucket < bound. */
export function percentageBound(percentage: number): number {
  return Math.round(percentage * 1000);
}
