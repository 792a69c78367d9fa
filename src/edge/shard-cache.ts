/**
 * The isolate's snapshot shards (docs/architecture.md, "KV snapshot"), per environment, by hash.
 * A shard's KV key names its hash, so it never changes: a new manifest reuses every shard whose
 * hash it still names (with the flags already compiled in it), and only a changed shard is read.
 *
 * - A shard is read from KV with a long `cacheTtl` (it is immutable), and from the environment's
 *   Durable Object when KV does not have it (a strong read ahead of KV, a KV location that has not
 *   seen it yet). Concurrent loads of one shard share one read.
 * - Each environment keeps at most `SHARD_HEAP_BUDGET_BYTES` of shards (text, index and compiled
 *   flags, estimated), least recently used first out; an evicted shard is read again when needed.
 */
import type { CompiledFlag } from "../domain/evaluate.js";
import type { Flag } from "../domain/flag.js";
import { CompiledShard } from "../domain/snapshot-shard.js";
import type { ShardLoader, ShardRef } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import { environmentStub } from "../environment/api.js";
import { shardKey } from "../snapshot-key.js";

/** Shards never change, so edge locations may cache them long (a retired shard is deleted 10 min after). */
const SHARD_CACHE_TTL_SECONDS = 300;
/** What one environment's shards may take on this isolate's heap (3 environments fit 128 MiB with room). */
export const SHARD_HEAP_BUDGET_BYTES = 12 * 1024 * 1024;

interface EnvShards {
  compile: (flag: Flag) => CompiledFlag;
  /** By hash; Map order is recency (a hit moves to the end). */
  readonly held: Map<string, CompiledShard>;
  readonly loading: Map<string, Promise<CompiledShard>>;
}

const environments = new Map<string, EnvShards>();
let durableObjectShardReads = 0;

/**
 * The loader a compiled manifest of `envName` gets its shards from. `onStale` is told when a shard
 * is in neither KV nor the Durable Object's current snapshot (the manifest is outdated), so the
 * next request reads the manifest again instead of failing the same way.
 */
export function shardLoader(env: Env, envName: string, onStale: () => void = () => {}): ShardLoader {
  return (index, ref, compile) => {
    const shards = shardsOf(envName, compile);
    const held = shards.held.get(ref.hash);
    if (held) {
      shards.held.delete(ref.hash);
      shards.held.set(ref.hash, held);
      return held;
    }
    let pending = shards.loading.get(ref.hash);
    if (!pending) {
      pending = load(env, envName, index, ref, compile, onStale)
        .then((shard) => keep(shards, ref.hash, shard))
        .finally(() => shards.loading.delete(ref.hash));
      shards.loading.set(ref.hash, pending);
    }
    return pending;
  };
}

function shardsOf(envName: string, compile: (flag: Flag) => CompiledFlag): EnvShards {
  let shards = environments.get(envName);
  // Other overrides compile other flags: shards compiled under the old ones are dropped.
  if (!shards || shards.compile !== compile) {
    shards = { compile, held: new Map(), loading: new Map() };
    environments.set(envName, shards);
  }
  return shards;
}

async function load(env: Env, envName: string, index: number, ref: ShardRef, compile: (flag: Flag) => CompiledFlag, onStale: () => void): Promise<CompiledShard> {
  let text = await env.FLAGS_KV.get(shardKey(envName, index, ref.hash), { type: "text", cacheTtl: SHARD_CACHE_TTL_SECONDS });
  if (text === null) {
    durableObjectShardReads++;
    text = await environmentStub(env, envName).getShard(index, ref.hash);
  }
  if (text === null) {
    onStale();
    throw new Error(`snapshot shard ${index} (${ref.hash}) of ${envName} is neither in KV nor current`);
  }
  return CompiledShard.fromText(text, compile);
}

function keep(shards: EnvShards, hash: string, shard: CompiledShard): CompiledShard {
  shards.held.set(hash, shard);
  let total = 0;
  for (const s of shards.held.values()) total += s.heapBytes();
  for (const [oldest, s] of shards.held) {
    if (total <= SHARD_HEAP_BUDGET_BYTES || oldest === hash) break;
    shards.held.delete(oldest);
    total -= s.heapBytes();
  }
  return shard;
}

/** Test seam: shards this isolate had to ask a Durable Object for. */
export function durableObjectShardReadCount(): number {
  return durableObjectShardReads;
}

/** Test seam: how many shards of `envName` this isolate holds. */
export function heldShardCount(envName: string): number {
  return environments.get(envName)?.held.size ?? 0;
}

/** Test hook: forget every shard. */
export function clearShardCache(): void {
  environments.clear();
}
