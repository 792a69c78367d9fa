/**
 * Builds an environment's snapshot and publishes it to its KV key: only a newer version than the
 * published one, at most one write per second (KV's per-key limit, in real time), never two writes
 * at once (so an older snapshot can never land after a newer one), and retried with backoff from
 * the Durable Object alarm on failure. The snapshot's sha-256 and version travel in the key's
 * metadata (docs/architecture.md, "Storage schema").
 */
import { randomToken, sha256Hex } from "../crypto.js";
import { utf8Bytes } from "../domain/limits.js";
import type { Snapshot } from "../domain/snapshot.js";
import { retryDelay, Serial } from "../serial.js";
import { snapshotKey } from "../snapshot-key.js";
import type { EnvironmentClock } from "./clock.js";
import type { EnvironmentStorage } from "./storage.js";

/** KV allows one write per second per key. */
export const MIN_PUBLISH_INTERVAL_MS = 1_000;

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

export class SnapshotPublisher {
  private readonly serial = new Serial();
  private cached: Snapshot | undefined;

  constructor(
    private readonly deps: {
      readonly storage: EnvironmentStorage;
      readonly kv: KVNamespace;
      readonly env: string;
      readonly clock: EnvironmentClock;
      readonly armAlarm: (at: number) => Promise<void>;
    },
  ) {}

  /** The snapshot of the current version (built once per version). A pure read: it publishes nothing. */
  current(): Snapshot {
    const { storage, env, clock } = this.deps;
    const version = storage.version();
    if (this.cached?.version !== version) {
      this.cached = { env, version, publishedAt: new Date(clock.now()).toISOString(), flags: storage.listFlags(), keys: storage.activeKeyGrants(), streamKey: this.streamKey() };
    }
    return this.cached;
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

  /** Publishes the current snapshot if KV is behind. Never throws. */
  publish(): Promise<void> {
    return this.serial.run(() => this.publishOnce());
  }

  private async publishOnce(): Promise<void> {
    const { storage, kv, env, armAlarm } = this.deps;
    const snapshot = this.current();
    if (this.publishedVersion() >= snapshot.version) return;
    const now = Date.now();
    const last = Number(storage.getMeta("last_publish_at") ?? "0");
    if (now - last < MIN_PUBLISH_INTERVAL_MS) {
      await armAlarm(last + MIN_PUBLISH_INTERVAL_MS);
      return;
    }
    storage.setMeta("last_publish_at", now);
    const body = JSON.stringify(snapshot);
    try {
      await kv.put(snapshotKey(env), body, { metadata: { version: snapshot.version, hash: await sha256Hex(body) } });
      storage.setMeta("published_version", snapshot.version);
      storage.setMeta("largest_value_bytes", utf8Bytes(body));
      storage.setMeta("publish_failures", 0);
      storage.deleteMeta("last_publish_error");
    } catch (error) {
      const failures = Number(storage.getMeta("publish_failures") ?? "0") + 1;
      storage.setMeta("publish_failures", failures);
      storage.setMeta("last_publish_error", String(error));
      await armAlarm(now + retryDelay(failures));
      return;
    }
    // A change committed while the write was in flight gets its own publish.
    if (storage.version() > snapshot.version) await armAlarm(Date.now() + MIN_PUBLISH_INTERVAL_MS);
  }
}
