/**
 * Deterministic, sticky, monotonic bucketing (docs/architecture.md, "Bucketing").
 * bucket = floor(murmur3_x86_32(utf8("{salt}:{value}"), 0) * 100000 / 2^32) ∈ [0, 100000).
 */
import { murmur3Prefix, murmur3WithPrefix } from "./murmur3.js";

/** Buckets per 100 %: a resolution of 0.001 %. */
export const BUCKETS = 100_000;

const toBucket = (hash: number): number => Math.floor((hash * BUCKETS) / 4294967296);

export function bucketOf(salt: string, bucketValue: string): number {
  return toBucket(murmur3WithPrefix(murmur3Prefix(`${salt}:`), bucketValue));
}

/** A bucketing function for one salt: the `"{salt}:"` prefix is hashed once, not per value. */
export function bucketerFor(salt: string): (bucketValue: string) => number {
  const prefix = murmur3Prefix(`${salt}:`);
  return (bucketValue) => toBucket(murmur3WithPrefix(prefix, bucketValue));
}

/** The exclusive upper bucket bound of a percentage: a context is included iff bucket < bound. */
export function percentageBound(percentage: number): number {
  return Math.round(percentage * 1000);
}
