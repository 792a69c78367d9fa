/**
 * The Environment Durable Object's SQLite schema and the queries on it. Synchronous on purpose:
 * a mutation reads, decides and writes with no `await` in between, so it commits atomically.
 *
 * Tables
 * - meta(name, value): small named values, each owned by one module (see `MetaKey`).
 * - flags(key, body, version, updated_at, archived_at): one row per flag; `body` is the validated
 *   flag JSON; archived flags keep their row (and version) but leave the snapshot.
 * - sdk_keys(id, name, kind, key_hash, created_at, revoked_at): SDK keys, only their SHA-256 hash.
 * - segments, flag_refs: see src/environment/segment-store.ts (`segments`).
 * - audit_outbox, audit_state: see src/audit/outbox.ts.
 */
import { Flag } from "../domain/flag.js";
import type { EnvironmentUsage } from "../domain/limits.js";
import type { SdkKeyRecord } from "../domain/sdk-key.js";
import type { SdkKeyGrant, SdkKeyKind } from "../domain/snapshot.js";
import { SegmentStore } from "./segment-store.js";

/**
 * Keys of the `meta` table, each with its one owner (the module that writes it):
 * - `version` (EnvironmentStorage): the environment's state version; grows on every change.
 * - `seeded` (FlagCommands): when the environment was seeded (ISO); present = never seed again.
 * - `overrides` (FlagCommands): the FLAG_OVERRIDES last recorded in the audit log (sorted JSON).
 * - `clock` (EnvironmentClock): the environment clock's high-water mark (epoch ms).
 * - `published_version`, `last_publish_at`, `last_publish_error`, `publish_failures`
 *   (SnapshotPublisher): what KV has, when it was last written (epoch ms, wall clock), and the
 *   failure streak while writes fail; `largest_value_bytes` (SnapshotPublisher): UTF-8 bytes of the
 *   largest value the last successful publish wrote (headroom under KV's value limit, /health).
 * - `last_metrics_error` (Rollouts): the metrics source's last read error, cleared by a good read.
 * - `stream_key` (SnapshotPublisher): the random secret that signs event-stream tokens; created
 *   once, published in the snapshot.
 * - `published_shards`, `retired_shards` (SnapshotPublisher): the KV keys of the shards the
 *   published manifest names (JSON array), and of those it no longer names, with when (JSON
 *   `[{key, at}]`, epoch ms, wall clock), deleted `RETIRED_SHARD_TTL_MS` later.
 */
export type MetaKey =
  | "version"
  | "seeded"
  | "overrides"
  | "clock"
  | "published_version"
  | "last_publish_at"
  | "last_publish_error"
  | "publish_failures"
  | "largest_value_bytes"
  | "last_metrics_error"
  | "stream_key"
  | "published_shards"
  | "retired_shards";

export class EnvironmentStorage {
  /** Segments and what flags refer to; flag writes here keep its references current. */
  readonly segments: SegmentStore;

  constructor(private readonly sql: SqlStorage) {
    this.segments = new SegmentStore(sql);
  }

  /** Idempotent schema setup (PRAGMA user_version is not authorized in Durable Object SQLite). */
  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS flags (
        key TEXT PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL,
        archived_at TEXT);
      CREATE TABLE IF NOT EXISTS sdk_keys (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('client','server')),
        key_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
    `);
    this.segments.migrate();
  }

  getMeta(name: MetaKey): string | undefined {
    const rows = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray();
    return rows[0]?.value;
  }

  setMeta(name: MetaKey, value: string | number): void {
    this.sql.exec(
      "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      name,
      String(value),
    );
  }

  deleteMeta(name: MetaKey): void {
    this.sql.exec("DELETE FROM meta WHERE name = ?", name);
  }

  /** The environment's state version; it only grows. */
  version(): number {
    return Number(this.getMeta("version") ?? "0");
  }

  bumpVersion(): number {
    const next = this.version() + 1;
    this.setMeta("version", next);
    return next;
  }

  flagCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM flags WHERE archived_at IS NULL").one().n;
  }

  /** How many live flags there are and their stored bytes (UTF-8): what the snapshot's flags take. */
  flagUsage(): EnvironmentUsage {
    const row = this.sql
      .exec<{ n: number; bytes: number | null }>("SELECT COUNT(*) AS n, SUM(octet_length(body)) AS bytes FROM flags WHERE archived_at IS NULL")
      .one();
    return { flags: row.n, bytes: row.bytes ?? 0 };
  }

  /** Live (not archived) flags, by key. */
  listFlags(): Flag[] {
    return this.sql
      .exec<{ body: string }>("SELECT body FROM flags WHERE archived_at IS NULL ORDER BY key")
      .toArray()
      .map((row) => storedFlag(row.body));
  }

  /** Live flags' per-flag versions by key: what tells the snapshot layout which shards changed. */
  liveFlagVersions(): Map<string, number> {
    const out = new Map<string, number>();
    for (const row of this.sql.exec<{ key: string; version: number }>("SELECT key, version FROM flags WHERE archived_at IS NULL")) out.set(row.key, row.version);
    return out;
  }

  /** Every live flag's stored JSON, by key (a cursor: rows are read as they are iterated). */
  liveFlagBodies(): Iterable<{ key: string; body: string }> {
    return this.sql.exec<{ key: string; body: string }>("SELECT key, body FROM flags WHERE archived_at IS NULL");
  }

  /** A live flag's stored JSON, or undefined. */
  liveFlagBody(key: string): string | undefined {
    return this.sql.exec<{ body: string }>("SELECT body FROM flags WHERE key = ? AND archived_at IS NULL", key).toArray()[0]?.body;
  }

  /** A live flag, or undefined when it does not exist or is archived. */
  getFlag(key: string): Flag | undefined {
    const row = this.sql
      .exec<{ body: string }>("SELECT body FROM flags WHERE key = ? AND archived_at IS NULL", key)
      .toArray()[0];
    return row ? storedFlag(row.body) : undefined;
  }

  /** The stored version of a key, archived or not (0 when never written). */
  storedVersion(key: string): number {
    return this.sql.exec<{ version: number }>("SELECT version FROM flags WHERE key = ?", key).toArray()[0]?.version ?? 0;
  }

  /** Insert, replace or un-archive a flag; its `version` becomes the stored version + 1. */
  putFlag(flag: Flag, now: string): Flag {
    const stored: Flag = { ...flag, salt: flag.salt ?? flag.key, version: this.storedVersion(flag.key) + 1, updatedAt: now };
    this.sql.exec(
      `INSERT INTO flags (key, body, version, updated_at, archived_at) VALUES (?, ?, ?, ?, NULL)
       ON CONFLICT(key) DO UPDATE SET body = excluded.body, version = excluded.version,
         updated_at = excluded.updated_at, archived_at = NULL`,
      stored.key,
      JSON.stringify(stored),
      stored.version,
      now,
    );
    this.segments.syncRefs(stored);
    return stored;
  }

  /** Archives a live flag (it leaves the snapshot; its row and version stay). */
  archiveFlag(key: string, now: string): void {
    this.sql.exec(
      "UPDATE flags SET archived_at = ?, version = version + 1, updated_at = ? WHERE key = ? AND archived_at IS NULL",
      now,
      now,
      key,
    );
    this.segments.clearRefs(key);
  }

  insertSdkKey(row: { id: string; name: string; kind: SdkKeyKind; keyHash: string; createdAt: string }): void {
    this.sql.exec(
      "INSERT INTO sdk_keys (id, name, kind, key_hash, created_at) VALUES (?, ?, ?, ?, ?)",
      row.id,
      row.name,
      row.kind,
      row.keyHash,
      row.createdAt,
    );
  }

  getSdkKey(id: string): SdkKeyRecord | undefined {
    return this.listSdkKeys().find((k) => k.id === id);
  }

  listSdkKeys(): SdkKeyRecord[] {
    return this.sql
      .exec<{ id: string; name: string; kind: SdkKeyKind; created_at: string; revoked_at: string | null }>(
        "SELECT id, name, kind, created_at, revoked_at FROM sdk_keys ORDER BY created_at, id",
      )
      .toArray()
      .map((r) => ({ id: r.id, name: r.name, kind: r.kind, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  /** Marks a key revoked; returns false when no active key has that id. */
  revokeSdkKey(id: string, now: string): boolean {
    return this.sql.exec("UPDATE sdk_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, id).rowsWritten > 0;
  }

  /** Active keys as the snapshot carries them: hash → grant. */
  activeKeyGrants(): Record<string, SdkKeyGrant> {
    const grants: Record<string, SdkKeyGrant> = {};
    for (const row of this.sql
      .exec<{ id: string; name: string; kind: SdkKeyKind; key_hash: string }>(
        "SELECT id, name, kind, key_hash FROM sdk_keys WHERE revoked_at IS NULL ORDER BY id",
      )
      .toArray()) {
      grants[row.key_hash] = { id: row.id, name: row.name, kind: row.kind };
    }
    return grants;
  }
}

/**
 * A stored flag, defaults applied. Rows were validated by the rules of the day they were written;
 * a rule tightened later (e.g. no control characters in descriptions) must not make them
 * unreadable, so a row the current schema refuses is served as stored until its next write.
 */
function storedFlag(body: string): Flag {
  const raw: unknown = JSON.parse(body);
  const parsed = Flag.safeParse(raw);
  return parsed.success ? parsed.data : (raw as Flag);
}
