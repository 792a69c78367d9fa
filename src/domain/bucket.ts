/**
 * Deterministic, sticky, monotonic bucketing (DESIGN §2).
 * bucket = floor(murmur3_x86_32(utf8("{salt}:{value}"), 0) * 100000 / 2^32) ∈ [0, 100000).
 */
import { murmur3Joined } from "./murmur3.js";

/** Buckets per 100 %: a resolution of 0.001 %. */
export const BUCKETS = 100_000;

export function bucketOf(salt: string, bucketValue: string): number {
  return Math.floor((murmur3Joined(salt, bucketValue) * BUCKETS) / 4294967296);
}

/** The exclusive upper bucket bound of a percentage: a context is included iff bucket < bound. */
export function percentageBound(percentage: number): number {
  return Math.round(percentage * 1000);
}
