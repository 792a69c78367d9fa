/**
 * Admin routes for segments: reusable audiences of one environment that flag rules name with
 * `inSegment` / `notInSegment` (docs/flags.md, "Segments"). Reads need viewer, changes operator.
 * Every write takes an optional `If-Match: "<version>"` ("0": create only), as flag writes do.
 */
import { z } from "zod";
import { Segment, SegmentKey, SegmentMembersChange, SegmentView } from "../../domain/segment.js";
import { EnvironmentName } from "../../domain/snapshot.js";
import { environmentStub } from "../../environment/api.js";
import type { SegmentChange } from "../../environment/segment-commands.js";
import { adminRoute } from "./access.js";
import { guardOf } from "./flags.js";
import { ChangeResult, EnvParam, Reason, SegmentMembersResult, SegmentWriteResult, WriteHeaders } from "./schemas.js";
import { changeMeta, commandError, createAdminRouter, errorResponses, jsonContent, unwrap, type AdminContext } from "./support.js";

export const segmentRoutes = createAdminRouter();

const SegmentParams = z.object({ env: EnvironmentName, key: SegmentKey });
const ReasonQuery = z.object({ reason: Reason.optional() });


function writeBody(r: SegmentChange): z.infer<typeof SegmentWriteResult> {
  return { segment: r.segment, usedBy: [...r.usedBy], created: r.created, changed: r.changed, environmentVersion: r.version, published: r.published };
}

function etag(c: AdminContext, segment: { version: number }): void {
  c.header("ETag", `"${segment.version}"`);
}

segmentRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/segments",
    summary: "List segments, each with the flags that use it",
    request: { params: EnvParam },
    responses: { 200: jsonContent(z.object({ segments: z.array(SegmentView) }), "the environment's segments, by key"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    return c.json({ segments: await environmentStub(c.env, env).listSegments() }, 200);
  },
);

segmentRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/segments/{key}",
    summary: "Get a segment and the flags that use it (usedBy)",
    request: { params: SegmentParams },
    responses: { 200: jsonContent(SegmentView, "the segment; ETag is its version"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const view = await environmentStub(c.env, env).getSegment(key);
    if (!view) throw commandError({ code: "NOT_FOUND", message: `segment "${key}" does not exist`, details: [] });
    etag(c, view.segment);
    return c.json(view, 200);
  },
);

segmentRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "put",
    path: "/envs/{env}/segments/{key}",
    summary: "Create or replace a segment: include and exclude ids (up to 10,000 each) and rules",
    description:
      "A context is in the segment when its id (the `bucketBy` attribute, default targetingKey) is in `include`; otherwise when it is not in `exclude` and any rule matches. Ids are stored unique and sorted. Audited as segment.created / segment.updated with the whole segment.",
    request: { params: SegmentParams, query: ReasonQuery, headers: WriteHeaders, body: { ...jsonContent(Segment, "the whole segment"), required: true } },
    responses: { 200: jsonContent(SegmentWriteResult, "replaced (or unchanged)"), 201: jsonContent(SegmentWriteResult, "created"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const { reason } = c.req.valid("query");
    const r = unwrap(await environmentStub(c.env, env).putSegment(key, c.req.valid("json"), guardOf(c.req.valid("header"), {}), changeMeta(c, reason)));
    etag(c, r.segment);
    return c.json(writeBody(r), r.created ? 201 : 200);
  },
);

segmentRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "delete",
    path: "/envs/{env}/segments/{key}",
    summary: "Delete a segment (409 IN_USE while flags use it; the details name them)",
    request: { params: SegmentParams, query: ReasonQuery, headers: WriteHeaders },
    responses: { 200: jsonContent(ChangeResult, "deleted"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const { reason } = c.req.valid("query");
    const r = unwrap(await environmentStub(c.env, env).deleteSegment(key, guardOf(c.req.valid("header"), {}), changeMeta(c, reason)));
    return c.json({ environmentVersion: r.version, published: r.published }, 200);
  },
);

segmentRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "post",
    path: "/envs/{env}/segments/{key}/members",
    summary: "Add ids to and remove ids from a segment's include list, in one batch",
    description: "Audited as segment.members_changed with only the ids that changed ({add, remove}), not the whole list. An id both added and removed is removed.",
    request: { params: SegmentParams, query: ReasonQuery, headers: WriteHeaders, body: { ...jsonContent(SegmentMembersChange, "ids to add and to remove"), required: true } },
    responses: { 200: jsonContent(SegmentMembersResult, "the segment after the change"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const { reason } = c.req.valid("query");
    const r = unwrap(await environmentStub(c.env, env).changeSegmentMembers(key, c.req.valid("json"), guardOf(c.req.valid("header"), {}), changeMeta(c, reason)));
    etag(c, r.segment);
    return c.json({ ...writeBody(r), added: [...r.added], removed: [...r.removed] }, 200);
  },
);
