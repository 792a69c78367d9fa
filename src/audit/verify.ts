/**
 * Verifying one audit chain as the admin API answers it: the chain recomputed from D1
 * (src/audit/d1.ts), then held against what the Durable Object that writes it knows — how many
 * rows it has written (a cut-off tail leaves no broken link behind) and its anchor, the hash of
 * the newest row it wrote (a history rewritten in D1 with recomputed hashes verifies on its own,
 * but not against the anchor, which lives only in the Durable Object).
 */
import type { ChainVerdict } from "./chain.js";
import { auditRowHash, verifyAuditChain } from "./d1.js";
import type { AuditFlushStatus } from "./flusher.js";

/** What verify needs from the Durable Object whose outbox feeds the chain. */
export interface ChainWriter {
  flushAudit(): Promise<{ pending: number }>;
  status(): Promise<{ audit: AuditFlushStatus }>;
}

export interface AnchoredVerdict extends ChainVerdict {
  /** The seq D1 must reach: every row the Durable Object has written. */
  readonly expectedLastSeq: number;
  readonly pending: number;
  readonly headSeq: number;
  readonly headHash: string;
}

export async function verifyAnchoredChain(db: D1Database, environment: string, writer: ChainWriter): Promise<AnchoredVerdict> {
  // Committed rows not yet in D1 are written first, so the verdict covers them.
  await writer.flushAudit();
  // One status read: lastSeq, pending and the anchor describe the same moment.
  const { audit } = await writer.status();
  const verdict = await verifyAuditChain(db, environment);
  const expectedLastSeq = audit.lastSeq - audit.pending;
  const answer: AnchoredVerdict = { ...verdict, expectedLastSeq, pending: audit.pending, headSeq: audit.headSeq, headHash: audit.headHash };
  if (!verdict.ok) return answer;
  const broken = (seq: number, problem: string): AnchoredVerdict => ({ ...answer, ok: false, brokenAt: { seq, problem } });
  if (verdict.lastSeq < expectedLastSeq) return broken(verdict.lastSeq + 1, `rows ${verdict.lastSeq + 1}…${expectedLastSeq} are missing`);
  if (audit.headSeq === 0) return answer; // nothing written yet: nothing to anchor
  const stored = await auditRowHash(db, environment, audit.headSeq);
  if (stored === null) return broken(audit.headSeq, "the row at the Durable Object's head is missing");
  if (stored !== audit.headHash) return broken(audit.headSeq, "hash differs from the Durable Object's head hash (the history before it was rewritten)");
  return answer;
}
