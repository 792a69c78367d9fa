import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.js";
import { app } from "../../src/http/app.js";
import { cachedHealthReport } from "../../src/http/health.js";
import { adminJson } from "./admin-helpers.js";
import { LIMITS, type Headroom } from "../../src/domain/limits.js";
import { snapshotKey } from "../../src/snapshot-key.js";
import { call, environment, published } from "./helpers.js";

interface Report {
  status: string;
  checks: { name: string; ok: boolean; detail: string }[];
}

describe("GET /health", () => {
  it("reports every check and answers 200 once every environment is published", async () => {
    for (const name of ["development", "staging", "production"]) await call("/health"); // wakes and seeds
    for (const name of ["development", "staging", "production"]) await published(name);
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const report = (await res.json()) as Report;
    expect(report.status).toBe("ok");
    expect(report.checks.map((c) => c.name)).toEqual([
      "config", "kv", "d1",
      "environment:development", "snapshot:development",
      "environment:staging", "snapshot:staging",
      "environment:production", "snapshot:production",
    ]);
    expect(report.checks.every((c) => c.ok)).toBe(true);
    // Public details are short: no versions, counts or internals (those are at /admin/v1/status).
    for (const check of report.checks) expect(Object.keys(check).sort(), check.name).toEqual(["detail", "name", "ok"]);
    expect(report.checks.map((c) => c.detail)).toEqual(report.checks.map(() => "ok"));
  });

  it("reports each environment's headroom under its limits: flags, stored flag bytes, the largest KV value", async () => {
    await published("staging");
    const res = await call("/health");
    const body = (await res.json()) as Report & { headroom: Record<string, Headroom | null> };
    expect(Object.keys(body.headroom)).toEqual(["development", "staging", "production"]);
    const status = await environment("staging").status();
    const value = await env.FLAGS_KV.get(snapshotKey("staging"), "arrayBuffer");
    expect(status.largestValueBytes).toBe(value?.byteLength);
    expect(status.flagBytes).toBeGreaterThan(0);
    expect(body.headroom["staging"]).toEqual({
      flags: { used: status.flagCount, limit: LIMITS.maxEnvironmentFlags, ratio: expect.any(Number), level: "ok" },
      flagBytes: { used: status.flagBytes, limit: LIMITS.maxEnvironmentFlagBytes, ratio: expect.any(Number), level: "ok" },
      largestValueBytes: { used: value?.byteLength, limit: LIMITS.kvValueBytes, ratio: expect.any(Number), level: "ok" },
      level: "ok",
    });
    expect(body.headroom["staging"]?.flags.ratio).toBeCloseTo(status.flagCount / LIMITS.maxEnvironmentFlags, 4);
    // The admin status has the same numbers.
    const full = await adminJson<{ environments?: unknown }>("GET", "/status");
    expect(full.status).toBe(200);
  });

  async function healthWith(vars: Partial<Env>): Promise<{ status: number; report: Report }> {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("https://flags.test/health"), { ...(env as Env), ...vars }, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, report: (await res.json()) as Report };
  }

  it("fails the config check when ADMIN_TOKEN is shorter than 32 characters, except in local development", async () => {
    const weak = await healthWith({ ADMIN_TOKEN: "short-but-not-empty" });
    expect(weak.status).toBe(503);
    expect(weak.report.checks.find((c) => c.name === "config")).toEqual({ name: "config", ok: false, detail: "ADMIN_TOKEN is shorter than 32 characters" });
    expect(JSON.stringify(weak.report)).not.toContain("short-but-not-empty");
    const local = await healthWith({ ADMIN_TOKEN: "short-but-not-empty", LOCAL_DEV: "true" });
    expect(local.report.checks.find((c) => c.name === "config")).toEqual({ name: "config", ok: true, detail: "ok" });
    const strong = await healthWith({ ADMIN_TOKEN: "x".repeat(32) });
    expect(strong.report.checks.find((c) => c.name === "config")?.ok).toBe(true);
  });

  it("answers 503 naming the broken setting when the configuration is invalid", async () => {
    const broken: Env = { ...(env as Env), ENVIRONMENTS: "development,Bad Name", FLAG_OVERRIDES: "{nope" };
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("https://flags.test/health"), broken, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const report = (await res.json()) as Report;
    const config = report.checks.find((c) => c.name === "config");
    expect(config?.ok).toBe(false);
    // The public detail names the broken settings, not the parser's messages.
    expect(config?.detail).toBe("invalid: ENVIRONMENTS, FLAG_OVERRIDES");
    // The public API refuses to guess: a clear 503, not a 500.
    const ctx2 = createExecutionContext();
    const ofrep = await app.fetch(new Request("https://flags.test/ofrep/v1/evaluate/flags", { method: "POST", body: "{}" }), broken, ctx2);
    await waitOnExecutionContext(ctx2);
    expect(ofrep.status).toBe(503);
    expect(await ofrep.json()).toMatchObject({ error: { code: "CONFIG_INVALID" } });
  });

  it("answers 503 when D1 is not migrated", async () => {
    await env.AUDIT_DB.exec("DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS audit_log_no_update; DROP TABLE audit_log;");
    const res = await call("/health");
    expect(res.status).toBe(503);
    const report = (await res.json()) as Report;
    expect(report.checks.find((c) => c.name === "d1")).toEqual({ name: "d1", ok: false, detail: "unreachable" });
    // The raw error is for admins only.
    expect(JSON.stringify(report)).not.toMatch(/audit_log|SQLITE|no such table/i);
    const full = await adminJson<Report>("GET", "/status");
    expect(full.status).toBe(200);
    expect(full.body.status).toBe("unhealthy");
    expect(full.body.checks.find((c) => c.name === "d1")?.detail).toMatch(/no such table/i);
  });

  it("has a static liveness route", async () => {
    const res = await call("/health/live");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers unknown routes with the JSON error envelope", async () => {
    const res = await call("/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("an isolate makes one report for concurrent callers, and reuses it only within the refresh interval", async () => {
    const fresh = { ...(env as Env), SNAPSHOT_REFRESH_MS: "0" } as Env;
    const [a, b] = [cachedHealthReport(fresh), cachedHealthReport(fresh)];
    expect(a).toBe(b); // one set of DO/KV/D1 calls for both
    await a;
    expect(cachedHealthReport(fresh)).not.toBe(a); // settled, and the window is 0: a new report

    const cached = { ...(env as Env), SNAPSHOT_REFRESH_MS: "60000" } as Env;
    const t = Date.now();
    const first = cachedHealthReport(cached, t);
    await first;
    expect(cachedHealthReport(cached, t + 4_999)).toBe(first);
    expect(cachedHealthReport(cached, t + 5_001)).not.toBe(first); // never older than 5 s
  });
});
