/**
 * Which metrics store an environment uses: Workers Analytics Engine when configured and complete
 * (METRICS_SOURCE=analytics-engine, its account and dataset, the AE_API_TOKEN secret and the
 * METRICS_DATASET binding), else the Durable Object's own buckets. Chosen once, by the Environment
 * Durable Object when it is built.
 */
import type { Config } from "../config.js";
import { AnalyticsEngineMetricsSource } from "./analytics-engine.js";
import { AnalyticsEngineMetricsSink } from "./analytics-engine-layout.js";
import type { MetricsStore } from "./source.js";

export interface AnalyticsEngineBindings {
  readonly AE_API_TOKEN?: string | undefined;
  readonly METRICS_DATASET?: AnalyticsEngineDataset | undefined;
}

export function selectMetrics(config: Config | undefined, bindings: AnalyticsEngineBindings, local: MetricsStore): MetricsStore {
  const ae = config?.analyticsEngine;
  if (!ae || bindings.AE_API_TOKEN === undefined || bindings.METRICS_DATASET === undefined) return local;
  return {
    source: new AnalyticsEngineMetricsSource({ accountId: ae.accountId, dataset: ae.dataset, apiToken: bindings.AE_API_TOKEN }),
    sink: new AnalyticsEngineMetricsSink(bindings.METRICS_DATASET),
  };
}
