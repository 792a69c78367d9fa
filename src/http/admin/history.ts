/**
 * A flag's history, rebuilt from the audit log (D1's rows and the outbox's pending ones, so every
 * committed change shows at once): its versions, newest first, and restoring one of them as the
 * flag's next version. The reconstruction is pure (src/domain/history.ts).
 */
import { z } from "zod";
import { readHistory } from "../../audit/history-read.js";
import { versionsOf } from "../../domain/history.js";
import type { Flag as FlagType } from "../../domain/flag.js";
import { environmentStub } from "../../environment/api.js";
import type { Env } from "../../env.js";
import { flagWriteResponse, guardOf } from "./flags.js";
import { RestoreBody, VersionsPage, VersionsQuery } from "./history-schemas.js";
import { FlagParams, FlagWriteResult, WriteHeaders } from "./schemas.js";
import { adminRoute } from "./access.js";
import { changeMeta, commandError, createAdminRouter, errorResponses, jsonContent, unwrap } from "./support.js";

export const historyRoutes = createAdminRouter();

/** Every version of one flag, oldest first. */
async function flagVersions(env: Env, environment: string, key: string) {
  const entries = await readHistory(env.AUDIT_DB, environmentStub(env, environment), environment, { targetId: key });
  return versionsOf<FlagType>(entries, "flag", key);
}

historyRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/flags/{key}/versions",
    summary: "A flag's versions, newest first, each with the whole flag as it was (rebuilt from the audit log)",
    request: { params: FlagParams, query: VersionsQuery },
    responses: { 200: jsonContent(VersionsPage, "a page of versions (404 for a flag never written)"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const { limit, before } = c.req.valid("query");
    const versions = await flagVersions(c.env, env, key);
    if (versions.length === 0) throw commandError({ code: "NOT_FOUND", message: `flag "${key}" has no history in "${env}"`, details: [] });
    const all = versions.reverse().filter((v) => before === undefined || v.version < before);
    const page = all.slice(0, limit);
    const body: z.infer<typeof VersionsPage> = {
      versions: page.map(({ entity, ...v }) => ({ ...v, flag: entity })),
      nextCursor: all.length > limit ? (page[page.length - 1]?.version ?? null) : null,
    };
    return c.json(body, 200);
  },
);

historyRoutes.openapi(
  adminRoute({ role: "operator", on: "path" }, {
    method: "post",
    path: "/envs/{env}/flags/{key}/restore",
    summary: "Write an earlier version's content as the flag's next version (audited as flag.restored; brings back an archived flag)",
    request: { params: FlagParams, headers: WriteHeaders, body: { ...jsonContent(RestoreBody, "the version to restore"), required: true } },
    responses: { 200: jsonContent(FlagWriteResult, "the restored flag (changed=false when it already had that content)"), ...errorResponses },
  }),
  async (c) => {
    const { env, key } = c.req.valid("param");
    const { version, reason } = c.req.valid("json");
    const found = (await flagVersions(c.env, env, key)).find((v) => v.version === version);
    if (!found) throw commandError({ code: "NOT_FOUND", message: `flag "${key}" has no version ${version}`, details: [{ path: "body.version", message: "no such version" }] });
    const { version: _v, updatedAt: _u, ...content } = found.entity;
    const meta = changeMeta(c, reason ?? `restored version ${version}`);
    const result = unwrap(await environmentStub(c.env, env).restoreFlag(key, content, guardOf(c.req.valid("header"), {}), meta));
    return flagWriteResponse(c, result, 200);
  },
);
