/**
 * Where rollout guards read their per-minute metrics from, and where POST /v1/metrics writes them
 * (docs/metrics.md).
 * - `DurableObjectMetricsSource` (default): the Environment DO's own buckets, fed by POST /v1/metrics.
 * - `AnalyticsEngineMetricsSource`: Workers Analytics Engine; written with `writeDataPoint`, read
 *   through the SQL API with a token (sampled data, weighted by `_sample_interval`).
 * A source that cannot answer throws; the tick then treats those minutes as UNKNOWN (no telemetry),
 * which pauses a rollout after a while and never rolls it back.
 */
import type { Delta } from "../domain/rollout/metrics.js";
import type { MinuteBucket } from "../domain/rollout/model.js";

export interface MetricsQuery {
  readonly env: string;
  readonly flag: string;
  readonly variant: string;
  /** Epoch ms; minutes from here on. */
  readonly since: number;
  /** Epoch ms; minutes before this (exclusive). */
  readonly until: number;
  /** Latency thresholds (ms) whose "slower than" counts the guards need. */
  readonly thresholdsMs: readonly number[];
}

export interface MetricsSource {
  readonly name: string;
  /** Buckets keyed by minute start (epoch ms). */
  read(query: MetricsQuery): Promise<Map<number, MinuteBucket>>;
}

/** Where ingested metrics go: one write per POST /v1/metrics batch, as per-minute deltas. */
export interface MetricsSink {
  readonly name: string;
  /** The most (flag, variant, minute) buckets one write may carry. */
  readonly maxBuckets: number;
  /**
   * Writes the deltas (only those of active rollouts: the caller filters) and returns how many it
   * refused because its storage is full (0 when it has no such limit).
   */
  write(env: string, deltas: readonly Delta[]): number;
}

/** The source and sink an environment uses (they always belong to the same store). */
export interface MetricsStore {
  readonly source: MetricsSource;
  readonly sink: MetricsSink;
}
