/**
 * End-to-end smoke test: plain HTTP against the real `wrangler dev` started by global-setup.ts
 * (local KV, D1 and Durable Objects, config/flags.json seeded into every environment, and
 * anonymous evaluation against `development` from .dev.vars).
 */
import { describe, expect, inject, it } from "vitest";
import flagSet from "../../config/flags.json";
import { ADMIN_HEADERS } from "./support/admin.js";

const baseUrl = inject("baseUrl");
const ENVIRONMENTS = ["development", "staging", "production"];
const DEFAULT_KEYS = flagSet.flags.map((f) => f.key).sort();

interface BulkItem {
  key: string;
  value?: unknown;
  variant?: string;
  reason?: string;
  errorCode?: string;
  errorDetails?: string;
}
interface BulkBody {
  flags: BulkItem[];
  metadata?: Record<string, unknown>;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const BULK = "/ofrep/v1/evaluate/flags";

describe("health", () => {
  it("GET /health is 200 with one passing check per dependency and environment", async () => {
    const response = await fetch(`${baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json<{ status: string; checks: { name: string; ok: boolean; detail: string }[] }>();
    expect(body.status).toBe("ok");
    const names = body.checks.map((c) => c.name).sort();
    expect(names).toEqual(
      ["config", "kv", "d1", ...ENVIRONMENTS.flatMap((e) => [`environment:${e}`, `snapshot:${e}`])].sort(),
    );
    // Public details are short ("ok"); the environments' state is behind a token.
    for (const check of body.checks) expect(check, check.name).toEqual({ name: check.name, ok: true, detail: "ok" });
  });

  it("GET /admin/v1/status has each environment's state, behind the admin token", async () => {
    expect((await fetch(`${baseUrl}/admin/v1/status`)).status).toBe(401);
    const response = await fetch(`${baseUrl}/admin/v1/status`, { headers: ADMIN_HEADERS });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json<{ status: string; environments: { env: string; flagCount: number; lastPublishError: string | null }[] }>();
    expect(body.status).toBe("ok");
    expect(body.environments.map((e) => e.env)).toEqual(ENVIRONMENTS);
    // Other e2e files run in parallel and may add flags of their own (the browser test does, in
    // production): every environment holds at least the default set, each of its keys live.
    for (const e of body.environments) {
      expect(e, e.env).toMatchObject({ lastPublishError: null });
      expect(e.flagCount, e.env).toBeGreaterThanOrEqual(DEFAULT_KEYS.length);
      const listed = await (await fetch(`${baseUrl}/admin/v1/envs/${e.env}/flags`, { headers: ADMIN_HEADERS })).json<{ flags: { flag: { key: string } }[] }>();
      expect(listed.flags.map((f) => f.flag.key), e.env).toEqual(expect.arrayContaining(DEFAULT_KEYS));
    }
  });

  it("GET /health/live is a static 200", async () => {
    const response = await fetch(`${baseUrl}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("OFREP bulk evaluation", () => {
  it("evaluates every default flag, sorted by key, with a quoted ETag", async () => {
    const response = await post(BULK, { context: { targetingKey: "user-1" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("etag")).toMatch(/^"[^"]+"$/);
    const body = await response.json<BulkBody>();
    expect(body.flags.map((f) => f.key)).toEqual(DEFAULT_KEYS);
    expect(body.metadata).toMatchObject({ environment: "development" });
    for (const item of body.flags) {
      expect(item.errorCode, item.key).toBeUndefined();
      expect(item.value, item.key).toBeDefined();
      expect(item.reason, item.key).toEqual(expect.any(String));
    }
  });

  it("answers 304 with an empty body to If-None-Match, strong or weak (W/)", async () => {
    const context = { context: { targetingKey: "user-1" } };
    const first = await post(BULK, context);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^"[^"]+"$/);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"something-else", ${etag}`]) {
      const again = await post(BULK, context, { "If-None-Match": ifNoneMatch });
      expect(again.status, ifNoneMatch).toBe(304);
      expect(await again.text(), ifNoneMatch).toBe("");
      expect(again.headers.get("etag"), ifNoneMatch).toBe(etag);
    }
  });

  it("changes the ETag when a non-targetingKey attribute changes a result (web providers keep their ETag then)", async () => {
    const base = await post(BULK, { context: { targetingKey: "user-1" } });
    const baseEtag = base.headers.get("etag") as string;
    const baseBody = await base.json<BulkBody>();
    // The web provider keeps sending the old ETag when only other attributes change, so the server
    // must not answer 304 to it.
    const beta = await post(BULK, { context: { targetingKey: "user-1", plan: "beta" } }, { "If-None-Match": baseEtag });
    expect(beta.status).toBe(200);
    expect(beta.headers.get("etag")).toMatch(/^"[^"]+"$/);
    expect(beta.headers.get("etag")).not.toBe(baseEtag);
    const betaBody = await beta.json<BulkBody>();
    expect(betaBody.flags.find((f) => f.key === "demo_checkout_v2")).toEqual({
      key: "demo_checkout_v2",
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
    });
    expect(baseBody.flags.find((f) => f.key === "demo_checkout_v2")?.reason).not.toBe("TARGETING_MATCH");
  });

  it("does not require a context: flags that need a targetingKey report TARGETING_KEY_MISSING per flag", async () => {
    for (const body of [{ context: {} }, {}, ""]) {
      const response = await post(BULK, body);
      expect(response.status, JSON.stringify(body)).toBe(200);
      const flags = (await response.json<BulkBody>()).flags;
      expect(flags.map((f) => f.key)).toEqual(DEFAULT_KEYS);
      expect(flags.find((f) => f.key === "otel_enabled")).toEqual({ key: "otel_enabled", value: true, variant: "on", reason: "STATIC" });
      // demo_banner_color splits 50/50 by targetingKey.
      expect(flags.find((f) => f.key === "demo_banner_color")).toMatchObject({ errorCode: "TARGETING_KEY_MISSING" });
      expect(flags.find((f) => f.key === "demo_banner_color")).not.toHaveProperty("value");
    }
  });

  it("tolerates a provider baseUrl with a trailing slash (//ofrep/…)", async () => {
    const response = await post(`/${BULK}`, { context: { targetingKey: "user-1" } });
    expect(response.status).toBe(200);
    expect((await response.json<BulkBody>()).flags).toHaveLength(DEFAULT_KEYS.length);
  });
});

describe("OFREP single-flag evaluation", () => {
  it("evaluates one flag", async () => {
    const response = await post(`${BULK}/otel_enabled`, { context: { targetingKey: "user-1" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ key: "otel_enabled", value: true, variant: "on", reason: "STATIC" });
  });

  it("404 FLAG_NOT_FOUND for an unknown flag", async () => {
    const response = await post(`${BULK}/no_such_flag`, { context: { targetingKey: "user-1" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ key: "no_such_flag", errorCode: "FLAG_NOT_FOUND" });
  });

  it("400 PARSE_ERROR for a body that is not JSON", async () => {
    const single = await post(`${BULK}/otel_enabled`, "{not json");
    expect(single.status).toBe(400);
    expect(await single.json()).toMatchObject({ key: "otel_enabled", errorCode: "PARSE_ERROR", errorDetails: expect.any(String) });
    const bulk = await post(BULK, "{not json");
    expect(bulk.status).toBe(400);
    expect(await bulk.json()).toMatchObject({ errorCode: "PARSE_ERROR" });
  });

  it("400 INVALID_CONTEXT for a context that is not an object", async () => {
    const single = await post(`${BULK}/otel_enabled`, '{"context": 5}');
    expect(single.status).toBe(400);
    expect(await single.json()).toMatchObject({ key: "otel_enabled", errorCode: "INVALID_CONTEXT" });
    const bulk = await post(BULK, '{"context": 5}');
    expect(bulk.status).toBe(400);
    expect(await bulk.json()).toMatchObject({ errorCode: "INVALID_CONTEXT" });
  });

  it("401 with no body for a malformed SDK key, and for a well-formed unknown one", async () => {
    for (const [path, credential] of [
      [BULK, "nope"],
      [`${BULK}/otel_enabled`, "nope"],
      [`${BULK}/otel_enabled`, "efs_development_notarealkeynotarealkeynotarealkey12"],
    ] as const) {
      const response = await post(path, { context: { targetingKey: "user-1" } }, { Authorization: `Bearer ${credential}` });
      expect(response.status, `${path} ${credential}`).toBe(401);
      expect(await response.text(), `${path} ${credential}`).toBe("");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
  });
});

describe("GET /v1/flags", () => {
  it("returns { flags: { key: value }, version } agreeing with OFREP", async () => {
    const response = await fetch(`${baseUrl}/v1/flags?targetingKey=u1`);
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toMatch(/^"[^"]+"$/);
    const body = await response.json<{ flags: Record<string, unknown>; version: number; errors?: unknown }>();
    expect(Object.keys(body).sort()).toEqual(["flags", "version"]);
    expect(body.version).toEqual(expect.any(Number));
    expect(Object.keys(body.flags)).toEqual(DEFAULT_KEYS);

    const ofrep = await (await post(BULK, { context: { targetingKey: "u1" } })).json<BulkBody>();
    expect(body.flags).toEqual(Object.fromEntries(ofrep.flags.map((f) => [f.key, f.value])));
  });
});

describe("CORS", () => {
  it("the preflight allows the headers OFREP clients send", async () => {
    const response = await fetch(`${baseUrl}${BULK}`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization,x-api-key,if-none-match",
      },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toMatch(/^(\*|https:\/\/app\.example\.com)$/);
    expect(response.headers.get("access-control-allow-methods")?.toUpperCase()).toContain("POST");
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(["content-type", "authorization", "x-api-key", "if-none-match"]));
  });

  it("the POST response exposes ETag to the browser", async () => {
    const response = await post(BULK, { context: { targetingKey: "user-1" } }, { Origin: "https://app.example.com" });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(response.headers.get("access-control-allow-origin")).toMatch(/^(\*|https:\/\/app\.example\.com)$/);
    const exposed = (response.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(exposed).toContain("etag");
  });
});

describe("cron", () => {
  // wrangler 4.164's `wrangler dev` triggers the scheduled handler at /cdn-cgi/local/scheduled (its
  // start-up log says so); /cdn-cgi/handler/scheduled is the older miniflare path, which wrangler's
  // proxy still rewrites to the new one. `format=json` returns the handler's outcome, and the status
  // is 500 unless the outcome is "ok".
  it("the scheduled handler runs (GET /cdn-cgi/local/scheduled) and the service stays healthy", async () => {
    const time = Date.now();
    const response = await fetch(`${baseUrl}/cdn-cgi/local/scheduled?cron=*+*+*+*+*&time=${time}&format=json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: "ok" });

    const legacy = await fetch(`${baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${time}`);
    expect(legacy.status).toBe(200);
    expect(await legacy.text()).toBe("ok");

    const health = await fetch(`${baseUrl}/health`);
    expect(health.status).toBe(200);
    await health.arrayBuffer();
  });
});
