/**
 * An audit entry as the admin API returns it (one row of D1's `audit_log`, with its JSON columns
 * parsed and its target grouped): the history's view of an entry (`HistoryEntry`, src/domain/history.ts)
 * plus the chain and request fields. The one schema of this shape: D1 reads produce it, the OpenAPI
 * document describes it, flagctl reads it.
 */
import { z } from "zod";
import { HistoryEntry } from "../domain/history.js";

export const AuditEntry = HistoryEntry.extend({
  id: z.string().describe("`<environment>:<seq>`"),
  environment: z.string(),
  seq: z.number().int().describe("gapless per environment, from 1"),
  at: z.string().describe("ISO 8601, on the environment's clock"),
  requestId: z.string().nullable(),
  prevHash: z.string().describe("the previous entry's hash (64 zeros for the first)"),
  hash: z.string().describe("sha-256 over this entry and prevHash"),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
