/**
 * The environment snapshot: what the Durable Object publishes to KV and the edge evaluates
 * (docs/architecture.md, "KV snapshot"). In KV it is a small manifest (`SnapshotManifest`: the
 * version, SDK key grants, stream key and one `ShardRef` per shard) plus immutable shards named by
 * their hash (src/domain/snapshot-shard.ts); a small environment inlines its one shard. The edge
 * compiles only the manifest, loads a shard when a flag in it is asked for, and parses and compiles
 * one flag at a time, so a single-flag evaluation costs that flag, whatever the environment's size.
 */
import { z } from "zod";
import { compileFlag, NO_DEPS, type CompiledFlag, type EvaluationContext, type Evaluation, type Explanation, type FlagDeps } from "./evaluate.js";
import { Flag } from "./flag.js";
import { MAX_PREREQUISITE_DEPTH } from "./prerequisites.js";
import { compileSegments, Segment, type CompiledSegment } from "./segment.js";
import { clientPrint, CompiledShard, MAX_SHARD_BITS, shardOf } from "./snapshot-shard.js";

/** Environment names: 1-32 chars of [a-z0-9-], starting with a letter (they appear in SDK keys and KV keys). */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const EnvironmentName = z
  .string()
  .regex(ENVIRONMENT_NAME_PATTERN, "environment names are 1-32 chars of [a-z0-9-], starting with a letter");
export type EnvironmentName = z.infer<typeof EnvironmentName>;

export const SdkKeyKind = z.enum(["client", "server"]);
export type SdkKeyKind = z.infer<typeof SdkKeyKind>;

/** What the edge needs to know about an SDK key; the key itself is only stored as a SHA-256 hash. */
export const SdkKeyGrant = z.object({ id: z.string(), name: z.string(), kind: SdkKeyKind });
export type SdkKeyGrant = z.infer<typeof SdkKeyGrant>;

export const Snapshot = z.object({
  env: EnvironmentName,
  version: z.number().int().nonnegative(),
  publishedAt: z.string(),
  flags: z.array(Flag),
  /** hex sha-256 of an SDK key → its grant; revoked keys are absent. */
  keys: z.record(z.string(), SdkKeyGrant),
  /** The environment's secret for signing event-stream tokens (absent in snapshots older than push). */
  streamKey: z.string().optional(),
  /** The environment's segments (src/domain/segment.ts), a collection of their own; absent in older snapshots. */
  segments: z.array(Segment).optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** One shard as the manifest names it. */
export const ShardRef = z.object({
  /** hex SHA-256 of the shard's text; its KV key (`shardKey`) names it, so a shard never changes. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Changes exactly when the shard's client-visible flags change (key and per-flag version). */
  client: z.string(),
  flags: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});
export type ShardRef = z.infer<typeof ShardRef>;

/**
 * The value at `snapshot:{env}`. Every field of `Snapshot` but `flags` travels here as it is (so a
 * field added to `Snapshot`, like segments, reaches the edge with no change to the format); the
 * flags are in `2^shardBits` shards, or inline in `flags` when there is one small shard, which keeps
 * such a manifest readable as a `Snapshot` by older code.
 */
export const SnapshotManifest = Snapshot.omit({ flags: true }).extend({
  shardBits: z.number().int().min(0).max(MAX_SHARD_BITS),
  shards: z.array(ShardRef),
  /** The one shard's flags, when inline. */
  flags: z.array(Flag).optional(),
});
export type SnapshotManifest = z.infer<typeof SnapshotManifest>;

/** Per-environment overrides from configuration: flag key → variant name; they win over stored state. */
export const FlagOverrides = z.record(EnvironmentName, z.record(z.string(), z.string()));
export type FlagOverrides = z.infer<typeof FlagOverrides>;

export type Visibility = "all" | "clientSide";

/** Loads shard `index` (named by `ref`) with flags compiled by `compile`; at once or later. */
export type ShardLoader = (index: number, ref: ShardRef, compile: (flag: Flag) => CompiledFlag) => CompiledShard | Promise<CompiledShard>;

export interface CompiledSnapshot {
  readonly env: string;
  readonly version: number;
  /** ISO 8601, when the Durable Object built this version. */
  readonly publishedAt: string;
  readonly streamKey: string | undefined;
  readonly keys: ReadonlyMap<string, SdkKeyGrant>;
  /** Changes exactly when the client-visible flags change (for client keys' event streams). */
  readonly clientFingerprint: string;
  /** Changes exactly when a segment changes (part of `clientFingerprint`; subset streams use it too). */
  readonly segmentsFingerprint: string;
  readonly flagCount: number;
  readonly shardBits: number;
  /** The manifest's shard list (empty for a snapshot compiled whole in memory). */
  readonly shards: readonly ShardRef[];
  /** Shard `index`: at once when it is held, else once loaded. */
  shard(index: number): CompiledShard | Promise<CompiledShard>;
}

/** A whole snapshot, compiled in memory as one shard (tests, the benchmark, snapshots in the old format). */
export function compileSnapshot(snapshot: Snapshot, overrides: Readonly<Record<string, string>> = {}, deps: SnapshotDeps = new SnapshotDeps()): CompiledSnapshot {
  const shard = CompiledShard.fromFlags(snapshot.flags, compilerFor(overrides, deps));
  const compiled: CompiledSnapshot = {
    ...envelope(snapshot),
    clientFingerprint: clientPrint(snapshot.flags) + segmentPrint(snapshot.segments),
    segmentsFingerprint: segmentPrint(snapshot.segments),
    flagCount: shard.size,
    shardBits: 0,
    shards: [],
    shard: () => shard,
  };
  deps.follow(compiled, snapshot.segments ?? []);
  return compiled;
}

/**
 * A manifest, compiled: nothing but the manifest is read. An inline shard is held; the others come
 * from `load` when first asked for. A value in the old whole-snapshot format compiles in memory.
 */
export function compileManifest(manifest: SnapshotManifest | Snapshot, overrides: Readonly<Record<string, string>>, load: ShardLoader, deps: SnapshotDeps = new SnapshotDeps()): CompiledSnapshot {
  if (!("shards" in manifest)) return compileSnapshot(manifest, overrides, deps);
  const compile = compilerFor(overrides, deps);
  const inline = manifest.flags === undefined ? undefined : CompiledShard.fromFlags(manifest.flags, compile);
  const { shards, shardBits } = manifest;
  const compiled: CompiledSnapshot = {
    ...envelope(manifest),
    clientFingerprint: shards.map((s) => s.client).join(",") + segmentPrint(manifest.segments),
    segmentsFingerprint: segmentPrint(manifest.segments),
    flagCount: shards.reduce((n, s) => n + s.flags, 0),
    shardBits,
    shards,
    shard: inline ? () => inline : (index) => load(index, shards[index] as ShardRef, compile),
  };
  deps.follow(compiled, manifest.segments ?? []);
  return compiled;
}

/**
 * What flags look up at evaluation time: segments and other flags (prerequisites), always in the
 * newest snapshot this object followed. One per environment and isolate, so a flag compiled once
 * (in a shard that several versions share) sees each new version's segments and flags without
 * being compiled again; its own content cannot have changed, or its shard's hash would have.
 */
export class SnapshotDeps implements FlagDeps {
  private snapshot: CompiledSnapshot | undefined;
  private segments: ReadonlyMap<string, CompiledSegment> = new Map();
  /**
   * Prerequisite flags found in the followed snapshot, by key: a prerequisite is looked up on every
   * evaluation of the flags that need it, and finding it afresh hashes its key to its shard.
   * Emptied on each `follow`, so it never answers from an older version.
   */
  private found = new Map<string, CompiledFlag>();

  /** From now on, answer from `snapshot` (with its `segments`). */
  follow(snapshot: CompiledSnapshot, segments: readonly Segment[]): void {
    this.snapshot = snapshot;
    this.segments = compileSegments(segments);
    this.found = new Map();
  }

  segment(key: string): CompiledSegment | undefined {
    return this.segments.get(key);
  }

  /** Another flag of the snapshot, when its shard is held (`lookupFlag` loads a flag's prerequisites first). */
  flag(key: string): CompiledFlag | undefined {
    const known = this.found.get(key);
    if (known !== undefined) return known;
    const snapshot = this.snapshot;
    if (!snapshot) return undefined;
    const shard = snapshot.shard(shardOf(key, snapshot.shardBits));
    // Only a flag found is kept: a shard still loading, or a key the snapshot lacks, is asked again.
    const flag = shard instanceof Promise ? undefined : visibleIn(shard, key, "all");
    if (flag !== undefined) this.found.set(key, flag);
    return flag;
  }
}

/** Segments change what client-side flags serve, so client keys' event streams hear of them too. */
function segmentPrint(segments: readonly Segment[] | undefined): string {
  return segments?.length ? `|${segments.map((s) => `${s.key}@${s.version}`).join(",")}` : "";
}

function envelope(s: Omit<Snapshot, "flags">): Pick<CompiledSnapshot, "env" | "version" | "publishedAt" | "streamKey" | "keys"> {
  return { env: s.env, version: s.version, publishedAt: s.publishedAt, streamKey: s.streamKey, keys: new Map(Object.entries(s.keys)) };
}

const compilers = new WeakMap<Readonly<Record<string, string>>, WeakMap<FlagDeps, (flag: Flag) => CompiledFlag>>();

/**
 * Compiles a flag with its `FLAG_OVERRIDES` variant, if any, looking up segments and prerequisites
 * through `deps` (one function per overrides object and deps, so shards compiled under it can be shared).
 */
export function compilerFor(overrides: Readonly<Record<string, string>>, deps: FlagDeps = NO_DEPS): (flag: Flag) => CompiledFlag {
  let byDeps = compilers.get(overrides);
  if (!byDeps) {
    byDeps = new WeakMap();
    compilers.set(overrides, byDeps);
  }
  let compile = byDeps.get(deps);
  if (!compile) {
    compile = (flag) => withOverride(flag, Object.hasOwn(overrides, flag.key) ? overrides[flag.key] : undefined, deps);
    byDeps.set(deps, compile);
  }
  return compile;
}

/**
 * An override serves one variant to everyone, says so in metadata, and ignores `enabled`.
 * Exported so the admin explain route applies overrides exactly as the edge does.
 */
export function withOverride(flag: Flag, variant: string | undefined, deps: FlagDeps = NO_DEPS): CompiledFlag {
  if (variant === undefined || !Object.hasOwn(flag.variants, variant)) return compileFlag(flag, deps);
  const result: Evaluation = Object.freeze({
    key: flag.key,
    value: flag.variants[variant],
    variant,
    reason: "STATIC" as const,
    metadata: Object.freeze({ override: "FLAG_OVERRIDES" }),
  });
  const explanation: Explanation = Object.freeze({ evaluation: result, decidedBy: "override" as const });
  return { flag, evaluate: () => result, explain: () => explanation, constantVariant: variant };
}

/** Look up one flag as the caller may see it; its shard must be held (see `lookupFlag`). */
export function findFlag(snapshot: CompiledSnapshot, key: string, visibility: Visibility): CompiledFlag | undefined {
  const shard = snapshot.shard(shardOf(key, snapshot.shardBits));
  if (shard instanceof Promise) throw new Error(`the shard holding "${key}" is not loaded; use lookupFlag`);
  return visibleIn(shard, key, visibility);
}

/**
 * Look up one flag as the caller may see it, loading its shard (only that one) when needed, and the
 * shards of its prerequisites (transitively, as deep as prerequisites may go), so that evaluating
 * it finds them.
 */
export async function lookupFlag(snapshot: CompiledSnapshot, key: string, visibility: Visibility): Promise<CompiledFlag | undefined> {
  const found = visibleIn(await snapshot.shard(shardOf(key, snapshot.shardBits)), key, visibility);
  if (found?.flag.prerequisites?.length) await loadPrerequisites(snapshot, found.flag, 0);
  return found;
}

async function loadPrerequisites(snapshot: CompiledSnapshot, flag: Flag, depth: number): Promise<void> {
  if (depth >= MAX_PREREQUISITE_DEPTH) return;
  for (const { flag: key } of flag.prerequisites ?? []) {
    const required = visibleIn(await snapshot.shard(shardOf(key, snapshot.shardBits)), key, "all");
    if (required?.flag.prerequisites?.length) await loadPrerequisites(snapshot, required.flag, depth + 1);
  }
}

function visibleIn(shard: CompiledShard, key: string, visibility: Visibility): CompiledFlag | undefined {
  const i = shard.indexOf(key);
  if (i < 0 || (visibility === "clientSide" && !shard.isClientSide(i))) return undefined;
  return shard.at(i);
}

/** Evaluate every flag the caller may see, in key order; every shard must be held (see `evaluateEvery`). */
export function evaluateAll(snapshot: CompiledSnapshot, context: EvaluationContext, now: number, visibility: Visibility): Evaluation[] {
  const count = 2 ** snapshot.shardBits;
  const out: Evaluation[] = [];
  for (let s = 0; s < count; s++) {
    const shard = snapshot.shard(s);
    if (shard instanceof Promise) throw new Error(`shard ${s} is not loaded; use evaluateEvery`);
    evaluateShard(shard, context, now, visibility, out);
  }
  return count === 1 ? out : out.sort(byEvaluationKey);
}

/** How many shards a bulk evaluation loads at once (bounds its memory and its concurrent reads). */
export const BULK_SHARD_CONCURRENCY = 8;

/** Evaluate every flag the caller may see, in key order, loading the shards a few at a time. */
export async function evaluateEvery(snapshot: CompiledSnapshot, context: EvaluationContext, now: number, visibility: Visibility): Promise<Evaluation[]> {
  return (await visibleFlagsEvery(snapshot, visibility)).map((flag) => flag.evaluate(context, now));
}

function evaluateShard(shard: CompiledShard, context: EvaluationContext, now: number, visibility: Visibility, out: Evaluation[]): void {
  const all = visibility === "all";
  for (let i = 0; i < shard.size; i++) {
    if (all || shard.isClientSide(i)) out.push(shard.at(i).evaluate(context, now));
  }
}

const byEvaluationKey = (a: Evaluation, b: Evaluation): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The flags the caller may see, in key order, loading the shards a few at a time: what a streamed
 * bulk answer walks (in chunks) and a subset filters.
 */
export async function visibleFlagsEvery(snapshot: CompiledSnapshot, visibility: Visibility): Promise<CompiledFlag[]> {
  const count = 2 ** snapshot.shardBits;
  const out: CompiledFlag[] = [];
  for (let first = 0; first < count; first += BULK_SHARD_CONCURRENCY) {
    const window = Array.from({ length: Math.min(BULK_SHARD_CONCURRENCY, count - first) }, (_, i) => snapshot.shard(first + i));
    for (const shard of await Promise.all(window)) {
      for (let i = 0; i < shard.size; i++) if (visibility === "all" || shard.isClientSide(i)) out.push(shard.at(i));
    }
  }
  return count === 1 ? out : out.sort((a, b) => (a.flag.key < b.flag.key ? -1 : a.flag.key > b.flag.key ? 1 : 0));
}
