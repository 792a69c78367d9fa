/**
 * Wire shapes of a flag's history (src/http/admin/history.ts): zod only, so flagctl can take its
 * types from here without pulling in the HTTP layer.
 */
import { z } from "zod";
import { Flag, Reason } from "./schemas.js";

export const FlagVersion = z.object({
  version: z.number().int().describe("the flag's version this change produced"),
  at: z.string().describe("ISO 8601, on the environment's clock"),
  actor: z.string(),
  action: z.string().describe("the audit action that made it (flag.updated, flag.restored, rollout.started …)"),
  reason: z.string().nullable(),
  flag: Flag.describe("the whole flag as it was at this version"),
});

export const VersionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional().describe("only versions below this one (pass nextCursor for the next page)"),
});

export const VersionsPage = z.object({
  versions: z.array(FlagVersion).describe("newest first"),
  nextCursor: z.number().int().nullable().describe("pass as `before` for older versions; null on the last page"),
});

export const RestoreBody = z.object({
  version: z.number().int().positive().describe("the version whose content becomes the flag's next version"),
  reason: Reason.optional(),
});
