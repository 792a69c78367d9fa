/**
 * POST /envs/{env}/flags/{key}/explain: how a flag evaluates for one context right now, from the
 * environment's current (strong) state in its Durable Object, with FLAG_OVERRIDES applied as the
 * edge applies them — and why: the rule that matched, the context's bucket and the bound it was
 * compared with. The pure `explain` (src/domain/evaluate.ts) gives the same evaluation as the
 * edge's `evaluate`. With `at`, the flag (and FLAG_OVERRIDES) as the audit log says they were at
 * that instant, evaluated at it (src/domain/history.ts); `flagVersion` says which version that was.
 */
import { z } from "zod";
import { readHistory } from "../../audit/history-read.js";
import { explainCompiled } from "../../domain/evaluate.js";
import type { Flag } from "../../domain/flag.js";
import { flagsOf, historyTargets, overridesOf, stateAt } from "../../domain/history.js";
import { withOverride } from "../../domain/snapshot.js";
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
    // Now: the current (strong) state and the configured overrides, at the Worker's Date.now() as
    // the edge evaluates. At a time: the state and overrides the audit log had then, at that instant.
    const { flag, configured, now } = at === undefined ? await current(c, env, key) : await asOf(c, env, key, Date.parse(at));
    const override = configured !== undefined && Object.hasOwn(flag.variants, configured) ? configured : null;
    const { evaluation, ...why } = explainCompiled(withOverride(flag, override ?? undefined), context, now);
    const body: z.infer<typeof ExplainResult> = {
      ...evaluation,
      ...why,
      override,
      flagVersion: flag.version,
      evaluatedAt: new Date(now).toISOString(),
    };
    return c.json(body, 200);
  },
);

interface Subject {
  readonly flag: Flag;
  readonly configured: string | undefined;
  readonly now: number;
}

async function current(c: AdminContext, env: string, key: string): Promise<Subject> {
  const flag = await environmentStub(c.env, env).getFlag(key);
  if (!flag) throw commandError({ code: "NOT_FOUND", message: `flag "${key}" does not exist`, details: [] });
  return { flag, configured: c.get("config").overrides[env]?.[key], now: Date.now() };
}

/**
 * The environment as of `at`, rebuilt from every audit event up to it on the targets history reads
 * (flags, and what they refer to, resolve from the same state: src/domain/history.ts). Costs one
 * read of that much history.
 */
async function asOf(c: AdminContext, env: string, key: string, at: number): Promise<Subject> {
  const entries = await readHistory(c.env.AUDIT_DB, environmentStub(c.env, env), env, { untilMs: at, targetTypes: historyTargets() });
  const state = stateAt(entries, at);
  const flag = flagsOf(state).get(key);
  if (!flag) {
    const when = new Date(at).toISOString();
    throw commandError({ code: "NOT_FOUND", message: `flag "${key}" did not exist at ${when} (not yet created, or archived then)`, details: [{ path: "body.at", message: `no flag "${key}" at ${when}` }] });
  }
  return { flag, configured: overridesOf(state, env)[key], now: at };
}
