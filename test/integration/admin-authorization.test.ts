/**
 * Authorization of every admin operation, with the route list taken from the Worker's OpenAPI
 * document: no or a bad token → 401; a viewer is refused every change; a token scoped to another
 * environment is refused everything under /envs/{env}/; each role is refused exactly the routes
 * above it; and the bootstrap admin token is never refused. Requests carry valid bodies and path
 * values, so an admission is not hidden behind validation. Authentication and the role are checked
 * before the body is read (depth check) or validated, so invalid bodies get the same 401/403.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminJson, createToken } from "./admin-helpers.js";
import { expectCoversKnownRoutes, fillPath, loadAdminOperations, operationName, requiredRole, roleAtLeast, type AdminOperation, type PathValues, type Role } from "./admin-operations.js";
import { createRouteFixtures, validBody } from "./admin-route-fixtures.js";
import { expectErrorEnvelope } from "./error-envelope.js";
import { call } from "./helpers.js";

const ENV = "development";
const operations = await loadAdminOperations();

let values: PathValues;
beforeAll(async () => {
  values = await createRouteFixtures(ENV, "authz");
});

/** Bodies no route accepts: not JSON, the wrong type, nested past the admin depth limit (32). */
const INVALID_BODIES = ["not json", "[1,2,3]", `${"[".repeat(40)}${"]".repeat(40)}`];

/**
 * Calls `op` with valid path values and (unless `rawBody` replaces it) a valid body;
 * `authorization` is the whole header (or none).
 */
async function send(op: AdminOperation, authorization: string | undefined, rawBody?: string): Promise<{ status: number; text: string; headers: Headers; where: string }> {
  const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
  const body = rawBody ?? validBody(op, values);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const path = fillPath(op, values);
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const res = await call(`/admin/v1${path}`, { method: op.method, headers, ...(body === undefined ? {} : { body: text }) });
  const answer = await res.text();
  return { status: res.status, text: answer, headers: res.headers, where: `${operationName(op)} (${op.method} ${path}) → ${res.status} ${answer.slice(0, 300)}` };
}

async function expectRefused(op: AdminOperation, authorization: string | undefined, status: 401 | 403, rawBody?: string): Promise<void> {
  const res = await send(op, authorization, rawBody);
  expect(res.status, res.where).toBe(status);
  const { error } = expectErrorEnvelope(res.text, res.where);
  expect(error.code, res.where).toBe(status === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
  if (status === 401) expect(res.headers.get("WWW-Authenticate"), res.where).toMatch(/^Bearer /);
}

async function expectAdmitted(op: AdminOperation, authorization: string): Promise<void> {
  const res = await send(op, authorization);
  expect([401, 403], res.where).not.toContain(res.status);
  expect(res.status, res.where).toBeLessThan(500);
}

describe("admin authorization, on every operation of the OpenAPI document", () => {
  it("the derived operation list is not empty and includes the DELETE routes and rollout commands", () => {
    expectCoversKnownRoutes(operations);
  });

  it("no Authorization header → 401 in the error envelope, with WWW-Authenticate", async () => {
    for (const op of operations) await expectRefused(op, undefined, 401);
  });

  it("bad credentials → 401: unknown, malformed, revoked, wrong scheme, an SDK key", async () => {
    const revoked = await adminJson<{ id: string; token: string }>("POST", "/tokens", { name: "authz-revoked", role: "admin", environments: ["*"] });
    expect(revoked.status).toBe(201);
    expect((await adminJson("DELETE", `/tokens/${revoked.body.id}`)).status).toBe(200);
    const sdkKey = await adminJson<{ key: string }>("POST", `/envs/${ENV}/sdk-keys`, { name: "authz-not-admin", kind: "server" });
    expect(sdkKey.status).toBe(201);
    const bad = [
      "Bearer not-a-token",
      `Bearer eft_${"x".repeat(40)}`,
      `Bearer ${ADMIN}x`,
      `Bearer ${revoked.body.token}`,
      `Basic ${ADMIN}`,
      "Bearer",
      `Bearer ${sdkKey.body.key}`,
    ];
    for (const op of operations) for (const authorization of bad) await expectRefused(op, authorization, 401);
  });

  it("a viewer token (all environments) → 403 on every operation that needs more than viewer (all but reads)", async () => {
    const viewer = `Bearer ${await createToken("viewer")}`;
    // Environment reads are GETs, and explain: a POST only because it carries a context.
    const changes = operations.filter((op) => requiredRole(op) !== "viewer");
    expect(changes.length).toBeGreaterThan(0);
    for (const op of changes) await expectRefused(op, viewer, 403);
  });

  it("no token or a viewer token with an INVALID body → the same 401/403: access is checked before the body", async () => {
    const viewer = `Bearer ${await createToken("viewer")}`;
    const withBody = operations.filter((op) => op.body !== "none");
    expect(withBody.map(operationName)).toEqual(expect.arrayContaining(["PUT /envs/{env}/flags/{key}", "POST /tokens"]));
    for (const op of withBody) {
      for (const body of INVALID_BODIES) {
        await expectRefused(op, undefined, 401, body);
        if (requiredRole(op) !== "viewer") await expectRefused(op, viewer, 403, body);
      }
    }
  });

  it("an operator token scoped to another environment → 403 on every operation under /envs/{env}/", async () => {
    const elsewhere = `Bearer ${await createToken("operator", ["production"])}`;
    const scoped = operations.filter((op) => op.template.startsWith("/envs/{env}/"));
    expect(scoped.length).toBeGreaterThan(0);
    for (const op of scoped) await expectRefused(op, elsewhere, 403);
  });

  it("each role (API tokens on all environments) is refused exactly the operations that need more", async () => {
    const tokens: [Role, string][] = [
      ["viewer", `Bearer ${await createToken("viewer")}`],
      ["operator", `Bearer ${await createToken("operator")}`],
      ["admin", `Bearer ${await createToken("admin")}`],
    ];
    for (const [role, authorization] of tokens) {
      for (const op of operations) {
        if (roleAtLeast(role, requiredRole(op))) await expectAdmitted(op, authorization);
        else await expectRefused(op, authorization, 403);
      }
    }
    // The policy is not trivial: some operations are out of reach of each role below admin.
    expect(operations.filter((op) => requiredRole(op) === "admin").length).toBeGreaterThan(0);
    expect(operations.filter((op) => requiredRole(op) === "operator").length).toBeGreaterThan(0);
  });

  it("the bootstrap admin token is never refused with 401/403", async () => {
    for (const op of operations) await expectAdmitted(op, `Bearer ${ADMIN}`);
  });
});
