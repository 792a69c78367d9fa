/**
 * The D1 side of the audit log: idempotent inserts from the outbox, filtered reads with keyset
 * pagination, and chain verification. The table is append-only (migrations/0001 adds triggers
 * that abort UPDATE and DELETE); nothing here updates or deletes.
 */
import { GENESIS_HASH, verifyRows, type ChainVerdict, type HashedAuditRow } from "./chain.js";
import type { AuditEntry } from "./entry.js";

export type { AuditEntry };

const COLUMNS =
  "id, environment, seq, at, actor, action, target_type, target_id, before_json, after_json, reason, request_id, prev_hash, hash";

export async function insertAuditRows(db: D1Database, rows: readonly HashedAuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const insert = db.prepare(
    `INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  await db.batch(
    rows.map((r) =>
      insert.bind(
        `${r.environment}:${r.seq}`, r.environment, r.seq, r.at, r.actor, r.action, r.target_type, r.target_id,
        r.before_json, r.after_json, r.reason, r.request_id, r.prev_hash, r.hash,
      ),
    ),
  );
}

export interface AuditQuery {
  readonly environment: string;
  readonly flag?: string | undefined;
  readonly segment?: string | undefined;
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  /** Return rows with seq below this (newest first). */
  readonly beforeSeq?: number | undefined;
  readonly limit: number;
}

/** Newest first; `nextCursor` is the seq to pass as `beforeSeq` for the next page. */
export async function queryAudit(db: D1Database, q: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: number | null }> {
  const where = ["environment = ?"];
  const args: (string | number)[] = [q.environment];
  // A flag's history: its own changes, its rollouts' transitions and its schedules (all keyed by the flag).
  if (q.flag !== undefined) { where.push("target_type IN ('flag', 'rollout', 'schedule') AND target_id = ?"); args.push(q.flag); }
  if (q.segment !== undefined) { where.push("target_type = 'segment' AND target_id = ?"); args.push(q.segment); }
  if (q.actor !== undefined) { where.push("actor = ?"); args.push(q.actor); }
  if (q.action !== undefined) { where.push("action = ?"); args.push(q.action); }
  if (q.since !== undefined) { where.push("at >= ?"); args.push(q.since); }
  if (q.until !== undefined) { where.push("at < ?"); args.push(q.until); }
  if (q.beforeSeq !== undefined) { where.push("seq < ?"); args.push(q.beforeSeq); }
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(" AND ")} ORDER BY seq DESC LIMIT ?`)
    .bind(...args, q.limit + 1)
    .all<HashedAuditRow & { id: string }>();
  const page = results.slice(0, q.limit);
  return {
    entries: page.map(toEntry),
    nextCursor: results.length > q.limit ? (page[page.length - 1] as HashedAuditRow).seq : null,
  };
}

function toEntry(r: HashedAuditRow & { id: string }): AuditEntry {
  return {
    id: r.id,
    environment: r.environment,
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: { type: r.target_type, id: r.target_id },
    before: r.before_json === null ? null : (JSON.parse(r.before_json) as unknown),
    after: r.after_json === null ? null : (JSON.parse(r.after_json) as unknown),
    reason: r.reason,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The stored hash of one row, or null when D1 has no row at that seq. */
export async function auditRowHash(db: D1Database, environment: string, seq: number): Promise<string | null> {
  const row = await db.prepare("SELECT hash FROM audit_log WHERE environment = ? AND seq = ?").bind(environment, seq).first<{ hash: string }>();
  return row?.hash ?? null;
}

const VERIFY_PAGE = 500;

/** Recomputes the whole chain of one environment from D1, page by page, oldest first. */
export async function verifyAuditChain(db: D1Database, environment: string): Promise<ChainVerdict> {
  let verdict: ChainVerdict = { ok: true, checked: 0, lastSeq: 0, lastHash: GENESIS_HASH };
  for (;;) {
    const { results } = await db
      .prepare(`SELECT ${COLUMNS} FROM audit_log WHERE environment = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .bind(environment, verdict.lastSeq, VERIFY_PAGE)
      .all<HashedAuditRow>();
    if (results.length === 0) return verdict;
    verdict = await verifyRows(results, { expectedSeq: verdict.lastSeq + 1, prevHash: verdict.lastHash, checked: verdict.checked });
    if (!verdict.ok || results.length < VERIFY_PAGE) return verdict;
  }
}
