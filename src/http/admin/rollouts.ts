/** Admin routes for progressive rollouts: create (or dry-run), read status, operator commands. */
import { z } from "zod";
import { allows } from "../../access/roles.js";
import { redactUrl } from "../../domain/outbound-url.js";
import { RolloutRequest, RolloutState } from "../../domain/rollout/model.js";
import { RolloutSeries } from "../../domain/rollout/series.js";
import { RolloutStatus } from "../../domain/rollout/status.js";
import { RolloutPlan } from "../../domain/rollout/strategies.js";
import { environmentStub } from "../../environment/api.js";
import { ApiError } from "../errors.js";
import { adminRoute } from "./access.js";
import { EnvParam, Reason } from "./schemas.js";
import { changeMeta, createAdminRouter, errorResponses, jsonContent, unwrap, type AdminContext } from "./support.js";

export const rolloutRoutes = createAdminRouter();

/**
 * What the caller may see of a rollout: health-check URLs can carry credentials and tokens in
 * their userinfo or query, which only those who may change the rollout (operator and up) read.
 */
function visibleTo(c: AdminContext, env: string, rollout: RolloutStatus): RolloutStatus {
  if (allows(c.get("principal"), "operator", env)) return rollout;
  return { ...rollout, healthChecks: rollout.healthChecks.map((h) => ({ ...h, url: redactUrl(h.url) })) };
}

/** The status view and the plan: the domain's own schemas, so the document describes them field by field. */
const RolloutView = RolloutStatus;
const PlanView = RolloutPlan;
const RolloutParams = z.object({ env: EnvParam.shape.env, id: z.string().min(1).max(64) });
const CommandBody = z.object({
  reason: Reason.optional(),
  expectedStage: z.number().int().min(0).max(100).optional(),
});

rolloutRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "post",
    path: "/envs/{env}/rollouts",
    summary: "Start a progressive rollout (dryRun: true returns the plan and changes nothing)",
    request: { params: EnvParam, body: { ...jsonContent(RolloutRequest, "the rollout"), required: true } },
    responses: {
      201: jsonContent(z.object({ rollout: RolloutView, plan: PlanView }), "created (SCHEDULED or RUNNING)"),
      200: jsonContent(z.object({ rollout: z.null(), plan: PlanView }), "the dry-run plan"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const body = c.req.valid("json");
    // The request's own origin is this service: its probes and webhooks may not call it.
    const result = unwrap(await environmentStub(c.env, env).createRollout(body, changeMeta(c, body.reason), new URL(c.req.url).origin));
    if (result.rollout === null) return c.json({ rollout: null, plan: result.plan }, 200);
    return c.json({ rollout: result.rollout, plan: result.plan }, 201);
  },
);

rolloutRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/rollouts",
    summary: "List rollouts (newest first)",
    request: { params: EnvParam, query: z.object({ flag: z.string().max(128).optional(), state: RolloutState.optional() }) },
    responses: { 200: jsonContent(z.object({ rollouts: z.array(RolloutView) }), "rollouts with status"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const rollouts = await environmentStub(c.env, env).listRollouts(c.req.valid("query"));
    return c.json({ rollouts: rollouts.map((r) => visibleTo(c, env, r)) }, 200);
  },
);

rolloutRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/rollouts/{id}",
    summary: "A rollout's status: stage i/N, percentages, time left, guard table, pause reasons",
    request: { params: RolloutParams },
    responses: { 200: jsonContent(RolloutView, "the rollout"), ...errorResponses },
  }),
  async (c) => {
    const { env, id } = c.req.valid("param");
    const rollout = await environmentStub(c.env, env).getRollout(id);
    if (!rollout) throw new ApiError(404, "NOT_FOUND", `no rollout "${id}"`);
    return c.json(visibleTo(c, env, rollout), 200);
  },
);

/** Epoch milliseconds (what charts plot), as a query string. */
const EpochMs = z.coerce.number().int().min(0).max(8_640_000_000_000);
const SeriesQuery = z.object({
  from: EpochMs.optional().describe("epoch ms, the first minute (rounded down); default: one hour before `to`"),
  to: EpochMs.optional().describe("epoch ms, exclusive; default: the environment clock's now (or one hour after `from`); at most 24 h after `from`"),
});

rolloutRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/rollouts/{id}/series",
    summary: "A rollout's per-minute guard series (requests, events, rate, Wilson lower bound, threshold, verdict, streak) for charts",
    request: { params: RolloutParams, query: SeriesQuery },
    responses: { 200: jsonContent(RolloutSeries, "one series per guard, one point per minute"), ...errorResponses },
  }),
  async (c) => {
    const { env, id } = c.req.valid("param");
    const { from, to } = c.req.valid("query");
    const { series } = unwrap(await environmentStub(c.env, env).rolloutSeries(id, from, to));
    return c.json(series, 200);
  },
);

for (const action of ["pause", "resume", "promote", "rollback", "cancel"] as const) {
  rolloutRoutes.openapi(
    adminRoute({ role: "operator", on: "path" }, {
      method: "post",
      path: `/envs/{env}/rollouts/{id}/${action}`,
      summary:
        action === "resume" || action === "promote"
          ? `${action[0]?.toUpperCase()}${action.slice(1)} (requires expectedStage; 409 when stale)`
          : `${action[0]?.toUpperCase()}${action.slice(1)} (idempotent)`,
      request: { params: RolloutParams, body: { ...jsonContent(CommandBody, "reason and, for resume/promote, expectedStage"), required: false } },
      responses: { 200: jsonContent(z.object({ rollout: RolloutView, changed: z.boolean() }), "the rollout after the command"), ...errorResponses },
    }),
    async (c) => {
      const { env, id } = c.req.valid("param");
      const body = c.req.valid("json");
      const result = unwrap(await environmentStub(c.env, env).rolloutCommand(id, { action, expectedStage: body.expectedStage }, changeMeta(c, body.reason)));
      return c.json({ rollout: result.rollout, changed: result.changed }, 200);
    },
  );
}
