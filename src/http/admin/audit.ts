/** Admin routes for the audit log: filtered, keyset-paginated reads and hash-chain verification. */
import { accessStub } from "../../access/api.js";
import { ACCESS_AUDIT_ENVIRONMENT } from "../../access/token.js";
import { queryAudit, verifyAuditChain } from "../../audit/d1.js";
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
    summary: "Recompute the environment's hash chain and report the first broken link",
    request: { params: EnvParam },
    responses: { 200: jsonContent(AuditVerification, "the verdict (ok=false names the first broken link)"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const { pending } = await environmentStub(c.env, env).flushAudit();
    const status = await environmentStub(c.env, env).status();
    const verdict = await verifyAuditChain(c.env.AUDIT_DB, env);
    // Rows cut off the end leave no broken link behind them: compare with what the DO wrote.
    const expectedLastSeq = status.audit.lastSeq - pending;
    const truncated = verdict.ok && verdict.lastSeq < expectedLastSeq;
    return c.json(
      {
        ...verdict,
        ok: verdict.ok && !truncated,
        expectedLastSeq,
        pending,
        ...(truncated ? { brokenAt: { seq: verdict.lastSeq + 1, problem: `rows ${verdict.lastSeq + 1}…${expectedLastSeq} are missing` } } : {}),
      },
      200,
    );
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
