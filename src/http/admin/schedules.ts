/** Admin routes for scheduled changes (docs/schedules.md): create, list, read, cancel. */
import { z } from "zod";
import { Schedule, ScheduleRequest, ScheduleState } from "../../domain/schedule.js";
import { FlagKey } from "../../domain/flag.js";
import { environmentStub } from "../../environment/api.js";
import { ApiError } from "../errors.js";
import { adminRoute } from "./access.js";
import { EnvParam, Reason } from "./schemas.js";
import { changeMeta, createAdminRouter, errorResponses, jsonContent, unwrap } from "./support.js";

export const scheduleRoutes = createAdminRouter();

const ScheduleParams = z.object({ env: EnvParam.shape.env, id: z.string().min(1).max(64) });
const ScheduleListQuery = z.object({ state: ScheduleState.optional(), flag: FlagKey.optional() });

scheduleRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "post",
    path: "/envs/{env}/schedules",
    summary: "Schedule a flag change (enable, disable or a merge patch) at a time on the environment's clock; at or before now applies at once",
    request: { params: EnvParam, body: { ...jsonContent(ScheduleRequest, "when, which flag, what change"), required: true } },
    responses: { 201: jsonContent(Schedule, "created: PENDING, or APPLIED/FAILED when it was already due"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const body = c.req.valid("json");
    const { schedule } = unwrap(await environmentStub(c.env, env).createSchedule(body, changeMeta(c, body.reason)));
    return c.json(schedule, 201);
  },
);

scheduleRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/schedules",
    summary: "List scheduled changes (latest `at` first, at most 1,000)",
    request: { params: EnvParam, query: ScheduleListQuery },
    responses: { 200: jsonContent(z.object({ schedules: z.array(Schedule) }), "the schedules"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    return c.json({ schedules: await environmentStub(c.env, env).listSchedules(c.req.valid("query")) }, 200);
  },
);

scheduleRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/schedules/{id}",
    summary: "A scheduled change and its state",
    request: { params: ScheduleParams },
    responses: { 200: jsonContent(Schedule, "the schedule"), ...errorResponses },
  }),
  async (c) => {
    const { env, id } = c.req.valid("param");
    const schedule = await environmentStub(c.env, env).getSchedule(id);
    if (!schedule) throw new ApiError(404, "NOT_FOUND", `no schedule "${id}"`);
    return c.json(schedule, 200);
  },
);

scheduleRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "delete",
    path: "/envs/{env}/schedules/{id}",
    summary: "Cancel a PENDING scheduled change (409 when it is no longer PENDING)",
    request: { params: ScheduleParams, query: z.object({ reason: Reason.optional() }) },
    responses: { 200: jsonContent(Schedule, "cancelled"), ...errorResponses },
  }),
  async (c) => {
    const { env, id } = c.req.valid("param");
    const { schedule } = unwrap(await environmentStub(c.env, env).cancelSchedule(id, changeMeta(c, c.req.valid("query").reason)));
    return c.json(schedule, 200);
  },
);
