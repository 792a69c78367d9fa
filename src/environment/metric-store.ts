/**
 * Per-minute metric buckets per (flag, variant) in the Environment Durable Object's SQLite
 * (the default MetricsSource, fed by POST /v1/metrics). Counters merge exactly: requests, errors,
 * and for each latency threshold the number of requests slower than it.
 *
 * Table: metric_buckets(flag, variant, minute, requests, errors, slower) — `slower` is JSON
 * `{ "<ms>": count }`; a bucket with 0 requests is a heartbeat (no traffic, but telemetry works).
 * The table holds at most `maxRows` buckets (MAX_STORED_BUCKETS): once full, a delta for a new
 * bucket is refused (counted, never an error) while deltas into existing buckets still add.
 */
import type { Delta } from "../domain/rollout/metrics.js";
import { MAX_STORED_BUCKETS } from "../domain/rollout/metrics-scope.js";
import type { MinuteBucket } from "../domain/rollout/model.js";
import type { MetricsQuery, MetricsSink, MetricsSource, MetricsStore } from "../metrics/source.js";

type Row = { minute: number; requests: number; errors: number; slower: string };

export class MetricStore {
  /**
   * How many rows the table holds, counted once and then kept up to date by `add`, so an ingest
   * never scans the table. Unknown (recounted on the next add) after a prune or a failed write.
   */
  #rows: number | undefined;

  constructor(
    private readonly sql: SqlStorage,
    readonly maxRows: number = MAX_STORED_BUCKETS,
  ) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS metric_buckets (
        flag TEXT NOT NULL, variant TEXT NOT NULL, minute INTEGER NOT NULL,
        requests INTEGER NOT NULL, errors INTEGER NOT NULL, slower TEXT NOT NULL,
        PRIMARY KEY (flag, variant, minute));
    `);
  }

  /**
   * Adds counters into their buckets and returns how many deltas were refused because they needed
   * a new bucket in a full table. Must run inside a transaction.
   */
  add(deltas: readonly Delta[]): number {
    let rows = this.#rows ?? this.countRows();
    // Until this write is known to have gone through, the cached count is not trusted.
    this.#rows = undefined;
    let refused = 0;
    for (const d of deltas) {
      const row = this.sql
        .exec<Row>("SELECT minute, requests, errors, slower FROM metric_buckets WHERE flag = ? AND variant = ? AND minute = ?", d.flag, d.variant, d.minute)
        .toArray()[0];
      if (!row) {
        if (rows >= this.maxRows) {
          refused++;
          continue;
        }
        rows++;
      }
      const slower: Record<string, number> = row ? (JSON.parse(row.slower) as Record<string, number>) : {};
      for (const [ms, count] of Object.entries(d.slowerThanMs)) slower[ms] = (slower[ms] ?? 0) + count;
      this.sql.exec(
        `INSERT INTO metric_buckets (flag, variant, minute, requests, errors, slower) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(flag, variant, minute) DO UPDATE SET requests = excluded.requests, errors = excluded.errors, slower = excluded.slower`,
        d.flag, d.variant, d.minute, (row?.requests ?? 0) + d.requests, (row?.errors ?? 0) + d.errors, JSON.stringify(slower),
      );
    }
    this.#rows = rows;
    return refused;
  }

  /** Forgets the cached row count (the transaction around `add` failed). */
  forgetRowCount(): void {
    this.#rows = undefined;
  }

  /** The buckets of one (flag, variant) from `since` on, keyed by minute. */
  read(flag: string, variant: string, since: number): Map<number, MinuteBucket> {
    const buckets = new Map<number, MinuteBucket>();
    for (const r of this.sql
      .exec<Row>("SELECT minute, requests, errors, slower FROM metric_buckets WHERE flag = ? AND variant = ? AND minute >= ? ORDER BY minute", flag, variant, since)
      .toArray()) {
      buckets.set(r.minute, { minute: r.minute, requests: r.requests, errors: r.errors, slowerThanMs: JSON.parse(r.slower) as Record<string, number> });
    }
    return buckets;
  }

  prune(before: number): void {
    this.sql.exec("DELETE FROM metric_buckets WHERE minute < ?", before);
    this.#rows = undefined;
  }

  private countRows(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM metric_buckets").one().n;
  }
}

/** The default metrics store: this Durable Object's own buckets, written in one transaction per batch. */
export function durableObjectMetrics(store: MetricStore, transact: <T>(fn: () => T) => T): MetricsStore {
  const sink: MetricsSink = {
    name: "durable-object",
    maxBuckets: Number.POSITIVE_INFINITY,
    write: (_env, deltas) => {
      try {
        return transact(() => store.add(deltas));
      } catch (error) {
        store.forgetRowCount();
        throw error;
      }
    },
  };
  return { source: new DurableObjectMetricsSource(store), sink };
}

/** The default MetricsSource: this Durable Object's own buckets. */
export class DurableObjectMetricsSource implements MetricsSource {
  readonly name = "durable-object";
  constructor(private readonly store: MetricStore) {}

  async read(query: MetricsQuery): Promise<Map<number, MinuteBucket>> {
    const buckets = this.store.read(query.flag, query.variant, query.since);
    for (const minute of buckets.keys()) if (minute >= query.until) buckets.delete(minute);
    return buckets;
  }
}
