/**
 * Wire shapes of POST /envs/{env}/flags/{key}/explain (src/http/admin/explain.ts): zod only, so
 * flagctl can take its types from here without pulling in the HTTP layer.
 */
import { z } from "zod";

/** Like OFREP's context: a JSON object of attributes, `targetingKey` optional but a string if present. */
export const ExplainBody = z.object({
  context: z
    .record(z.string(), z.unknown(), { error: "context must be a JSON object" })
    .refine((ctx) => ctx["targetingKey"] === undefined || typeof ctx["targetingKey"] === "string", {
      message: "context.targetingKey must be a string",
      path: ["targetingKey"],
    }),
  at: z.iso
    .datetime({ offset: true })
    .optional()
    .describe("ISO 8601: explain the flag as it was then (rebuilt from the audit log), evaluated at that instant"),
});

export const ExplainResult = z.object({
  key: z.string(),
  value: z.unknown().optional().describe("absent when the evaluation is an ERROR"),
  variant: z.string().optional(),
  reason: z.enum(["STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED", "ERROR"]).describe("the OFREP reason the edge answers"),
  errorCode: z.string().optional(),
  errorDetails: z.string().optional(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe("the OFREP metadata the edge answers"),
  decidedBy: z.enum(["override", "disabled", "prerequisite", "rule", "fallthrough", "error"]).describe("override: FLAG_OVERRIDES serves one variant to everyone; prerequisite: a prerequisite failed (see `prerequisite`)"),
  outcome: z.literal("PREREQUISITE_FAILED").optional().describe("present when a prerequisite failed: the finer reason behind OFREP's DISABLED"),
  prerequisite: z
    .object({
      flag: z.string().describe("the first prerequisite that failed"),
      variants: z.array(z.string()).describe("the variants it had to evaluate to"),
      variant: z.string().nullable().describe("what it evaluated to (null: an error, or the flag is missing)"),
    })
    .optional(),
  override: z.string().nullable().describe("the variant FLAG_OVERRIDES forces in this environment, if any"),
  ruleId: z.string().optional().describe("the rule that matched"),
  ruleIndex: z.number().int().optional().describe("its position in `rules`, from 0"),
  bucket: z.number().int().optional().describe("the context's bucket, 0 … 99 999, for a split or rollout"),
  bound: z.number().int().optional().describe("the exclusive upper bucket bound compared with: a rollout serves its variant iff bucket < bound; a split, the bound of the range picked"),
  flagVersion: z.number().int().describe("the version of the flag evaluated (with `at`: the version current then)"),
  evaluatedAt: z.string().describe("ISO 8601: the instant evaluated at (the Worker's clock, as at the edge; `at` when given)"),
});
