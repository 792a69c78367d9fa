/**
 * The app's error flow, end to end through the real Worker: public routes throw ApiError and
 * answer with its status in the envelope (never a 500); an unexpected exception is a logged 500
 * envelope with the request id and nothing of the stack; under /ofrep/v1 the same failures answer
 * in OFREP's shapes. Unexpected exceptions come from a real binding left out of the environment.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env.js";
import { app } from "../../src/http/app.js";
import { ADMIN, admin } from "./admin-helpers.js";
import { bearer, call, createKey } from "./helpers.js";

interface Envelope {
  error: { code: string; message: string; details: { path: string; message: string }[]; requestId?: string };
}

/** A request through the real app with some bindings removed, so the code under them throws. */
async function withBroken(missing: (keyof Env)[], path: string, init: RequestInit = {}): Promise<Response> {
  const broken = { ...(env as Env) } as Record<string, unknown>;
  for (const name of missing) delete broken[name];
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`https://flags.test${path}`, init), broken as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

function expectEnvelope(res: Response, body: Envelope, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(Array.isArray(body.error.details)).toBe(true);
  // The request id in the body is the one the response names, so a report can be traced in the log.
  expect(body.error.requestId).toBeTruthy();
  expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("public routes that throw ApiError", () => {
  it("POST /v1/metrics answers 401, 403 and 422 in the envelope, not 500", async () => {
    const none = await call("/v1/metrics", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expectEnvelope(none, (await none.json()) as Envelope, 401, "UNAUTHORIZED");

    const client = await createKey("staging", "client");
    const denied = await call("/v1/metrics", { method: "POST", headers: { "Content-Type": "application/json", ...bearer(client.key) }, body: "{}" });
    expectEnvelope(denied, (await denied.json()) as Envelope, 403, "FORBIDDEN");

    const unnamed = await call("/v1/metrics", { method: "POST", headers: { "Content-Type": "application/json", ...bearer(ADMIN) }, body: "{}" });
    const unnamedBody = (await unnamed.json()) as Envelope;
    expectEnvelope(unnamed, unnamedBody, 422, "VALIDATION_FAILED");
    expect(unnamedBody.error.details).toEqual([{ path: "env", message: "required with an admin token" }]);

    const notJson = await call("/v1/metrics", { method: "POST", headers: { "Content-Type": "text/plain", ...bearer(ADMIN) }, body: "{}" });
    expectEnvelope(notJson, (await notJson.json()) as Envelope, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("GET /v1/flags answers 400 in the envelope, and a bodyless 401 for a bad key", async () => {
    const repeated = await call("/v1/flags?targetingKey=a&targetingKey=b");
    const body = (await repeated.json()) as Envelope;
    expectEnvelope(repeated, body, 400, "VALIDATION_FAILED");
    expect(body.error.details).toEqual([{ path: "targetingKey", message: "repeated" }]);

    const consistency = await call("/v1/flags?consistency=sometimes");
    expectEnvelope(consistency, (await consistency.json()) as Envelope, 400, "VALIDATION_FAILED");

    const badKey = await call("/v1/flags", { headers: bearer("not-a-key") });
    expect(badKey.status).toBe(401);
    expect(await badKey.text()).toBe("");
    expect(badKey.headers.get("www-authenticate")).toMatch(/^Bearer realm="edgeflags", error="invalid_token"/);
  });
});

describe("unexpected exceptions", () => {
  it("a public route answers a 500 envelope with the request id, logs the stack, and leaks none of it", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    // An API token is looked up in the Access Durable Object; without its binding the lookup throws.
    const res = await withBroken(["ACCESS"], "/v1/metrics", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer eft_${"x".repeat(40)}` },
      body: JSON.stringify({ env: "staging", samples: [] }),
    });
    const text = await res.text();
    const body = JSON.parse(text) as Envelope;
    expectEnvelope(res, body, 500, "INTERNAL");
    expect(body.error.message).toBe("internal error");
    expect(text).not.toMatch(/TypeError|getByName|stack|\bat\s+\S+\s+\(/);

    const line = logged.mock.calls.map((args) => String(args[0])).find((l) => l.includes(body.error.requestId ?? "?"));
    expect(line, "the error is logged under the request id").toBeDefined();
    const entry = JSON.parse(line as string) as { level: string; path: string; stack?: string };
    expect(entry).toMatchObject({ level: "error", path: "/v1/metrics" });
    expect(entry.stack).toMatch(/TypeError/);
  });

  it("an admin route answers the same 500 envelope (one error handler for admin and public)", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await withBroken(["ENVIRONMENT"], "/admin/v1/envs/staging/flags", { headers: bearer(ADMIN) });
    const body = (await res.json()) as Envelope;
    expectEnvelope(res, body, 500, "INTERNAL");
  });

  it("under /ofrep/v1 the answer is OFREP's general error, with the request id", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    // Anonymous evaluation reads the snapshot from KV, then from the Durable Object: both gone.
    const res = await withBroken(["FLAGS_KV", "ENVIRONMENT"], "/ofrep/v1/evaluate/flags", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ context: { targetingKey: "u1" } }),
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ errorCode: "GENERAL", errorDetails: "internal error", requestId: res.headers.get("x-request-id") });
    expect(text).not.toMatch(/TypeError|stack/);
  });
});

describe("admin body limits per route", () => {
  it("gives the import route its own limit, and a flag named \"import\" the default one", async () => {
    const big = JSON.stringify({ flags: "x".repeat(300_000) });
    const imported = await admin("POST", "/envs/staging/import?dryRun=true", big);
    // Past the 256 KiB default, yet validated: the import route's 8 MiB limit applies.
    expect(imported.status).toBe(422);
    expect(((await imported.json()) as Envelope).error.code).toBe("VALIDATION_FAILED");

    const flagNamedImport = await admin("PUT", "/envs/staging/flags/import", big);
    expect(flagNamedImport.status).toBe(413);
    expect(((await flagNamedImport.json()) as Envelope).error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
