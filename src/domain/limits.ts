/**
 * Size limits that keep every accepted change publishable and auditable (docs/flags.md, "Limits"),
 * and the pure check of an environment's budget. The rule: refuse, before committing, what could
 * not be served or audited — a commit that KV or D1 would later refuse wedges publishing or the
 * audit trail for everything after it.
 *
 * Every limit is in the one exported object `LIMITS`, so the Flag schema, the budget check,
 * `/health` (headroom) and the docs tests read the same numbers.
 */

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * The numbers, and why each is what it is.
 *
 * Per flag: D1 refuses rows over 2,000,000 bytes and an audit row carries a flag twice (before +
 * after), so a 64 KiB flag keeps even the largest change ~15x under that limit. The structural caps
 * (rules, conditions, values, tags) each fit well inside 64 KiB at their maximum with short values;
 * the byte cap is what bounds a flag whose parts are all at their maximum.
 *
 * Per environment: the snapshot is published as a small manifest plus shards of whole flags
 * (docs/architecture.md, "KV snapshot"): a key's shard is the top bits of a hash of the key, and the
 * shard count doubles with the flags' bytes (one per 64 KiB, `snapshotShardTargetBytes`) up to
 * `maxSnapshotShards` (1,024). At the byte budget, 120 MiB over 1,024 shards is ~120 KiB a shard on
 * average; hashing spreads 110,000 keys within a few percent of that, so the largest shard stays
 * two orders of magnitude under KV's 25 MiB value limit, and `/health` reports the largest value
 * published (`largestValueBytes`) against that limit. The manifest names at most 1,024 shards
 * (~140 KiB). 120 MiB over 110,000 flags is ~1.1 KiB per flag on average, room for flags with
 * several rules and a rollout (~0.6 KiB each). 110,000 flags is 100,000 on top of any seed, with
 * margin.
 */
export const LIMITS = Object.freeze({
  /** A flag's serialized size (UTF-8 JSON, without `version`/`updatedAt`). */
  maxFlagBytes: 64 * KIB,
  /** A string variant's length (UTF-16 code units, as JS counts them: at most 3 UTF-8 bytes each). */
  maxStringVariantLength: 8 * KIB,
  /** An object variant's serialized size (UTF-8 JSON): room for a config blob, not a data set. */
  maxObjectVariantBytes: 32 * KIB,
  /** Targeting rules per flag. */
  maxRulesPerFlag: 200,
  /** Conditions (`when`) per rule. */
  maxConditionsPerRule: 50,
  /** Values per condition (`in`, `contains`, …). */
  maxValuesPerCondition: 1_000,
  /** Tags per flag. */
  maxTagsPerFlag: 50,
  /** Flags in one import (one request body of at most 8 MiB): larger sets are imported in chunks. */
  maxFlagsPerImport: 20_000,
  /** An import request's body (`POST /admin/v1/envs/{env}/import`); 413 beyond it. */
  maxImportBodyBytes: 8 * MIB,
  /** A segment request's body (`/admin/v1/envs/{env}/segments/…`: up to 2 × 10,000 ids); 413 beyond it. */
  maxSegmentBodyBytes: 6 * MIB,
  /** Any other admin request's body; 413 beyond it. */
  maxAdminBodyBytes: 256 * KIB,
  /** Live flags per environment. */
  maxEnvironmentFlags: 110_000,
  /** Stored bytes (UTF-8) of an environment's live flags. */
  maxEnvironmentFlagBytes: 120 * MIB,
  /** The stored flag bytes per snapshot shard the shard count grows by (`SHARD_TARGET_BYTES`). */
  snapshotShardTargetBytes: 64 * KIB,
  /** Shards one snapshot manifest may name (2^`MAX_SHARD_BITS`). */
  maxSnapshotShards: 1_024,
  /** Workers KV's limit on one value: what every published value must stay under. */
  kvValueBytes: 25 * MIB,
});
export type Limits = typeof LIMITS;

/** @deprecated kept for existing imports: `LIMITS.maxFlagBytes`. */
export const MAX_FLAG_BYTES = LIMITS.maxFlagBytes;
/** @deprecated kept for existing imports: `LIMITS.maxStringVariantLength`. */
export const MAX_STRING_VARIANT_LENGTH = LIMITS.maxStringVariantLength;
/** @deprecated kept for existing imports: `LIMITS.maxObjectVariantBytes`. */
export const MAX_OBJECT_VARIANT_BYTES = LIMITS.maxObjectVariantBytes;
/** @deprecated kept for existing imports: `LIMITS.maxEnvironmentFlags`. */
export const MAX_ENVIRONMENT_FLAGS = LIMITS.maxEnvironmentFlags;
/** @deprecated kept for existing imports: `LIMITS.maxEnvironmentFlagBytes`. */
export const MAX_ENVIRONMENT_FLAG_BYTES = LIMITS.maxEnvironmentFlagBytes;

/** An environment's budget: how many live flags, and how many stored bytes of them. */
export interface EnvironmentBudget {
  readonly maxFlags: number;
  readonly maxFlagBytes: number;
}
export const ENVIRONMENT_BUDGET: EnvironmentBudget = { maxFlags: LIMITS.maxEnvironmentFlags, maxFlagBytes: LIMITS.maxEnvironmentFlagBytes };

/** What an environment's live flags take: how many, and their stored bytes. */
export interface EnvironmentUsage {
  readonly flags: number;
  readonly bytes: number;
}

/** Why a change breaks the budget: the limit's name (as in `LIMITS`), its value, and a sentence naming both. */
export interface BudgetExcess {
  readonly limit: "maxEnvironmentFlags" | "maxEnvironmentFlagBytes";
  readonly max: number;
  readonly actual: number;
  readonly message: string;
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
  return budgetBreach(environment, before, after, budget)?.message;
}

/** `budgetExcess` with the limit it breaks named, for error details and headroom reports. */
export function budgetBreach(environment: string, before: EnvironmentUsage, after: EnvironmentUsage, budget: EnvironmentBudget = ENVIRONMENT_BUDGET): BudgetExcess | undefined {
  if (after.flags > budget.maxFlags && after.flags > before.flags) {
    return {
      limit: "maxEnvironmentFlags",
      max: budget.maxFlags,
      actual: after.flags,
      message: `environment "${environment}" would hold ${after.flags} live flags; its budget is ${budget.maxFlags}`,
    };
  }
  if (after.bytes > budget.maxFlagBytes && after.bytes > before.bytes) {
    return {
      limit: "maxEnvironmentFlagBytes",
      max: budget.maxFlagBytes,
      actual: after.bytes,
      message: `environment "${environment}" would hold ${after.bytes} bytes of flags; its budget is ${budget.maxFlagBytes} (the snapshot's shards must hold them)`,
    };
  }
  return undefined;
}

/** How full a dimension is, 0..1 (or more, over the limit). */
export function fillRatio(used: number, limit: number): number {
  return limit <= 0 ? 1 : used / limit;
}

/** Fill at or above which /health warns, and at or above which it fails. */
export const HEADROOM_WARN_RATIO = 0.8;
export const HEADROOM_FAIL_RATIO = 0.95;

/** The headroom verdict of a fill ratio. */
export function headroomLevel(ratio: number): "ok" | "warn" | "fail" {
  return ratio >= HEADROOM_FAIL_RATIO ? "fail" : ratio >= HEADROOM_WARN_RATIO ? "warn" : "ok";
}

/** One dimension of an environment's headroom: what is used, the limit, and how full it is (0..1+). */
export interface HeadroomDimension {
  readonly used: number;
  readonly limit: number;
  readonly ratio: number;
  readonly level: "ok" | "warn" | "fail";
}

/** An environment's headroom under its limits (`/health`, docs/architecture.md "Health"). */
export interface Headroom {
  readonly flags: HeadroomDimension;
  readonly flagBytes: HeadroomDimension;
  /** The largest value the last publish wrote to KV (the snapshot, or its largest shard) vs KV's value limit; null before a publish. */
  readonly largestValueBytes: HeadroomDimension | null;
  /** The worst level of the three. */
  readonly level: "ok" | "warn" | "fail";
}

const dimension = (used: number, limit: number): HeadroomDimension => {
  const ratio = fillRatio(used, limit);
  return { used, limit, ratio: Math.round(ratio * 10_000) / 10_000, level: headroomLevel(ratio) };
};
const RANK = { ok: 0, warn: 1, fail: 2 } as const;

/** The headroom of an environment with `usage` whose last published value was `largestValueBytes` (null: none yet). */
export function headroomOf(usage: EnvironmentUsage, largestValueBytes: number | null, limits: Limits = LIMITS): Headroom {
  const flags = dimension(usage.flags, limits.maxEnvironmentFlags);
  const flagBytes = dimension(usage.bytes, limits.maxEnvironmentFlagBytes);
  const value = largestValueBytes === null ? null : dimension(largestValueBytes, limits.kvValueBytes);
  const level = [flags, flagBytes, value].reduce<"ok" | "warn" | "fail">((worst, d) => (d !== null && RANK[d.level] > RANK[worst] ? d.level : worst), "ok");
  return { flags, flagBytes, largestValueBytes: value, level };
}

/** A short, public sentence for a headroom that is not "ok": which dimensions are how full. */
export function headroomDetail(headroom: Headroom): string {
  const named: [string, HeadroomDimension | null][] = [["flags", headroom.flags], ["flag bytes", headroom.flagBytes], ["largest KV value", headroom.largestValueBytes]];
  const low = named.filter(([, d]) => d !== null && d.level !== "ok").map(([name, d]) => `${name} at ${Math.floor((d as HeadroomDimension).ratio * 100)}% of the limit`);
  return `${headroom.level === "fail" ? "headroom exhausted" : "headroom low"}: ${low.join(", ")}`;
}
