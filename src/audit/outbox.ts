/**
 * The audit outbox inside a Durable Object's SQLite (docs/architecture.md, "Storage schema").
 *
 * `append` runs inside the same synchronous transaction as the change it records, so a change and
 * its audit event commit together or not at all. `flush` (from the alarm, outside any transaction)
 * assigns the hash chain in `seq` order, writes the rows to D1 with `INSERT … ON CONFLICT DO
 * NOTHING`, and only then deletes them from the outbox — so a D1 outage delays rows, never loses or
 * doubles them. A before/after value too large for a D1 row is replaced by a small stand-in when
 * the row gets its place in the chain (src/audit/stand-in.ts), so no row can wedge the flush.
 */
import { GENESIS_HASH, hashRow, type AuditRow, type HashedAuditRow } from "./chain.js";
import type { HistoryEntry } from "../domain/history.js";
import type { AuditedChange } from "../domain/webhook.js";
import { insertAuditRows } from "./d1.js";
import { fitAuditJson } from "./stand-in.js";

/** What a command audits: the domain's `AuditedChange` (one shape for the outbox and webhooks). */
export type AuditEventInput = AuditedChange;

/** At most this many rows go to D1 per batch. */
const FLUSH_BATCH = 50;

/**
 * audit_state keys: `next_seq` (the seq the next event gets), `last_hash` (the chain's head: the
 * hash of the newest row given a place in the chain), `head_seq` and `head_hash` (the anchor: the
 * newest row known to be in D1 — verify compares D1's row at that seq with it, so a history
 * rewritten in D1 with recomputed hashes is caught), `flush_failures` and `last_flush_error`
 * (while flushes to D1 keep failing).
 */
type AuditStateKey = "next_seq" | "last_hash" | "head_seq" | "head_hash" | "flush_failures" | "last_flush_error";

/** The newest row known to be in D1 (seq 0 and the genesis hash before any). */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

type OutboxRow = Omit<AuditRow, "prev_hash" | "environment"> & { prev_hash: string | null; hash: string | null };

export class AuditOutbox {
  constructor(
    private readonly sql: SqlStorage,
    private readonly environment: string,
  ) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS audit_outbox (
        seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        target_type TEXT NOT NULL, target_id TEXT NOT NULL, before_json TEXT, after_json TEXT,
        reason TEXT, request_id TEXT, prev_hash TEXT, hash TEXT);
      CREATE TABLE IF NOT EXISTS audit_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  /** Records one event; must run inside the transaction of the change it describes. Returns its seq. */
  append(event: AuditEventInput, at: string): number {
    const seq = Number(this.state("next_seq") ?? "1");
    this.setState("next_seq", String(seq + 1));
    this.sql.exec(
      `INSERT INTO audit_outbox (seq, at, actor, action, target_type, target_id, before_json, after_json, reason, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      seq,
      at,
      event.actor,
      event.action,
      event.targetType,
      event.targetId,
      event.before === undefined ? null : JSON.stringify(event.before),
      event.after === undefined ? null : JSON.stringify(event.after),
      event.reason ?? null,
      event.requestId ?? null,
    );
    return seq;
  }

  /**
   * The events not yet in D1, oldest first, in the shape history reads (src/domain/history.ts):
   * with the rows D1 has, every committed change. `targetIds` narrows them to those targets.
   */
  pendingEntries(targetIds?: readonly string[]): HistoryEntry[] {
    const parse = (json: string | null): unknown => (json === null ? null : (JSON.parse(json) as unknown));
    return this.sql
      .exec<OutboxRow>("SELECT * FROM audit_outbox ORDER BY seq")
      .toArray()
      .filter((r) => targetIds === undefined || targetIds.includes(r.target_id))
      .map((r) => ({
        seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: { type: r.target_type, id: r.target_id },
        before: parse(r.before_json), after: parse(r.after_json), reason: r.reason,
      }));
  }

  pending(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM audit_outbox").one().n;
  }

  /** The seq of the newest event appended so far (0 when none). */
  lastSeq(): number {
    return Number(this.state("next_seq") ?? "1") - 1;
  }

  /**
   * The anchor: the newest row this object has written to D1. Not the newest chained row — that
   * one may still wait in the outbox while D1 is down, and verify would then miss it.
   */
  head(): AuditHead {
    return { seq: Number(this.state("head_seq") ?? "0"), hash: this.state("head_hash") ?? GENESIS_HASH };
  }

  /**
   * Writes pending rows to D1, oldest first. Throws when D1 fails (rows stay for the retry).
   * Callers must not run two flushes at once (the Durable Object chains them).
   */
  async flush(db: D1Database): Promise<number> {
    let written = 0;
    for (;;) {
      const rows = this.sql
        .exec<OutboxRow>("SELECT * FROM audit_outbox ORDER BY seq LIMIT ?", FLUSH_BATCH)
        .toArray();
      if (rows.length === 0) return written;
      const hashed: HashedAuditRow[] = [];
      for (const row of rows) hashed.push(await this.chain(row));
      await insertAuditRows(db, hashed);
      const last = hashed[hashed.length - 1] as HashedAuditRow;
      // D1 has the rows: they leave the outbox and the newest becomes the anchor, in one step.
      this.sql.exec("DELETE FROM audit_outbox WHERE seq <= ?", last.seq);
      this.setState("head_seq", String(last.seq));
      this.setState("head_hash", last.hash);
      written += hashed.length;
    }
  }

  /**
   * Fixes a row's place in the chain once, with its before/after as they will be stored (fitted to
   * D1's row limit), so the hash covers what D1 holds and a retried flush sends the identical row.
   */
  private async chain(row: OutboxRow): Promise<HashedAuditRow> {
    if (row.hash !== null && row.prev_hash !== null) return { ...row, environment: this.environment, prev_hash: row.prev_hash, hash: row.hash };
    const prevHash = this.state("last_hash") ?? GENESIS_HASH;
    const [beforeJson, afterJson] = await Promise.all([fitAuditJson(row.before_json), fitAuditJson(row.after_json)]);
    const base: AuditRow = { ...row, environment: this.environment, before_json: beforeJson, after_json: afterJson, prev_hash: prevHash };
    const hash = await hashRow(base);
    this.sql.exec(
      "UPDATE audit_outbox SET before_json = ?, after_json = ?, prev_hash = ?, hash = ? WHERE seq = ?",
      beforeJson,
      afterJson,
      prevHash,
      hash,
      row.seq,
    );
    this.setState("last_hash", hash);
    return { ...base, hash };
  }

  /** Records a failed flush; returns how many flushes in a row have failed. */
  recordFlushFailure(error: unknown): number {
    const failures = Number(this.state("flush_failures") ?? "0") + 1;
    this.setState("flush_failures", String(failures));
    this.setState("last_flush_error", String(error));
    return failures;
  }

  recordFlushSuccess(): void {
    this.sql.exec("DELETE FROM audit_state WHERE name IN ('flush_failures', 'last_flush_error')");
  }

  /** The last flush's error while flushes keep failing; null once one succeeds. */
  lastFlushError(): string | null {
    return this.state("last_flush_error") ?? null;
  }

  private state(name: AuditStateKey): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM audit_state WHERE name = ?", name).toArray()[0]?.value;
  }

  private setState(name: AuditStateKey, value: string): void {
    this.sql.exec(
      "INSERT INTO audit_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      name,
      value,
    );
  }
}
