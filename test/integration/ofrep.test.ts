import { beforeAll, describe, expect, it } from "vitest";
import { bearer, call, createKey, environment, postJson, published } from "./helpers.js";
import { TEST_META } from "./helpers.js";

const BULK = "/ofrep/v1/evaluate/flags";
const single = (key: string) => `/ofrep/v1/evaluate/flags/${key}`;

let serverKey: string;
let clientKey: string;

beforeAll(async () => {
  serverKey = (await createKey("production", "server")).key;
  clientKey = (await createKey("production", "client")).key;
  // Production keeps a server-only flag, to check what client keys can see.
  const imported = await environment("production").importFlags({
    flags: [
      {
        key: "server_only",
        type: "string",
        variants: { a: "alpha", b: "beta" },
        offVariant: "a",
        enabled: true,
        fallthrough: { variant: "b" },
        clientSide: false,
      },
    ],
  }, {}, TEST_META);
  expect(imported.ok).toBe(true);
  await published("production");
});

describe("OFREP single-flag evaluation", () => {
  it("evaluates a boolean flag with variant and reason", async () => {
    const res = await postJson(single("otel_enabled"), { context: { targetingKey: "u1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ key: "otel_enabled", value: true, variant: "on", reason: "STATIC" });
  });

  it("serves the off variant of a disabled kill switch with reason DISABLED", async () => {
    const res = await postJson(single("emergency_shutdown"), { context: {} });
    expect(await res.json()).toEqual({ key: "emergency_shutdown", value: false, variant: "off", reason: "DISABLED" });
  });

  it("reports TARGETING_MATCH for a matching rule and SPLIT for the rollout", async () => {
    const match = await postJson(single("demo_checkout_v2"), { context: { targetingKey: "u1", plan: "beta" } });
    expect(await match.json()).toMatchObject({ value: true, reason: "TARGETING_MATCH" });
    const split = await postJson(single("demo_checkout_v2"), { context: { targetingKey: "u1", plan: "free" } });
    expect(await split.json()).toMatchObject({ reason: "SPLIT" });
  });

  it("accepts an empty body, a missing context and a missing targetingKey", async () => {
    for (const body of ["", "{}", '{"context":{}}']) {
      const res = await postJson(single("otel_enabled"), body);
      expect(res.status, body).toBe(200);
      expect(await res.json()).toMatchObject({ value: true });
    }
  });

  it("answers 400 TARGETING_KEY_MISSING when a split needs the key", async () => {
    const res = await postJson(single("demo_banner_color"), { context: { plan: "x" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ key: "demo_banner_color", errorCode: "TARGETING_KEY_MISSING" });
  });

  it("serves the baseline of a rollout when the targetingKey is missing", async () => {
    const res = await postJson(single("demo_checkout_v2"), { context: {} });
    expect(await res.json()).toMatchObject({ value: false, variant: "off", reason: "STATIC", metadata: { reason: "DEFAULT", bucketAttributeMissing: "targetingKey" } });
  });

  it("answers 404 FLAG_NOT_FOUND for unknown and for impossible keys", async () => {
    for (const key of ["nope", "has%20space", "-leading-dash"]) {
      const res = await postJson(single(key), { context: {} });
      expect(res.status, key).toBe(404);
      expect(await res.json()).toMatchObject({ errorCode: "FLAG_NOT_FOUND" });
    }
  });

  it("answers 400 PARSE_ERROR for malformed JSON and non-object bodies", async () => {
    for (const body of ["{", "[1,2]", '"text"', "null", "42", "{'a':1}"]) {
      const res = await postJson(single("otel_enabled"), body);
      expect(res.status, body).toBe(400);
      expect(await res.json()).toMatchObject({ key: "otel_enabled", errorCode: "PARSE_ERROR" });
    }
  });

  it("answers 400 INVALID_CONTEXT for a non-object context or a non-string targetingKey", async () => {
    for (const body of [{ context: 5 }, { context: [] }, { context: "x" }, { context: { targetingKey: 7 } }]) {
      const res = await postJson(single("otel_enabled"), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ errorCode: "INVALID_CONTEXT" });
    }
  });

  it("answers 413 for an oversized body, without evaluating", async () => {
    const big = JSON.stringify({ context: { targetingKey: "u", blob: "x".repeat(70_000) } });
    const res = await postJson(single("otel_enabled"), big);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ errorCode: "GENERAL" });
  });

  it("survives deeply nested contexts (no stack overflow, no 500)", async () => {
    const deep = `{"context":{"targetingKey":"u","x":${"[".repeat(20_000)}${"]".repeat(20_000)}}}`;
    const res = await postJson(single("otel_enabled"), deep);
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });

  it("collapses the double slash that a trailing-slash baseUrl produces", async () => {
    const res = await postJson(`/${single("otel_enabled")}`, { context: {} });
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });
});

describe("OFREP bulk evaluation", () => {
  it("evaluates every flag, sorted by key, with a quoted ETag", async () => {
    const res = await postJson(BULK, { context: { targetingKey: "u1" } });
    expect(res.status).toBe(200);
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const body = (await res.json()) as { flags: { key: string; value?: unknown }[]; metadata: { environment: string } };
    const keys = body.flags.map((f) => f.key);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain("orchestration_enabled");
    expect(body.metadata.environment).toBe("development");
    for (const flag of body.flags) expect(flag).not.toHaveProperty("value", null);
  });

  it("answers 304 with no body for a matching If-None-Match, strong or weak", async () => {
    const first = await postJson(BULK, { context: { targetingKey: "u1" } });
    const etag = first.headers.get("etag") as string;
    await first.body?.cancel();
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await postJson(BULK, { context: { targetingKey: "u1" } }, { "If-None-Match": header });
      expect(res.status, header).toBe(304);
      expect(await res.text()).toBe("");
      expect(res.headers.get("etag")).toBe(etag);
    }
    const star = await postJson(BULK, { context: { targetingKey: "u1" } }, { "If-None-Match": "*" });
    expect(star.status).toBe(200);
    await star.body?.cancel();
  });

  it("gives a new ETag when a non-targetingKey attribute changes a result", async () => {
    const free = await postJson(BULK, { context: { targetingKey: "u-etag", plan: "free" } });
    const beta = await postJson(BULK, { context: { targetingKey: "u-etag", plan: "beta" } }, { "If-None-Match": free.headers.get("etag") as string });
    expect(beta.status).toBe(200);
    expect(beta.headers.get("etag")).not.toBe(free.headers.get("etag"));
    await free.body?.cancel();
    await beta.body?.cancel();
  });

  it("reports per-flag failures inline and keeps the rest", async () => {
    const res = await postJson(BULK, { context: {} });
    const body = (await res.json()) as { flags: { key: string; errorCode?: string; value?: unknown }[] };
    expect(body.flags.find((f) => f.key === "demo_banner_color")).toMatchObject({ errorCode: "TARGETING_KEY_MISSING" });
    expect(body.flags.find((f) => f.key === "otel_enabled")).toMatchObject({ value: true });
  });

  it("rejects bad bodies with the bulk failure shape", async () => {
    const res = await postJson(BULK, "{nope");
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ errorCode: "PARSE_ERROR" });
    expect(body).not.toHaveProperty("key");
  });
});

describe("SDK keys and visibility", () => {
  it("a server key sees every flag of its environment", async () => {
    const res = await postJson(BULK, { context: { targetingKey: "u1" } }, bearer(serverKey));
    const body = (await res.json()) as { flags: { key: string }[]; metadata: { environment: string } };
    expect(body.metadata.environment).toBe("production");
    expect(body.flags.map((f) => f.key)).toContain("server_only");
  });

  it("accepts the key as X-API-Key too", async () => {
    const res = await postJson(single("server_only"), { context: {} }, { "X-API-Key": serverKey });
    expect(await res.json()).toMatchObject({ value: "beta" });
  });

  it("a client key sees only clientSide flags, and server-only flags are not found", async () => {
    const res = await postJson(BULK, { context: { targetingKey: "u1" } }, bearer(clientKey));
    const keys = ((await res.json()) as { flags: { key: string }[] }).flags.map((f) => f.key);
    expect(keys).toContain("maintenance_mode");
    expect(keys).not.toContain("server_only");
    expect(keys).not.toContain("otel_enabled");
    const one = await postJson(single("server_only"), { context: {} }, bearer(clientKey));
    expect(one.status).toBe(404);
    await one.body?.cancel();
  });

  it("answers 401 without a body for malformed, unknown, wrong-kind and revoked keys", async () => {
    const revoked = await createKey("production", "server", "to-revoke");
    expect((await environment("production").revokeSdkKey(revoked.id, TEST_META)).ok).toBe(true);
    await published("production");
    const forged = serverKey.replace(/^efs_/, "efc_");
    const unknown = "efs_production_" + "A".repeat(40);
    const otherEnv = "efs_nowhere_" + "A".repeat(40);
    for (const key of ["nope", unknown, forged, otherEnv, revoked.key]) {
      const res = await postJson(BULK, { context: {} }, bearer(key));
      expect(res.status, key).toBe(401);
      expect(await res.text()).toBe("");
      expect(res.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    }
    const empty = await postJson(BULK, { context: {} }, { Authorization: "Basic abc" });
    expect(empty.status).toBe(401);
    await empty.body?.cancel();
  });

  it("offers strongly consistent reads to server keys and refuses them to client keys", async () => {
    const strong = await postJson(`${single("server_only")}?consistency=strong`, { context: {} }, bearer(serverKey));
    expect(await strong.json()).toMatchObject({ value: "beta" });
    const denied = await postJson(`${single("maintenance_mode")}?consistency=strong`, { context: {} }, bearer(clientKey));
    expect(denied.status).toBe(403);
    expect(await denied.text()).toBe("");
    const bad = await postJson(`${single("maintenance_mode")}?consistency=maybe`, { context: {} });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errorCode: "GENERAL" });
  });

  it("applies FLAG_OVERRIDES and says so in metadata", async () => {
    const key = (await createKey("staging", "server")).key;
    await published("staging");
    const res = await postJson(single("maintenance_mode"), { context: {} }, bearer(key));
    expect(await res.json()).toEqual({
      key: "maintenance_mode",
      value: true,
      variant: "on",
      reason: "STATIC",
      metadata: { override: "FLAG_OVERRIDES" },
    });
  });
});

describe("CORS", () => {
  it("answers the preflight with the headers OFREP clients send", async () => {
    const res = await call(BULK, {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization,x-api-key,if-none-match",
      },
    });
    expect(res.status).toBe(204);
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of ["content-type", "authorization", "x-api-key", "if-none-match"]) expect(allowed).toContain(h);
  });

  it("exposes ETag to browsers", async () => {
    const res = await postJson(BULK, { context: {} }, { Origin: "https://app.example" });
    expect(res.headers.get("access-control-expose-headers")).toMatch(/etag/i);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    await res.body?.cancel();
  });
});
