/**
 * The audit log's hash chain (docs/architecture.md, "D1 audit log"): per environment, ordered by `seq`,
 * `hash = sha256(canonical(row with prev_hash))`, and the first row's `prev_hash` is GENESIS_HASH.
 * Changing any field of any row, or removing a row, breaks every later link.
 */
import { sha256Hex } from "../crypto.js";

export const GENESIS_HASH = "0".repeat(64);

/** One audit row as stored in D1 (and, before flushing, in the Durable Object's outbox). */
export interface AuditRow {
  readonly environment: string;
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target_type: string;
  readonly target_id: string;
  readonly before_json: string | null;
  readonly after_json: string | null;
  readonly reason: string | null;
  readonly request_id: string | null;
  readonly prev_hash: string;
}

export interface HashedAuditRow extends AuditRow {
  readonly hash: string;
}

/** A fixed-order array, so key order or added columns can never change a hash by accident. */
export function canonicalRow(row: AuditRow): string {
  return JSON.stringify([
    row.environment, row.seq, row.at, row.actor, row.action, row.target_type, row.target_id,
    row.before_json, row.after_json, row.reason, row.request_id, row.prev_hash,
  ]);
}

export function hashRow(row: AuditRow): Promise<string> {
  return sha256Hex(canonicalRow(row));
}

export interface ChainVerdict {
  readonly ok: boolean;
  readonly checked: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  /** The first broken link, when there is one. */
  readonly brokenAt?: { readonly seq: number; readonly problem: string };
}

/**
 * Verifies rows in `seq` order, continuing from `(expectedSeq, prevHash)` so a long log can be
 * checked page by page.
 */
export async function verifyRows(
  rows: readonly HashedAuditRow[],
  start: { expectedSeq: number; prevHash: string; checked: number },
): Promise<ChainVerdict> {
  let { expectedSeq, prevHash, checked } = start;
  for (const row of rows) {
    const fail = (problem: string): ChainVerdict => ({ ok: false, checked, lastSeq: expectedSeq - 1, lastHash: prevHash, brokenAt: { seq: row.seq, problem } });
    if (row.seq !== expectedSeq) return fail(`expected seq ${expectedSeq}, found ${row.seq} (a row is missing)`);
    if (row.prev_hash !== prevHash) return fail("prev_hash does not match the previous row's hash");
    if ((await hashRow(row)) !== row.hash) return fail("hash does not match the row's contents");
    prevHash = row.hash;
    expectedSeq++;
    checked++;
  }
  return { ok: true, checked, lastSeq: expectedSeq - 1, lastHash: prevHash };
}
