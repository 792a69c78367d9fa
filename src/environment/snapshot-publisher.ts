/**
 * Publishes an environment's snapshot to its KV key (DESIGN §1): only a newer version than the
 * published one, at most one write per second (KV's per-key limit), never two writes at once (so
 * an older snapshot can never land after a newer one), and retried with backoff from the Durable
 * Object alarm on failure. The snapshot's sha-256 and version travel in the key's metadata.
 */
import { sha256Hex } from "../crypto.js";
import type { Snapshot } from "../domain/snapshot.js";
import { snapshotKey } from "../snapshot-key.js";
import { retryDelay, Serial } from "./serial.js";
import type { EnvironmentStorage } from "./storage.js";

/** KV allows one write per second per key. */
export const MIN_PUBLISH_INTERVAL_MS = 1_000;

export class SnapshotPublisher {
  private readonly serial = new Serial();

  constructor(
    private readonly deps: {
      readonly storage: EnvironmentStorage;
      readonly kv: KVNamespace;
      readonly env: string;
      readonly snapshot: () => Snapshot;
      readonly armAlarm: (at: number) => Promise<void>;
    },
  ) {}

  publishedVersion(): number {
    return Number(this.deps.storage.getMeta("published_version") ?? "-1");
  }

  /** Publishes the current snapshot if KV is behind. Never throws. */
  publish(): Promise<void> {
    return this.serial.run(() => this.publishOnce());
  }

  private async publishOnce(): Promise<void> {
    const { storage, kv, env, armAlarm } = this.deps;
    const snapshot = this.deps.snapshot();
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
