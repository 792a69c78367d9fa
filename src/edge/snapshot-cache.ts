/**
 * The read path's snapshot cache (docs/architecture.md, "Latency path").
 *
 * - Module scope holds the compiled snapshot per environment; within `snapshotRefreshMs` of the
 *   last check a request costs no KV read at all.
 * - After that, one KV read (with `cacheTtl`) checks the version in the key's metadata; an
 *   unchanged version skips parsing and compiling. Concurrent refreshes in one isolate share a read.
 * - A KV miss (never published, or a brand-new environment) falls back to the Durable Object.
 * - A strongly consistent read asks the Durable Object, which answers "unchanged" when the isolate
 *   already holds its version.
 * - Every Durable Object answer is remembered with its time (`sawDurableObjectWithin`), so the
 *   strong path can refuse a key unknown to a snapshot that is that fresh without asking again.
 * - A read with `minVersion` (an OFREP re-fetch after a change event, `?flagConfigEtag=n`) is served
 *   from a snapshot at least that new when one exists: when the isolate holds an older one it reads
 *   through, KV with the smallest `cacheTtl`, then the Durable Object when KV still lags. Concurrent
 *   read-throughs of one environment share one read. When the Durable Object itself is behind the
 *   version asked for (a made-up etag), its version is served and remembered, so further such
 *   requests cost no I/O for `FAR_AHEAD_MEMORY_MS` (or the refresh interval, if longer).
 * - What is read and compiled here is the manifest only (small: SDK key grants, stream key, one
 *   entry per shard; a small environment's flags inline). Shards are loaded when a flag in them is
 *   asked for (src/edge/shard-cache.ts), so a new version costs the manifest plus the shards that
 *   changed, and the Durable Object fallback ships a manifest and then single shards, never all flags.
 *   A shard gone from both KV and the Durable Object (the held manifest is outdated) fails that
 *   request, and the environment's next read asks the Durable Object for its current manifest.
 */
import type { Config } from "../config.js";
import { compileManifest, SnapshotDeps, type CompiledSnapshot, type Snapshot, type SnapshotManifest } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import { environmentStub } from "../environment/api.js";
import { snapshotKey } from "../snapshot-key.js";
import { clearShardCache, shardLoader } from "./shard-cache.js";

/** How long edge locations may cache a KV read; KV propagation is ~60 s anyway. */
const KV_CACHE_TTL_SECONDS = 60;
/** The smallest `cacheTtl` KV accepts: a read-through cannot bypass the edge cache, only shorten it. */
const KV_MIN_CACHE_TTL_SECONDS = 30;
const NO_OVERRIDES: Readonly<Record<string, string>> = Object.freeze({});
/** The least time a "the Durable Object is behind the version asked for" answer is trusted. */
export const FAR_AHEAD_MEMORY_MS = 5_000;

interface Entry {
  compiled: CompiledSnapshot;
  checkedAt: number;
}

const entries = new Map<string, Entry>();
/**
 * One per environment: flags compiled in shards shared across versions resolve segments and
 * prerequisites through it, and it always answers from the newest snapshot remembered.
 */
const depsByEnv = new Map<string, SnapshotDeps>();
const refreshing = new Map<string, Promise<CompiledSnapshot>>();
const readingThrough = new Map<string, Promise<CompiledSnapshot>>();
/**
 * Per environment: the Durable Object said its version was `version` (at `at`) when a newer one was
 * asked for. Until it expires, asking for anything newer than `version` is answered from the isolate.
 */
const farAhead = new Map<string, { version: number; at: number }>();
/** Environments whose held manifest named a shard that is gone: their next read goes to the Durable Object. */
const outdated = new Set<string>();
/** When this isolate last had an answer from each environment's Durable Object (epoch ms). */
const durableObjectSeenAt = new Map<string, number>();
/** Snapshot requests this isolate sent to Durable Objects (a seam for tests: refusals must cost none). */
let durableObjectReads = 0;

export interface SnapshotSource {
  readonly env: Env;
  readonly config: Config;
}

export interface SnapshotWants {
  /** Serve a snapshot at least this new if the environment has one (`?flagConfigEtag`). */
  readonly minVersion?: number;
}

/**
 * The environment's snapshot as the edge serves it (eventually consistent), or at least
 * `wants.minVersion` when that version exists (never older than what the isolate holds).
 */
export async function edgeSnapshot(source: SnapshotSource, envName: string, now: number, wants: SnapshotWants = {}): Promise<CompiledSnapshot> {
  const cached = await cachedSnapshot(source, envName, now);
  const { minVersion } = wants;
  if (minVersion === undefined || cached.version >= minVersion) return cached;
  return readThrough(source, envName, now, minVersion);
}

async function cachedSnapshot(source: SnapshotSource, envName: string, now: number): Promise<CompiledSnapshot> {
  if (outdated.delete(envName)) return strongSnapshot(source, envName, now);
  const entry = entries.get(envName);
  if (entry && now - entry.checkedAt < source.config.snapshotRefreshMs) return entry.compiled;
  let pending = refreshing.get(envName);
  if (!pending) {
    pending = refreshFromKv(source, envName, now).finally(() => refreshing.delete(envName));
    refreshing.set(envName, pending);
  }
  return pending;
}

/** The environment's snapshot straight from its Durable Object (strongly consistent). */
export async function strongSnapshot(source: SnapshotSource, envName: string, now: number): Promise<CompiledSnapshot> {
  const held = entries.get(envName);
  const answer = await askDurableObject(source, envName, now, held?.compiled.version);
  if ("unchanged" in answer && held) {
    held.checkedAt = now;
    return held.compiled;
  }
  return remember(source, envName, answer as SnapshotManifest, now);
}

/**
 * Join a read-through already under way; when its answer is still too old, start one more (at most
 * once per caller), unless the Durable Object recently said it is behind what is asked for.
 */
async function readThrough(source: SnapshotSource, envName: string, now: number, minVersion: number): Promise<CompiledSnapshot> {
  for (let attempt = 0; ; attempt++) {
    const pending = readingThrough.get(envName);
    if (pending) {
      const shared = await pending;
      if (shared.version >= minVersion || attempt > 0) return shared;
      continue;
    }
    const held = entries.get(envName);
    const behind = farAhead.get(envName);
    const memoryMs = Math.max(FAR_AHEAD_MEMORY_MS, source.config.snapshotRefreshMs);
    if (held && behind && now - behind.at < memoryMs && held.compiled.version >= behind.version) return held.compiled;
    const started = readThroughOnce(source, envName, now, minVersion).finally(() => readingThrough.delete(envName));
    readingThrough.set(envName, started);
    return started;
  }
}

async function readThroughOnce(source: SnapshotSource, envName: string, now: number, minVersion: number): Promise<CompiledSnapshot> {
  const { value, metadata } = await source.env.FLAGS_KV.getWithMetadata<{ version?: number }>(snapshotKey(envName), {
    type: "stream",
    cacheTtl: KV_MIN_CACHE_TTL_SECONDS,
  });
  if (value !== null) {
    const kvVersion = metadata?.version ?? -1;
    if (kvVersion >= minVersion && kvVersion > (entries.get(envName)?.compiled.version ?? -1)) {
      const snapshot = JSON.parse(await new Response(value).text()) as SnapshotManifest | Snapshot;
      return remember(source, envName, snapshot, now);
    }
    await value.cancel();
  }
  // KV still lags (or has nothing): the Durable Object has the current version.
  const held = entries.get(envName);
  if (held && held.compiled.version >= minVersion) return held.compiled;
  const answer = await askDurableObject(source, envName, now, held?.compiled.version);
  let compiled: CompiledSnapshot;
  if ("unchanged" in answer && held) {
    held.checkedAt = now;
    compiled = held.compiled;
  } else {
    compiled = remember(source, envName, answer as SnapshotManifest, now);
  }
  if (compiled.version < minVersion) farAhead.set(envName, { version: compiled.version, at: now });
  return compiled;
}

async function refreshFromKv(source: SnapshotSource, envName: string, now: number): Promise<CompiledSnapshot> {
  const held = entries.get(envName);
  const { value, metadata } = await source.env.FLAGS_KV.getWithMetadata<{ version?: number }>(snapshotKey(envName), {
    type: "stream",
    cacheTtl: KV_CACHE_TTL_SECONDS,
  });
  if (value === null) {
    const answer = await askDurableObject(source, envName, now);
    return remember(source, envName, answer as SnapshotManifest, now);
  }
  if (held && metadata?.version === held.compiled.version) {
    await value.cancel();
    held.checkedAt = now;
    return held.compiled;
  }
  // The single writer is our own Durable Object, which validated every flag before publishing.
  const snapshot = JSON.parse(await new Response(value).text()) as SnapshotManifest | Snapshot;
  return remember(source, envName, snapshot, now);
}

async function askDurableObject(source: SnapshotSource, envName: string, now: number, heldVersion?: number) {
  durableObjectReads++;
  const answer = await environmentStub(source.env, envName).getSnapshot(heldVersion);
  durableObjectSeenAt.set(envName, now);
  return answer;
}

/**
 * True when this isolate's snapshot of `envName` came from (or was confirmed by) its Durable Object
 * less than `ms` ago: whatever it lacks is newer than that, or does not exist.
 */
export function sawDurableObjectWithin(envName: string, now: number, ms: number): boolean {
  const seen = durableObjectSeenAt.get(envName);
  return seen !== undefined && now - seen < ms && entries.has(envName);
}

/** Test seam: how many snapshot requests this isolate has sent to Durable Objects. */
export function durableObjectSnapshotReads(): number {
  return durableObjectReads;
}

/** Keep the newest version seen; never step back to an older one (KV may lag the DO). */
function remember(source: SnapshotSource, envName: string, snapshot: SnapshotManifest | Snapshot, now: number): CompiledSnapshot {
  const held = entries.get(envName);
  if (held && held.compiled.version >= snapshot.version) {
    held.checkedAt = now;
    return held.compiled;
  }
  // A shard this manifest names is in neither KV nor the Durable Object: the next request asks the Durable Object.
  let deps = depsByEnv.get(envName);
  if (!deps) {
    deps = new SnapshotDeps();
    depsByEnv.set(envName, deps);
  }
  const compiled = compileManifest(snapshot, source.config.overrides[envName] ?? NO_OVERRIDES, shardLoader(source.env, envName, () => outdated.add(envName)), deps);
  entries.set(envName, { compiled, checkedAt: now });
  return compiled;
}

/** Test hook: forget every cached snapshot in this isolate. */
export function clearSnapshotCache(): void {
  entries.clear();
  depsByEnv.clear();
  refreshing.clear();
  readingThrough.clear();
  farAhead.clear();
  durableObjectSeenAt.clear();
  outdated.clear();
  clearShardCache();
}
