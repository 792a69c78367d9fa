/** Admin routes for flags: read, write with optimistic concurrency, toggle, import/export, promote. */
import { z } from "zod";
import type { Flag as FlagType } from "../../domain/flag.js";
import { environmentStub } from "../../environment/api.js";
import type { FlagChange } from "../../environment/types.js";
import {
  ChangeResult, EnvParam, Flag, FlagListQuery, FlagParams, FlagSet, FlagView, FlagWriteResult,
  ImportQuery, ImportResult, MergePatch, PromoteBody, ToggleBody, WriteHeaders, WriteQuery,
} from "./schemas.js";
import { adminRoute, authorize } from "./access.js";
import { changeMeta, commandError, unwrap, type AdminContext, createAdminRouter, errorResponses, jsonContent } from "./support.js";

export const flagRoutes = createAdminRouter();

function view(c: AdminContext, env: string, flag: FlagType): z.infer<typeof FlagView> {
  const variant = c.get("config").overrides[env]?.[flag.key];
  return { flag, override: variant !== undefined && Object.hasOwn(flag.variants, variant) ? { variant, source: "FLAG_OVERRIDES" } : null };
}

/**
 * The answer to every flag write (put, patch, enable/disable): the flag's version as ETag, so the
 * next write can send it as If-Match. `status` is 201 only when a PUT created the flag (patch and
 * toggle need an existing flag); the route's typed responses keep it honest.
 */
export function flagWriteResponse<S extends 200 | 201>(c: AdminContext, result: FlagChange, status: S) {
  c.header("ETag", `"${result.flag.version}"`);
  const body: z.infer<typeof FlagWriteResult> = {
    flag: result.flag,
    created: result.created,
    changed: result.changed,
    environmentVersion: result.version,
    published: result.published,
  };
  return c.json(body, status);
}

/** The expected version from `If-Match` (preferred) or `?expectedVersion=`. */
export function guardOf(headers: z.infer<typeof WriteHeaders>, query: { expectedVersion?: number | undefined }) {
  return { expectedVersion: headers["if-match"] ?? query.expectedVersion };
}

flagRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/flags",
    summary: "List flags",
    request: { params: EnvParam, query: FlagListQuery },
    responses: { 200: jsonContent(z.object({ flags: z.array(FlagView) }), "the environment's live flags"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const { category, tag, enabled } = c.req.valid("query");
    const flags = (await environmentStub(c.env, env).listFlags()).filter(
      (f) => (category === undefined || f.category === category) && (tag === undefined || f.tags.includes(tag)) && (enabled === undefined || f.enabled === enabled),
    );
    return c.json({ flags: flags.map((f) => view(c, env, f)) }, 200);
  },
);

flagRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/flags/{key}",
    summary: "Get a flag",
    request: { params: FlagParams },
    responses: { 200: jsonContent(FlagView, "the flag; ETag is its version"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const flag = await environmentStub(c.env, env).getFlag(key);
    if (!flag) throw commandError({ code: "NOT_FOUND", message: `flag "${key}" does not exist`, details: [] });
    c.header("ETag", `"${flag.version}"`);
    return c.json(view(c, env, flag), 200);
  },
);

flagRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "put",
    path: "/envs/{env}/flags/{key}",
    summary: "Create or replace a flag",
    request: { params: FlagParams, headers: WriteHeaders, query: WriteQuery, body: { ...jsonContent(Flag, "the whole flag"), required: true } },
    responses: { 200: jsonContent(FlagWriteResult, "replaced (or unchanged)"), 201: jsonContent(FlagWriteResult, "created"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const query = c.req.valid("query");
    const result = unwrap(await environmentStub(c.env, env).putFlag(key, c.req.valid("json"), guardOf(c.req.valid("header"), query), changeMeta(c, query.reason)));
    return flagWriteResponse(c, result, result.created ? 201 : 200);
  },
);

flagRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "patch",
    path: "/envs/{env}/flags/{key}",
    summary: "Change part of a flag (JSON Merge Patch, RFC 7396)",
    request: { params: FlagParams, headers: WriteHeaders, query: WriteQuery, body: { ...jsonContent(MergePatch, "fields to change; null removes"), required: true } },
    responses: { 200: jsonContent(FlagWriteResult, "the patched flag"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const query = c.req.valid("query");
    const result = unwrap(await environmentStub(c.env, env).patchFlag(key, c.req.valid("json"), guardOf(c.req.valid("header"), query), changeMeta(c, query.reason)));
    return flagWriteResponse(c, result, 200);
  },
);

flagRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "delete",
    path: "/envs/{env}/flags/{key}",
    summary: "Archive a flag (it leaves the snapshot; its history stays)",
    request: { params: FlagParams, headers: WriteHeaders, query: WriteQuery },
    responses: { 200: jsonContent(ChangeResult, "archived"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const query = c.req.valid("query");
    const result = unwrap(await environmentStub(c.env, env).archiveFlag(key, guardOf(c.req.valid("header"), query), changeMeta(c, query.reason)));
    return c.json({ environmentVersion: result.version, published: result.published }, 200);
  },
);

for (const action of ["enable", "disable"] as const) {
  flagRoutes.openapi(
    adminRoute({ role: "operator", on: "path" }, {
      method: "post",
      path: `/envs/{env}/flags/{key}/${action}`,
      summary: action === "enable" ? "Enable a flag (turns a kill switch on)" : "Disable a flag (serves offVariant to everyone)",
      request: { params: FlagParams, headers: WriteHeaders, query: WriteQuery, body: { ...jsonContent(ToggleBody, "optional reason"), required: false } },
      responses: { 200: jsonContent(FlagWriteResult, "the toggled flag"), ...errorResponses },
    }),
    async (c) => {
      const { env, key } = c.req.valid("param");
      const query = c.req.valid("query");
      const reason = c.req.valid("json").reason ?? query.reason;
      const result = unwrap(await environmentStub(c.env, env).setFlagEnabled(key, action === "enable", guardOf(c.req.valid("header"), query), changeMeta(c, reason)));
      return flagWriteResponse(c, result, 200);
    },
  );
}

flagRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/export",
    summary: "Export the environment's flags as a flag set (flags as code)",
    request: { params: EnvParam },
    responses: { 200: jsonContent(FlagSet, "every live flag"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    return c.json({ flags: await environmentStub(c.env, env).listFlags() }, 200);
  },
);

flagRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "post",
    path: "/envs/{env}/import",
    summary: "Import a flag set; dryRun=true returns the diff and changes nothing",
    request: { params: EnvParam, query: ImportQuery, body: { ...jsonContent(FlagSet, "the flag set"), required: true } },
    responses: { 200: jsonContent(ImportResult, "the diff (and the version when applied)"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const { mode, dryRun, reason } = c.req.valid("query");
    const result = unwrap(await environmentStub(c.env, env).importFlags(c.req.valid("json"), { mode, dryRun }, changeMeta(c, reason)));
    return c.json({ dryRun: result.dryRun, diff: result.diff, environmentVersion: result.version, published: result.published }, 200);
  },
);

flagRoutes.openapi(
  adminRoute([{ role: "viewer", on: "path" }, { role: "operator", on: "some" }], {
    method: "post",
    path: "/envs/{env}/promote",
    summary: "Copy flags (all, or the listed ones) from this environment to another",
    request: { params: EnvParam, body: { ...jsonContent(PromoteBody, "target environment and flags"), required: true } },
    responses: { 200: jsonContent(ImportResult, "the diff in the target environment"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const body = c.req.valid("json");
    authorize(c, "operator", body.to);
    const source = await environmentStub(c.env, env).listFlags();
    const wanted = body.flags === undefined ? undefined : new Set(body.flags);
    const missing = body.flags?.filter((k) => !source.some((f) => f.key === k)) ?? [];
    if (missing.length > 0) {
      throw commandError({ code: "NOT_FOUND", message: `not in "${env}": ${missing.join(", ")}`, details: missing.map((k) => ({ path: "flags", message: k })) });
    }
    const flags = source.filter((f) => wanted === undefined || wanted.has(f.key));
    const result = unwrap(await environmentStub(c.env, body.to).importFlags({ flags }, { mode: "merge", dryRun: body.dryRun }, changeMeta(c, body.reason ?? `promoted from ${env}`)));
    return c.json({ dryRun: result.dryRun, diff: result.diff, environmentVersion: result.version, published: result.published }, 200);
  },
);
