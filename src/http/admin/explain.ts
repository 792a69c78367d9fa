/**
 * POST /envs/{env}/flags/{key}/explain: how a flag evaluates for one context right now, from the
 * environment's current (strong) state in its Durable Object, with FLAG_OVERRIDES applied as the
 * edge applies them — and why: the rule that matched, the context's bucket and the bound it was
 * compared with, or the prerequisite that failed. The pure `explain` (src/domain/evaluate.ts) gives
 * the same evaluation as the edge's `evaluate`; segments and prerequisites are looked up in the
 * same (current) snapshot, as the edge does.
 */
import { z } from "zod";
import { explainCompiled } from "../../domain/evaluate.js";
import { lookupFlag } from "../../domain/snapshot.js";
import { strongSnapshot } from "../../edge/snapshot-cache.js";
import { adminRoute } from "./access.js";
import { FlagParams } from "./schemas.js";
import { commandError, createAdminRouter, errorResponses, jsonContent } from "./support.js";

export const explainRoutes = createAdminRouter();

/** Like OFREP's context: a JSON object of attributes, `targetingKey` optional but a string if present. */
const ExplainBody = z.object({
  context: z
    .record(z.string(), z.unknown(), { error: "context must be a JSON object" })
    .refine((ctx) => ctx["targetingKey"] === undefined || typeof ctx["targetingKey"] === "string", {
      message: "context.targetingKey must be a string",
      path: ["targetingKey"],
    }),
});

const ExplainResult = z.object({
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
  flagVersion: z.number().int(),
  evaluatedAt: z.string().describe("ISO 8601: the instant evaluated at (the Worker's clock, as at the edge)"),
});

explainRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "post",
    path: "/envs/{env}/flags/{key}/explain",
    summary: "Explain how a flag evaluates for a context now: value, variant, reason, the rule, bucket and bound",
    request: { params: FlagParams, body: { ...jsonContent(ExplainBody, "the evaluation context"), required: true } },
    responses: { 200: jsonContent(ExplainResult, "the evaluation and why"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const { context } = c.req.valid("json");
    // The Durable Object's current snapshot, read as the edge reads it (a strong read), so
    // prerequisites and segments resolve as at the edge (overrides included).
    const snapshot = await strongSnapshot({ env: c.env, config: c.get("config") }, env, Date.now());
    const compiled = await lookupFlag(snapshot, key, "all");
    if (!compiled) throw commandError({ code: "NOT_FOUND", message: `flag "${key}" does not exist`, details: [] });
    const { flag } = compiled;
    const configured = c.get("config").overrides[env]?.[key];
    const override = configured !== undefined && Object.hasOwn(flag.variants, configured) ? configured : null;
    // The edge evaluates at its own Date.now(); so does this, to answer what an SDK would get.
    const now = Date.now();
    const { evaluation, prerequisite, ...why } = explainCompiled(compiled, context, now);
    const body: z.infer<typeof ExplainResult> = {
      ...evaluation,
      ...why,
      ...(prerequisite && {
        outcome: "PREREQUISITE_FAILED" as const,
        prerequisite: { flag: prerequisite.prerequisite.flag, variants: prerequisite.prerequisite.variants, variant: prerequisite.variant ?? null },
      }),
      override,
      flagVersion: flag.version,
      evaluatedAt: new Date(now).toISOString(),
    };
    return c.json(body, 200);
  },
);
