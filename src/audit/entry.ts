/**
 * An audit entry as the admin API returns it (one row of D1's `audit_log`, with its JSON columns
 * parsed and its target grouped). The one schema of this shape: D1 reads produce it, the OpenAPI
 * document describes it, flagctl reads it.
 */
import { z } from "zod";

export const AuditEntry = z.object({
  id: z.string().describe("`<environment>:<seq>`"),
  environment: z.string(),
  seq: z.number().int().describe("gapless per environment, from 1"),
  at: z.string().describe("ISO 8601, on the environment's clock"),
  actor: z.string(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  prevHash: z.string().describe("the previous entry's hash (64 zeros for the first)"),
  hash: z.string().describe("sha-256 over this entry and prevHash"),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
