/**
 * The operator path end to end over HTTP against `wrangler dev`: an SDK key and a kill switch
 * through the admin API, seen by OFREP evaluation, and recorded in a verifiable audit log.
 */
import { describe, expect, inject, it } from "vitest";

const baseUrl = inject("baseUrl");
const ADMIN = { Authorization: "Bearer dev-admin-token", "Content-Type": "application/json" };

async function adminCall<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const init: RequestInit = { method, headers: ADMIN };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${baseUrl}/admin/v1${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
}

describe("admin API over wrangler dev", () => {
  it("creates an SDK key, flips a kill switch, and the edge and audit log agree", async () => {
    const key = await adminCall<{ key: string }>("POST", "/envs/production/sdk-keys", { name: "e2e", kind: "server" });
    expect(key.status).toBe(201);
    const toggled = await adminCall<{ flag: { enabled: boolean } }>("POST", "/envs/production/flags/read_only_mode/enable", { reason: "e2e drill" });
    expect(toggled.status).toBe(200);
    expect(toggled.body.flag.enabled).toBe(true);

    const strong = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/read_only_mode?consistency=strong`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": key.body.key },
      body: "{}",
    });
    expect(strong.status).toBe(200);
    expect(await strong.json()).toMatchObject({ key: "read_only_mode", value: true });

    const audit = await adminCall<{ entries: { action: string; reason: string | null }[] }>("GET", "/envs/production/audit?flag=read_only_mode");
    expect(audit.body.entries[0]).toMatchObject({ action: "flag.enabled", reason: "e2e drill" });
    const verify = await adminCall<{ ok: boolean; checked: number }>("GET", "/envs/production/audit/verify");
    expect(verify.body.ok).toBe(true);
    expect(verify.body.checked).toBeGreaterThanOrEqual(3); // seed, key, toggle

    const off = await adminCall("POST", "/envs/production/flags/read_only_mode/disable", { reason: "drill over" });
    expect(off.status).toBe(200);
  });

  it("serves the OpenAPI document and refuses a missing token", async () => {
    const doc = await fetch(`${baseUrl}/admin/v1/openapi.json`);
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { openapi: string }).openapi).toBe("3.1.0");
    const denied = await fetch(`${baseUrl}/admin/v1/envs/production/flags`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });
});
