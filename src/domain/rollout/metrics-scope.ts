/**
 * Which ingested metrics an environment keeps: only those a rollout guard can use, i.e. the
 * (flag, variant) pairs that are the new variant or the baseline of an active rollout (any state
 * that is not terminal, SCHEDULED included). Everything else is dropped and counted, so made-up
 * flags and variants cannot grow storage or occupy the writer.
 */
import type { Delta } from "./metrics.js";
import { isTerminal, type Rollout } from "./model.js";

/**
 * The most metric buckets (rows) one environment stores, all flags together. A rollout writes two
 * pairs (variant and baseline) per minute, about 89,000 rows over the 31-day retention, so this
 * holds a couple of rollouts running all month with room to spare; past it, new buckets are dropped.
 */
export const MAX_STORED_BUCKETS = 250_000;

export type ScopedRollout = Pick<Rollout, "flag" | "variant" | "baseline" | "state">;

const pairKey = (flag: string, variant: string): string => `${flag}\u0000${variant}`;

/** The (flag, variant) pairs metrics are kept for, as lookup keys. */
export function keptPairs(rollouts: readonly ScopedRollout[]): ReadonlySet<string> {
  const pairs = new Set<string>();
  for (const r of rollouts) {
    if (isTerminal(r.state)) continue;
    pairs.add(pairKey(r.flag, r.variant));
    pairs.add(pairKey(r.flag, r.baseline));
  }
  return pairs;
}

/** Splits deltas into those an active rollout's variant or baseline owns, and a count of the rest. */
export function scopeDeltas<D extends Pick<Delta, "flag" | "variant">>(rollouts: readonly ScopedRollout[], deltas: readonly D[]): { kept: D[]; dropped: number } {
  const pairs = keptPairs(rollouts);
  const kept = deltas.filter((d) => pairs.has(pairKey(d.flag, d.variant)));
  return { kept, dropped: deltas.length - kept.length };
}
