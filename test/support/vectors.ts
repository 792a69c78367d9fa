/**
 * The published bucketing vectors. Loaded as raw text and parsed at runtime on purpose: the
 * vectors include lone UTF-16 surrogates ("\ud800"), which are valid JSON but which the bundler's
 * JSON import (a Rust parser with UTF-8 strings) refuses to parse.
 */
import raw from "../vectors/bucketing.json?raw";

export interface BucketingVector {
  readonly salt: string;
  readonly value: string;
  readonly hash: number;
  readonly bucket: number;
}

export const vectors: readonly BucketingVector[] = JSON.parse(raw) as BucketingVector[];
