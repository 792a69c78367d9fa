/** Admin routes for the audit log: filtered, keyset-paginated reads and hash-chain verification. */
import { accessStub } from "../../access/api.js";
import { ACCESS_AUDIT_ENVIRONMENT } from "../../access/token.js";
import { queryAudit } from "../../audit/d1.js";
import { verifyAnchoredChain } from "../../audit/verify.js";
import { environmentStub } from "../../environment/api.js";
import { AuditPage, AuditQuery, AuditVerification, EnvParam } from "./schemas.js";
import { adminRoute } from "./access.js";
import { createAdminRouter, errorResponses, jsonContent } from "./support.js";

export const auditRoutes = createAdminRouter();

auditRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/audit",
    summary: "Read the environment's audit log, newest first (pass nextCursor as cursor for the next page)",
    request: { params: EnvParam, query: AuditQuery },
    responses: { 200: jsonContent(AuditPage, "a page of audit entries"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const q = c.req.valid("query");
    // Changes that are committed but not yet in D1 are written first, so a read sees them.
    await environmentStub(c.env, env).flushAudit();
    const page = await queryAudit(c.env.AUDIT_DB, { environment: env, ...q, beforeSeq: q.cursor });
    return c.json(page, 200);
  },
);

auditRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/audit/verify",
    summary: "Recompute the environment's hash chain, check it against the Durable Object's head, and report the first broken link",
    request: { params: EnvParam },
    responses: { 200: jsonContent(AuditVerification, "the verdict (ok=false names the first broken link)"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    return c.json(await verifyAnchoredChain(c.env.AUDIT_DB, env, environmentStub(c.env, env)), 200);
  },
);

auditRoutes.openapi(
  adminRoute({ role: "admin", on: "all" }, {
    method: "get",
    path: "/audit",
    summary: "Read the audit log of access changes (API tokens), newest first",
    request: { query: AuditQuery },
    responses: { 200: jsonContent(AuditPage, "a page of audit entries"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    await accessStub(c.env).flushAudit();
    return c.json(await queryAudit(c.env.AUDIT_DB, { environment: ACCESS_AUDIT_ENVIRONMENT, ...q, beforeSeq: q.cursor }), 200);
  },
);

auditRoutes.openapi(
  adminRoute({ role: "admin", on: "all" }, {
    method: "get",
    path: "/audit/verify",
    summary: "Recompute the hash chain of access changes (API tokens), check it against the Access Durable Object's head, and report the first broken link",
    responses: { 200: jsonContent(AuditVerification, "the verdict (ok=false names the first broken link)"), ...errorResponses },
  }),
  async (c) => {
    return c.json(await verifyAnchoredChain(c.env.AUDIT_DB, ACCESS_AUDIT_ENVIRONMENT, accessStub(c.env)), 200);
  },
);
