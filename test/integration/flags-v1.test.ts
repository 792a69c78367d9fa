import { describe, expect, it } from "vitest";
import { bearer, call, createKey, published } from "./helpers.js";

describe("GET /v1/flags", () => {
  it("evaluates every flag for the query's context", async () => {
    const res = await call("/v1/flags?targetingKey=u1&plan=beta");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { flags: Record<string, unknown>; version: number };
    expect(body.flags["orchestration_enabled"]).toBe(true);
    expect(body.flags["demo_checkout_v2"]).toBe(true);
    expect(body.flags["emergency_shutdown"]).toBe(false);
    expect(body.version).toBeGreaterThan(0);
  });

  it("lists flags that cannot be evaluated for this context under errors", async () => {
    const body = (await (await call("/v1/flags")).json()) as { flags: Record<string, unknown>; errors: Record<string, string> };
    expect(body.errors).toEqual({ demo_banner_color: "TARGETING_KEY_MISSING" });
    expect(body.flags).not.toHaveProperty("demo_banner_color");
  });

  it("supports ETag / If-None-Match → 304", async () => {
    const first = await call("/v1/flags?targetingKey=u1");
    const etag = first.headers.get("etag") as string;
    await first.body?.cancel();
    const again = await call("/v1/flags?targetingKey=u1", { headers: { "If-None-Match": `W/${etag}` } });
    expect(again.status).toBe(304);
    const other = await call("/v1/flags?targetingKey=u1&plan=beta", { headers: { "If-None-Match": etag } });
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });

  it("honours client-key visibility", async () => {
    const key = (await createKey("production", "client")).key;
    await published("production");
    const body = (await (await call("/v1/flags?targetingKey=u1", { headers: bearer(key) })).json()) as { flags: Record<string, unknown> };
    expect(Object.keys(body.flags)).toContain("maintenance_mode");
    expect(Object.keys(body.flags)).not.toContain("otel_enabled");
  });

  it("rejects bad input with the error envelope naming the field", async () => {
    const repeated = await call("/v1/flags?targetingKey=a&targetingKey=b");
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", details: [{ path: "targetingKey" }] } });
    const consistency = await call("/v1/flags?consistency=sometimes");
    expect(consistency.status).toBe(400);
    expect(await consistency.json()).toMatchObject({ error: { details: [{ path: "consistency" }] } });
    const denied = await call("/v1/flags", { headers: bearer("efs_production_" + "x".repeat(40)) });
    expect(denied.status).toBe(401);
    await denied.body?.cancel();
  });
});
