/**
 * Size limits that keep every accepted change publishable and auditable (docs/flags.md, "Limits"),
 * and the pure check of an environment's budget. The rule: refuse, before committing, what could
 * not be served or audited — a commit that KV or D1 would later refuse wedges publishing or the
 * audit trail for everything after it.
 */

/**
 * A flag's serialized size (UTF-8 JSON, without `version`/`updatedAt`). D1 refuses rows over
 * 2,000,000 bytes and an audit row carries a flag twice (before + after), so 64 KiB keeps even
 * the largest change ~15x under that limit, and a flag small enough to read in a diff.
 */
export const MAX_FLAG_BYTES = 64 * 1024;
/** A string variant's length (UTF-16 code units, as JS counts them: at most 3 UTF-8 bytes each). */
export const MAX_STRING_VARIANT_LENGTH = 8 * 1024;
/** An object variant's serialized size (UTF-8 JSON): room for a config blob, not a data set. */
export const MAX_OBJECT_VARIANT_BYTES = 32 * 1024;

/**
 * An environment's budget. The snapshot is sharded (docs/architecture.md, "KV snapshot"): at most
 * 1,024 shards, so 96 MiB of flags keeps each shard near 96 KiB, far under KV's 25 MiB value, and
 * the edge reads and compiles one shard and one flag per request whatever the total. 200,000 flags
 * leaves room for 100,000 beyond any seed set (the scale test imports that many).
 */
export interface EnvironmentBudget {
  readonly maxFlags: number;
  readonly maxFlagBytes: number;
}
export const MAX_ENVIRONMENT_FLAGS = 200_000;
export const MAX_ENVIRONMENT_FLAG_BYTES = 96 * 1024 * 1024;
export const ENVIRONMENT_BUDGET: EnvironmentBudget = { maxFlags: MAX_ENVIRONMENT_FLAGS, maxFlagBytes: MAX_ENVIRONMENT_FLAG_BYTES };

/** What an environment's live flags take: how many, and their stored bytes. */
export interface EnvironmentUsage {
  readonly flags: number;
  readonly bytes: number;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (what KV and D1 count). */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).byteLength;
}

/**
 * Why a change from `before` to `after` breaks the budget, or undefined when it fits. A change
 * that does not grow a dimension is never refused on it, so an environment already over budget
 * (say, after the budget was lowered) can always shrink.
 */
export function budgetExcess(environment: string, before: EnvironmentUsage, after: EnvironmentUsage, budget: EnvironmentBudget = ENVIRONMENT_BUDGET): string | undefined {
  if (after.flags > budget.maxFlags && after.flags > before.flags) {
    return `environment "${environment}" would hold ${after.flags} live flags; its budget is ${budget.maxFlags}`;
  }
  if (after.bytes > budget.maxFlagBytes && after.bytes > before.bytes) {
    return `environment "${environment}" would hold ${after.bytes} bytes of flags; its budget is ${budget.maxFlagBytes} (the snapshot must stay publishable)`;
  }
  return undefined;
}
