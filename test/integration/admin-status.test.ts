/**
 * Small leaks closed on the admin side: every /admin answer is `Cache-Control: no-store` (errors
 * too), the full service status lives behind a token at GET /admin/v1/status (scoped to the
 * token's environments), and API tokens name only configured environments (or "*").
 */
import { describe, expect, it } from "vitest";
import { ADMIN, admin, adminJson, createToken } from "./admin-helpers.js";
import { call } from "./helpers.js";

interface StatusReport {
  principal: { actor: string; role: string; environments: string[] };
  status: string;
  checks: { name: string; ok: boolean; detail: string }[];
  environments: { env: string; version: number; flagCount: number; publishedVersion: number; audit: { lastSeq: number }; snapshotVersion: number | null }[];
}

describe("Cache-Control: no-store on every /admin answer", () => {
  it("successes, secrets, errors and the OpenAPI document", async () => {
    const answers: [string, Response][] = [
      ["list flags (200)", await admin("GET", "/envs/staging/flags")],
      ["create a token (201, a secret)", await admin("POST", "/tokens", { name: "no-store", role: "viewer", environments: ["staging"] })],
      ["create an SDK key (201, a secret)", await admin("POST", "/envs/staging/sdk-keys", { name: "no-store", kind: "server" })],
      ["no token (401)", await call("/admin/v1/envs/staging/flags")],
      ["a viewer's write (403)", await admin("DELETE", "/envs/staging/flags/x", undefined, await createToken("viewer"))],
      ["an invalid body (422)", await admin("PUT", "/envs/staging/flags/x", { nope: true })],
      ["an unknown admin route (404)", await admin("GET", "/nope")],
      ["openapi.json", await call("/admin/v1/openapi.json")],
    ];
    expect(answers.map(([, r]) => r.status)).toEqual([200, 201, 201, 401, 403, 422, 404, 200]);
    for (const [what, res] of answers) expect(res.headers.get("cache-control"), what).toBe("no-store");
  });
});

describe("GET /admin/v1/status", () => {
  it("needs a token; the bootstrap admin sees every check in full and every environment", async () => {
    const anonymous = await call("/admin/v1/status");
    expect(anonymous.status).toBe(401);
    const { status, body } = await adminJson<StatusReport>("GET", "/status");
    expect(status).toBe(200);
    expect(body.checks.map((c) => c.name)).toEqual(expect.arrayContaining(["config", "kv", "d1", "environment:staging", "snapshot:production"]));
    // Full details, unlike /health: versions and flag counts.
    expect(body.checks.find((c) => c.name === "environment:staging")?.detail).toMatch(/^version \d+, \d+ flags$/);
    expect(body.checks.find((c) => c.name === "config")?.detail).toMatch(/environments: development, staging, production/);
    expect(body.environments.map((e) => e.env)).toEqual(["development", "staging", "production"]);
    for (const e of body.environments) {
      expect(e).toMatchObject({ version: expect.any(Number), flagCount: expect.any(Number), publishedVersion: expect.any(Number), audit: { lastSeq: expect.any(Number) } });
    }
  });

  it("a token scoped to one environment sees only that environment", async () => {
    const { status, body } = await adminJson<StatusReport>("GET", "/status", undefined, await createToken("viewer", ["staging"]));
    expect(status).toBe(200);
    expect(body.environments.map((e) => e.env)).toEqual(["staging"]);
    // Who the token is, so the dashboard can show a viewer a read-only UI.
    expect(body.principal).toMatchObject({ actor: expect.stringMatching(/^token:/), role: "viewer", environments: ["staging"] });
    expect(body.checks.map((c) => c.name).filter((n) => n.includes(":"))).toEqual(["environment:staging", "snapshot:staging"]);
  });
});

describe("POST /admin/v1/tokens: environments must be configured", () => {
  it("an unknown environment → 422 naming it, and no token is created", async () => {
    const before = await adminJson<{ tokens: unknown[] }>("GET", "/tokens");
    const res = await adminJson<{ error: { code: string; details: { path: string; message: string }[] } }>("POST", "/tokens", {
      name: "typo", role: "operator", environments: ["staging", "prodution"],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.details).toEqual([{ path: "body.environments.1", message: expect.stringContaining("prodution") }]);
    const after = await adminJson<{ tokens: unknown[] }>("GET", "/tokens");
    expect(after.body.tokens.length).toBe(before.body.tokens.length);
  });

  it('configured environments and "*" are accepted', async () => {
    for (const environments of [["staging", "production"], ["*"]]) {
      expect((await adminJson("POST", "/tokens", { name: "ok", role: "viewer", environments }, ADMIN)).status).toBe(201);
    }
  });
});
