/** Admin routes for progressive rollouts: create (or dry-run), read status, operator commands. */
import { z } from "zod";
import { RolloutRequest, RolloutState } from "../../domain/rollout/model.js";
import { RolloutStatus } from "../../domain/rollout/status.js";
import { RolloutPlan } from "../../domain/rollout/strategies.js";
import { environmentStub } from "../../environment/api.js";
import { ApiError } from "../errors.js";
import { EnvParam } from "./schemas.js";
import { adminRoute } from "./access.js";
import { changeMeta, createAdminRouter, errorResponses, jsonContent, unwrap } from "./support.js";

export const rolloutRoutes = createAdminRouter();

/** The status view and the plan: the domain's own schemas, so the document describes them field by field. */
const RolloutView = RolloutStatus;
const PlanView = RolloutPlan;
const RolloutParams = z.object({ env: EnvParam.shape.env, id: z.string().min(1).max(64) });
const CommandBody = z.object({
  reason: z.string().trim().min(1).max(1000).optional(),
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
    const result = unwrap(await environmentStub(c.env, env).createRollout(body, changeMeta(c, body.reason)));
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
    return c.json({ rollouts: await environmentStub(c.env, env).listRollouts(c.req.valid("query")) }, 200);
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
    return c.json(rollout, 200);
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
