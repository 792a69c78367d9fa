/**
 * Builds an environment's snapshot and publishes it to KV (docs/architecture.md, "KV snapshot"):
 * first the shards the manifest names that KV does not hold yet (immutable keys named by their
 * hash, so a one-flag change writes one shard), then the manifest at `snapshot:{env}`, whose
 * metadata carries the version and the manifest's sha-256. A reader therefore never sees a
 * manifest naming a shard that is missing. Only a newer version than the published one is written,
 * the manifest at most once per second (KV's per-key limit, in real time), never two publishes at
 * once (so an older manifest can never land after a newer one), and a failure is retried with
 * backoff from the Durable Object alarm. Shards the manifest stops naming are deleted
 * `RETIRED_SHARD_TTL_MS` later, once no edge can still hold a manifest that names them.
 */
import { randomToken, sha256Hex } from "../crypto.js";
import { utf8Bytes } from "../domain/limits.js";
import type { SnapshotManifest } from "../domain/snapshot.js";
import { retryDelay, Serial } from "../serial.js";
import { shardKey, snapshotKey } from "../snapshot-key.js";
import type { EnvironmentClock } from "./clock.js";
import { SnapshotLayout } from "./snapshot-layout.js";
import type { EnvironmentStorage } from "./storage.js";

/** KV allows one write per second per key. */
export const MIN_PUBLISH_INTERVAL_MS = 1_000;
/** A shard no manifest names any more is deleted this long after (edge caches hold a manifest ≤ ~1 min). */
export const RETIRED_SHARD_TTL_MS = 10 * 60_000;
/** KV writes or deletes per publish, under the platform's per-invocation subrequest limit; the rest follow from the alarm. */
export const MAX_KV_OPERATIONS_PER_PUBLISH = 400;
/** Concurrent shard writes. */
const WRITE_CONCURRENCY = 16;

export interface PublishStatus {
  readonly publishedVersion: number;
  /** Epoch ms (wall clock) of the last KV write attempt. */
  readonly lastPublishAt: number | null;
  readonly lastPublishError: string | null;
  /**
   * UTF-8 bytes of the largest value the last successful publish wrote to KV (the snapshot; with a
   * sharded snapshot, its largest shard or manifest), null before the first publish. /health
   * compares it with KV's 25 MiB value limit.
   */
  readonly largestValueBytes: number | null;
}

interface Retired {
  readonly key: string;
  readonly at: number;
}

export class SnapshotPublisher {
  private readonly serial = new Serial();
  private readonly layout: SnapshotLayout;
  private stamped: { version: number; publishedAt: string } | undefined;
  private built: { version: number; manifest: Promise<SnapshotManifest> } | undefined;
  /** Shard keys known to be in KV (named by the published manifest, retired, or written since). */
  private inKv: Set<string> | undefined;

  constructor(
    private readonly deps: {
      readonly storage: EnvironmentStorage;
      readonly kv: KVNamespace;
      readonly env: string;
      readonly clock: EnvironmentClock;
      readonly armAlarm: (at: number) => Promise<void>;
    },
  ) {
    this.layout = new SnapshotLayout(deps.storage);
  }

  /** The current version and when its snapshot was built (environment clock; fixed once per version). */
  stamp(): { version: number; publishedAt: string } {
    const version = this.deps.storage.version();
    if (this.stamped?.version !== version) this.stamped = { version, publishedAt: new Date(this.deps.clock.now()).toISOString() };
    return this.stamped;
  }

  /** The manifest of the current version (built once per version). A pure read: it publishes nothing. */
  current(): Promise<SnapshotManifest> {
    const { version, publishedAt } = this.stamp();
    if (this.built?.version !== version) {
      const { storage, env } = this.deps;
      const envelope = { env, version, publishedAt, keys: storage.activeKeyGrants(), streamKey: this.streamKey(), segments: storage.segments.list() };
      const manifest = this.layout.build().then(({ shardBits, shards, inline }) => ({ ...envelope, shardBits, shards: [...shards], ...(inline && { flags: [...inline] }) }));
      this.built = { version, manifest };
      // A failed build is not cached: the next call builds again.
      manifest.catch(() => {
        if (this.built?.manifest === manifest) this.built = undefined;
      });
      return manifest;
    }
    return this.built.manifest;
  }

  /** Shard `index` of the current version if its hash is `hash` (an edge whose KV lags asks), else undefined. */
  shardText(index: number, hash: string): Promise<string | undefined> {
    return this.layout.text(index, hash);
  }

  /** The environment's stream-signing secret, created the first time it is needed and never changed. */
  private streamKey(): string {
    const { storage } = this.deps;
    const existing = storage.getMeta("stream_key");
    if (existing !== undefined) return existing;
    const created = randomToken(43);
    storage.setMeta("stream_key", created);
    return created;
  }

  publishedVersion(): number {
    return Number(this.deps.storage.getMeta("published_version") ?? "-1");
  }

  status(): PublishStatus {
    const { storage } = this.deps;
    const last = storage.getMeta("last_publish_at");
    const largest = storage.getMeta("largest_value_bytes");
    return {
      publishedVersion: this.publishedVersion(),
      lastPublishAt: last === undefined ? null : Number(last),
      lastPublishError: storage.getMeta("last_publish_error") ?? null,
      largestValueBytes: largest === undefined ? null : Number(largest),
    };
  }

  /** Publishes the current snapshot if KV is behind, and deletes retired shards that are due. Never throws. */
  publish(): Promise<void> {
    return this.serial.run(() => this.publishOnce());
  }

  private async publishOnce(): Promise<void> {
    const { storage, kv, env, armAlarm } = this.deps;
    const now = Date.now();
    let manifest: SnapshotManifest;
    try {
      await this.sweep(now);
      manifest = await this.current();
    } catch (error) {
      return this.failed(now, error);
    }
    if (this.publishedVersion() >= manifest.version) return;
    const last = Number(storage.getMeta("last_publish_at") ?? "0");
    if (now - last < MIN_PUBLISH_INTERVAL_MS) {
      await armAlarm(last + MIN_PUBLISH_INTERVAL_MS);
      return;
    }
    storage.setMeta("last_publish_at", now);
    const body = JSON.stringify(manifest);
    try {
      const complete = await this.writeShards(manifest);
      if (!complete) {
        await armAlarm(Date.now() + 1);
        return;
      }
      await kv.put(snapshotKey(env), body, { metadata: { version: manifest.version, hash: await sha256Hex(body) } });
      storage.setMeta("published_version", manifest.version);
      // What /health compares with KV's value limit: the largest of the manifest and the shards it
      // names (an inline manifest writes no shard value: its one shard travels inside it).
      const shardBytes = manifest.flags === undefined ? manifest.shards.map((s) => s.bytes) : [];
      storage.setMeta("largest_value_bytes", Math.max(utf8Bytes(body), ...shardBytes));
      storage.setMeta("publish_failures", 0);
      storage.deleteMeta("last_publish_error");
      await this.retire(manifest, now);
    } catch (error) {
      return this.failed(now, error);
    }
    // A change committed while the write was in flight gets its own publish.
    if (storage.version() > manifest.version) await armAlarm(Date.now() + MIN_PUBLISH_INTERVAL_MS);
  }

  private async failed(now: number, error: unknown): Promise<void> {
    const { storage, armAlarm } = this.deps;
    const failures = Number(storage.getMeta("publish_failures") ?? "0") + 1;
    storage.setMeta("publish_failures", failures);
    storage.setMeta("last_publish_error", String(error));
    await armAlarm(now + retryDelay(failures));
  }

  /** The manifest's shards KV does not have yet; true when all are written (false: more than one publish's share). */
  private async writeShards(manifest: SnapshotManifest): Promise<boolean> {
    if (manifest.flags !== undefined) return true;
    const { kv, env } = this.deps;
    const inKv = this.knownInKv();
    const missing = manifest.shards.map((ref, index) => ({ index, ref, key: shardKey(env, index, ref.hash) })).filter((s) => !inKv.has(s.key));
    const batch = missing.slice(0, MAX_KV_OPERATIONS_PER_PUBLISH);
    for (let i = 0; i < batch.length; i += WRITE_CONCURRENCY) {
      await Promise.all(
        batch.slice(i, i + WRITE_CONCURRENCY).map(async ({ index, ref, key }) => {
          const text = this.layout.pendingText(index) ?? (await this.layout.text(index, ref.hash));
          if (text === undefined) throw new Error(`shard ${index} changed while publishing`);
          await kv.put(key, text);
          inKv.add(key);
          await this.layout.written(index, ref.hash);
        }),
      );
    }
    return batch.length === missing.length;
  }

  private knownInKv(): Set<string> {
    if (!this.inKv) this.inKv = new Set([...this.publishedShards(), ...this.retiredShards().map((r) => r.key)]);
    return this.inKv;
  }

  private publishedShards(): string[] {
    return JSON.parse(this.deps.storage.getMeta("published_shards") ?? "[]") as string[];
  }

  private retiredShards(): Retired[] {
    return JSON.parse(this.deps.storage.getMeta("retired_shards") ?? "[]") as Retired[];
  }

  /** After a manifest is in KV: the shards it stopped naming are due for deletion later. */
  private async retire(manifest: SnapshotManifest, now: number): Promise<void> {
    const { storage, env, armAlarm } = this.deps;
    const named = manifest.flags !== undefined ? [] : manifest.shards.map((ref, index) => shardKey(env, index, ref.hash));
    const current = new Set(named);
    const retired = this.retiredShards().filter((r) => !current.has(r.key));
    for (const key of this.publishedShards()) if (!current.has(key)) retired.push({ key, at: now });
    storage.setMeta("published_shards", JSON.stringify(named));
    storage.setMeta("retired_shards", JSON.stringify(retired));
    if (retired.length > 0) await armAlarm(Math.min(...retired.map((r) => r.at)) + RETIRED_SHARD_TTL_MS);
  }

  /** Deletes the retired shards whose time has come (a bounded number per call; the alarm does the rest). */
  private async sweep(now: number): Promise<void> {
    const due = this.retiredShards().filter((r) => now - r.at >= RETIRED_SHARD_TTL_MS).slice(0, MAX_KV_OPERATIONS_PER_PUBLISH);
    if (due.length === 0) return;
    const { storage, kv, armAlarm } = this.deps;
    const deleted = new Set<string>();
    for (let i = 0; i < due.length; i += WRITE_CONCURRENCY) {
      const settled = await Promise.allSettled(due.slice(i, i + WRITE_CONCURRENCY).map(async (r) => kv.delete(r.key).then(() => r.key)));
      for (const result of settled) if (result.status === "fulfilled") deleted.add(result.value);
    }
    for (const key of deleted) this.inKv?.delete(key);
    const left = this.retiredShards().filter((r) => !deleted.has(r.key));
    storage.setMeta("retired_shards", JSON.stringify(left));
    if (left.length === 0) return;
    // A delete that failed is tried again in a minute, not at once.
    const next = Math.min(...left.map((r) => r.at)) + RETIRED_SHARD_TTL_MS;
    await armAlarm(deleted.size < due.length ? Math.max(next, now + 60_000) : next);
  }
}
