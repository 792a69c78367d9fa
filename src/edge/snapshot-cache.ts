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
 */
import type { Config } from "../config.js";
import { compileSnapshot, type CompiledSnapshot, type Snapshot } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import { environmentStub } from "../environment/api.js";
import { snapshotKey } from "../snapshot-key.js";

/** How long edge locations may cache a KV read; KV propagation is ~60 s anyway. */
const KV_CACHE_TTL_SECONDS = 60;

interface Entry {
  compiled: CompiledSnapshot;
  checkedAt: number;
}

const entries = new Map<string, Entry>();
const refreshing = new Map<string, Promise<CompiledSnapshot>>();

export interface SnapshotSource {
  readonly env: Env;
  readonly config: Config;
}

/** The environment's snapshot as the edge serves it (eventually consistent). */
export async function edgeSnapshot(source: SnapshotSource, envName: string, now: number): Promise<CompiledSnapshot> {
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
  const answer = await environmentStub(source.env, envName).getSnapshot(held?.compiled.version);
  if ("unchanged" in answer && held) {
    held.checkedAt = now;
    return held.compiled;
  }
  return remember(source, envName, answer as Snapshot, now);
}

async function refreshFromKv(source: SnapshotSource, envName: string, now: number): Promise<CompiledSnapshot> {
  const held = entries.get(envName);
  const { value, metadata } = await source.env.FLAGS_KV.getWithMetadata<{ version?: number }>(snapshotKey(envName), {
    type: "stream",
    cacheTtl: KV_CACHE_TTL_SECONDS,
  });
  if (value === null) {
    const answer = await environmentStub(source.env, envName).getSnapshot();
    return remember(source, envName, answer as Snapshot, now);
  }
  if (held && metadata?.version === held.compiled.version) {
    await value.cancel();
    held.checkedAt = now;
    return held.compiled;
  }
  // The single writer is our own Durable Object, which validated every flag before publishing.
  const snapshot = JSON.parse(await new Response(value).text()) as Snapshot;
  return remember(source, envName, snapshot, now);
}

/** Keep the newest version seen; never step back to an older one (KV may lag the DO). */
function remember(source: SnapshotSource, envName: string, snapshot: Snapshot, now: number): CompiledSnapshot {
  const held = entries.get(envName);
  if (held && held.compiled.version >= snapshot.version) {
    held.checkedAt = now;
    return held.compiled;
  }
  const compiled = compileSnapshot(snapshot, source.config.overrides[envName]);
  entries.set(envName, { compiled, checkedAt: now });
  return compiled;
}

/** Test hook: forget every cached snapshot in this isolate. */
export function clearSnapshotCache(): void {
  entries.clear();
  refreshing.clear();
}
