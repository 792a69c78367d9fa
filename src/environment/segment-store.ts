/**
 * The Environment DO's segments and the references flags make (segments in conditions, other
 * flags as prerequisites). Synchronous, like EnvironmentStorage, which owns one of each.
 *
 * Tables
 * - segments(key, body, version, updated_at): one row per live segment; `body` is the validated
 *   segment JSON (ids unique and sorted) with its `version` and `updatedAt`. Deleting removes it.
 * - flag_refs(flag, kind, target): what each live flag refers to (`kind` 'segment' or 'flag'),
 *   kept by EnvironmentStorage.putFlag/archiveFlag, so "which flags use X" is one indexed query.
 */
import { prerequisiteKeys, type Flag } from "../domain/flag.js";
import { Segment, segmentRefs } from "../domain/segment.js";

export type RefKind = "segment" | "flag";

export class SegmentStore {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS segments (
        key TEXT PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS flag_refs (
        flag TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('segment','flag')), target TEXT NOT NULL,
        PRIMARY KEY (flag, kind, target));
      CREATE INDEX IF NOT EXISTS flag_refs_by_target ON flag_refs (kind, target, flag);
    `);
  }

  list(): Segment[] {
    return this.sql.exec<{ body: string }>("SELECT body FROM segments ORDER BY key").toArray().map((r) => storedSegment(r.body));
  }

  get(key: string): Segment | undefined {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM segments WHERE key = ?", key).toArray()[0];
    return row ? storedSegment(row.body) : undefined;
  }

  has(key: string): boolean {
    return this.sql.exec("SELECT 1 FROM segments WHERE key = ?", key).toArray().length > 0;
  }

  /** Insert or replace; `version` becomes the stored one + 1 (1 for a new segment). */
  put(segment: Segment, now: string): Segment {
    const stored: Segment = { ...segment, version: (this.get(segment.key)?.version ?? 0) + 1, updatedAt: now };
    this.sql.exec(
      `INSERT INTO segments (key, body, version, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET body = excluded.body, version = excluded.version, updated_at = excluded.updated_at`,
      stored.key,
      JSON.stringify(stored),
      stored.version,
      now,
    );
    return stored;
  }

  delete(key: string): void {
    this.sql.exec("DELETE FROM segments WHERE key = ?", key);
  }

  /** The stored bytes (UTF-8) of all segments: what they add to the snapshot. */
  bytes(): number {
    return this.sql.exec<{ bytes: number | null }>("SELECT SUM(octet_length(body)) AS bytes FROM segments").one().bytes ?? 0;
  }

  /** Records what a live flag refers to now (replacing what it referred to before). */
  syncRefs(flag: Flag): void {
    this.clearRefs(flag.key);
    const refs: [RefKind, string][] = [...segmentRefs(flag.rules).map((k): [RefKind, string] => ["segment", k]), ...prerequisiteKeys(flag).map((k): [RefKind, string] => ["flag", k])];
    for (const [kind, target] of refs) this.sql.exec("INSERT OR IGNORE INTO flag_refs (flag, kind, target) VALUES (?, ?, ?)", flag.key, kind, target);
  }

  /** An archived flag refers to nothing. */
  clearRefs(flagKey: string): void {
    this.sql.exec("DELETE FROM flag_refs WHERE flag = ?", flagKey);
  }

  /** Keys of the live flags that refer to `target`, sorted. */
  usedBy(kind: RefKind, target: string): string[] {
    return this.sql.exec<{ flag: string }>("SELECT flag FROM flag_refs WHERE kind = ? AND target = ? ORDER BY flag", kind, target).toArray().map((r) => r.flag);
  }
}

/** A stored segment, defaults applied (a row a later, tighter schema refuses is served as stored). */
function storedSegment(body: string): Segment {
  const raw: unknown = JSON.parse(body);
  const parsed = Segment.safeParse(raw);
  return parsed.success ? parsed.data : (raw as Segment);
}
