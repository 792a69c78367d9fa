/**
 * POST /envs/{env}/flags/{key}/explain: how a flag evaluates for one context right now, from the
 * environment's current (strong) snapshot read as the edge reads it, with FLAG_OVERRIDES applied as
 * the edge applies them — and why: the rule that matched, the context's bucket and the bound it was
 * compared with, or the prerequisite that failed. The pure `explain` (src/domain/evaluate.ts) gives
 * the same evaluation as the edge's `evaluate`; segments and prerequisites are looked up in the same
 * snapshot, as the edge does. With `at`, the flags, segments and FLAG_OVERRIDES as the audit log
 * says they were at that instant, evaluated at it (src/domain/history.ts); `flagVersion` says which
 * version that was.
 */
import { z } from "zod";
import { readHistory } from "../../audit/history-read.js";
import { explainCompiled, type CompiledFlag } from "../../domain/evaluate.js";
import { flagsOf, historyTargets, overridesOf, segmentsOf, stateAt } from "../../domain/history.js";
import { compileSnapshot, findFlag, lookupFlag } from "../../domain/snapshot.js";
import { strongSnapshot } from "../../edge/snapshot-cache.js";
import { environmentStub } from "../../environment/api.js";
import { adminRoute } from "./access.js";
import { ExplainBody, ExplainResult } from "./explain-schemas.js";
import { FlagParams } from "./schemas.js";
import { commandError, createAdminRouter, errorResponses, jsonContent, type AdminContext } from "./support.js";

export const explainRoutes = createAdminRouter();

explainRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "post",
    path: "/envs/{env}/flags/{key}/explain",
    summary: "Explain how a flag evaluates for a context now, or as it was at a time (`at`): value, variant, reason, the rule, bucket and bound",
    request: { params: FlagParams, body: { ...jsonContent(ExplainBody, "the evaluation context"), required: true } },
    responses: { 200: jsonContent(ExplainResult, "the evaluation and why"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const { context, at } = c.req.valid("json");
    // Now: the current (strong) snapshot and the configured overrides, at the Worker's Date.now() as
    // the edge evaluates. At a time: the state and overrides the audit log had then, at that instant.
    const { compiled, configured, now } = at === undefined ? await current(c, env, key) : await asOf(c, env, key, Date.parse(at));
    const { flag } = compiled;
    const override = configured !== undefined && Object.hasOwn(flag.variants, configured) ? configured : null;
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

interface Subject {
  /** The flag compiled with its override and its snapshot's segments and prerequisite flags. */
  readonly compiled: CompiledFlag;
  readonly configured: string | undefined;
  readonly now: number;
}

async function current(c: AdminContext, env: string, key: string): Promise<Subject> {
  const snapshot = await strongSnapshot({ env: c.env, config: c.get("config") }, env, Date.now());
  const compiled = await lookupFlag(snapshot, key, "all");
  if (!compiled) throw commandError({ code: "NOT_FOUND", message: `flag "${key}" does not exist`, details: [] });
  return { compiled, configured: c.get("config").overrides[env]?.[key], now: Date.now() };
}

/**
 * The environment as of `at`, rebuilt from every audit event up to it on the targets history reads
 * (flags, segments and overrides resolve from the same state: src/domain/history.ts), compiled as
 * one in-memory snapshot so prerequisites and segments resolve as they did then. Costs one read of
 * that much history.
 */
async function asOf(c: AdminContext, env: string, key: string, at: number): Promise<Subject> {
  const entries = await readHistory(c.env.AUDIT_DB, environmentStub(c.env, env), env, { untilMs: at, targetTypes: historyTargets() });
  const state = stateAt(entries, at);
  const when = new Date(at).toISOString();
  const overrides = overridesOf(state, env);
  const snapshot = compileSnapshot({ env, version: 0, publishedAt: when, keys: {}, flags: [...flagsOf(state).values()], segments: [...segmentsOf(state).values()] }, overrides);
  const compiled = findFlag(snapshot, key, "all");
  if (!compiled) {
    throw commandError({ code: "NOT_FOUND", message: `flag "${key}" did not exist at ${when} (not yet created, or archived then)`, details: [{ path: "body.at", message: `no flag "${key}" at ${when}` }] });
  }
  return { compiled, configured: overrides[key], now: at };
}
