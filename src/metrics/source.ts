/**
 * Where rollout guards read their per-minute metrics from (DESIGN §5 "Metric sources").
 * - `DurableObjectMetricsSource` (default): the Environment DO's own buckets, fed by POST /v1/metrics.
 * - `AnalyticsEngineMetricsSource`: Workers Analytics Engine; written with `writeDataPoint`, read
 *   through the SQL API with a token (sampled data, weighted by `_sample_interval`).
 * A source that cannot answer throws; the tick then treats those minutes as UNKNOWN (no telemetry),
 * which pauses a rollout after a while and never rolls it back.
 */
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
