/**
 * Reads an environment's audit history for reconstruction (src/domain/history.ts): D1's rows
 * merged with the rows still in the Durable Object's outbox, so every committed change is seen at
 * once, whether or not the flush to D1 has happened (or D1 is down).
 *
 * Order matters: the outbox is read first, then D1. A flush between the two moves rows from the
 * outbox to D1, where the second read finds them; read the other way round, rows flushed in
 * between would be in neither answer. Rows in both are the same row (same seq) and count once.
 */
import type { HistoryEntry } from "../domain/history.js";

export interface HistoryFilter {
  /** Only events on this target id (a flag key: its own events and its rollouts'). */
  readonly targetId?: string | undefined;
  /** Only events stamped at or before this instant (epoch ms). */
  readonly untilMs?: number | undefined;
  /** Only events on these target types (e.g. those the history kinds read: `historyTargets()`). */
  readonly targetTypes?: readonly string[] | undefined;
}

/** The outbox side: the Environment Durable Object's `pendingAudit`. */
export interface PendingAudit {
  pendingAudit(targetIds?: readonly string[]): Promise<HistoryEntry[]>;
}

const PAGE = 500;

interface Row {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  before_json: string | null;
  after_json: string | null;
  reason: string | null;
}

const parse = (json: string | null): unknown => (json === null ? null : (JSON.parse(json) as unknown));

/** Every matching event, oldest first, without duplicates. */
export async function readHistory(db: D1Database, outbox: PendingAudit, environment: string, filter: HistoryFilter = {}): Promise<HistoryEntry[]> {
  const pending = await outbox.pendingAudit(filter.targetId === undefined ? undefined : [filter.targetId]);
  const where = ["environment = ?", "seq > ?"];
  const args: (string | number)[] = [environment];
  if (filter.targetId !== undefined) { where.push("target_id = ?"); args.push(filter.targetId); }
  // `at` is always written as toISOString() (UTC, milliseconds), so text order is time order.
  if (filter.untilMs !== undefined) { where.push("at <= ?"); args.push(new Date(filter.untilMs).toISOString()); }
  if (filter.targetTypes !== undefined) { where.push(`target_type IN (${filter.targetTypes.map(() => "?").join(", ") || "NULL"})`); args.push(...filter.targetTypes); }
  const sql = `SELECT seq, at, actor, action, target_type, target_id, before_json, after_json, reason FROM audit_log WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`;
  const entries: HistoryEntry[] = [];
  let after = 0;
  for (;;) {
    const [envArg, ...rest] = args;
    const { results } = await db.prepare(sql).bind(envArg as string, after, ...rest, PAGE).all<Row>();
    for (const r of results) {
      entries.push({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: { type: r.target_type, id: r.target_id }, before: parse(r.before_json), after: parse(r.after_json), reason: r.reason });
    }
    if (results.length < PAGE) break;
    after = (results[results.length - 1] as Row).seq;
  }
  const seen = new Set(entries.map((e) => e.seq));
  for (const e of pending) {
    if (seen.has(e.seq)) continue;
    if (filter.untilMs !== undefined && Date.parse(e.at) > filter.untilMs) continue;
    if (filter.targetTypes !== undefined && !filter.targetTypes.includes(e.target.type)) continue;
    entries.push(e);
  }
  return entries.sort((a, b) => a.seq - b.seq);
}
