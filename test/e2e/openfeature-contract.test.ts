/**
 * Contract test: the real, unmodified OpenFeature OFREP providers against the running Worker
 * (`wrangler dev` from global-setup.ts, anonymous evaluation against `development`).
 *
 * - server: @openfeature/server-sdk 1.23.0 + @openfeature/ofrep-provider 0.1.3 (dynamic context,
 *   one POST /ofrep/v1/evaluate/flags/{key} per evaluation);
 * - web: @openfeature/web-sdk 1.10.0 + @openfeature/ofrep-web-provider 0.4.3 / ofrep-core 2.3.0
 *   (static context, POST /ofrep/v1/evaluate/flags, ETag / If-None-Match, polling).
 *
 * Provider quirks this follows (docs/ofrep.md, "Provider quirks"): headers as a tuple list, a baseUrl
 * without a trailing slash, `cacheMode: "disabled"` for the web provider (no localStorage in Node).
 */
import { OFREPProvider } from "@openfeature/ofrep-provider";
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { ErrorCode, OpenFeature, type EvaluationDetails, type FlagValue, type JsonValue } from "@openfeature/server-sdk";
import { ClientProviderStatus, OpenFeature as WebOpenFeature } from "@openfeature/web-sdk";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import flagSet from "../../config/flags.json";

const baseUrl = inject("baseUrl");
const FLAGS = flagSet.flags.map((f) => ({ key: f.key, type: f.type as "boolean" | "string" | "number" | "object" }));
const DEFAULTS = { boolean: false, string: "__default__", number: -1, object: { default: true } } as const;
/** Well-formed (efs_<env>_<32+ alphanumerics>) but never issued: passes parsing, fails the lookup. */
const UNKNOWN_KEY = "efs_development_notarealkeynotarealkeynotarealkey12";

interface BulkItem {
  key: string;
  value?: unknown;
  variant?: string;
  reason?: string;
  errorCode?: string;
}

/** What the Worker's bulk endpoint says for this context: the reference the SDK results must match. */
async function bulk(context: Record<string, unknown>): Promise<Map<string, BulkItem>> {
  const response = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ context }),
  });
  expect(response.status).toBe(200);
  const body = await response.json<{ flags: BulkItem[] }>();
  return new Map(body.flags.map((f) => [f.key, f]));
}

/** A successful evaluation: no error code at all, and these fields. */
function expectSuccess(details: EvaluationDetails<FlagValue>, fields: Partial<EvaluationDetails<FlagValue>>): void {
  expect(details.errorCode, `${details.flagKey}: ${details.errorMessage}`).toBeUndefined();
  expect(details).toMatchObject(fields);
}

describe("server SDK + @openfeature/ofrep-provider 0.1.3", () => {
  afterEach(async () => {
    await OpenFeature.close();
    await OpenFeature.clearProviders();
  });

  async function client(headers?: [string, string][]) {
    await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl, ...(headers ? { headers } : {}) }));
    return OpenFeature.getClient();
  }

  it("boolean flags: static on, and a disabled kill switch", async () => {
    const c = await client();
    const ctx = { targetingKey: "user-1" };
    expectSuccess(await c.getBooleanDetails("otel_enabled", false, ctx), {
      flagKey: "otel_enabled",
      value: true,
      variant: "on",
      reason: "STATIC",
    });
    expectSuccess(await c.getBooleanDetails("emergency_shutdown", true, ctx), {
      value: false,
      variant: "off",
      reason: "DISABLED",
    });
  });

  it("string flag: a 50/50 split by targetingKey, and the @example.com rule", async () => {
    const c = await client();
    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const details = await c.getStringDetails("demo_banner_color", "none", { targetingKey: `user-${i}` });
      expectSuccess(details, { reason: "SPLIT" });
      expect(["blue", "green"]).toContain(details.value);
      expect(details.variant).toBe(details.value);
      seen.add(details.value);
    }
    // Bucketing is deterministic (murmur3), so this is a fixed fact about these 16 keys, not luck.
    expect([...seen].sort()).toEqual(["blue", "green"]);
    // The same key always lands in the same bucket.
    const again = await c.getStringValue("demo_banner_color", "none", { targetingKey: "user-3" });
    expect(again).toBe(await c.getStringValue("demo_banner_color", "none", { targetingKey: "user-3" }));

    expectSuccess(await c.getStringDetails("demo_banner_color", "none", { targetingKey: "user-1", email: "dev@example.com" }), {
      value: "red",
      variant: "red",
      reason: "TARGETING_MATCH",
    });
  });

  it("number flag: 10 by default, 50 for appVersion > 2.0.0 (semver)", async () => {
    const c = await client();
    expectSuccess(await c.getNumberDetails("demo_max_items", 0, { targetingKey: "user-1" }), {
      value: 10,
      variant: "small",
    });
    expectSuccess(await c.getNumberDetails("demo_max_items", 0, { targetingKey: "user-1", appVersion: "2.1.0" }), {
      value: 50,
      variant: "large",
      reason: "TARGETING_MATCH",
    });
    expect(await c.getNumberValue("demo_max_items", 0, { targetingKey: "user-1", appVersion: "1.9.9" })).toBe(10);
  });

  it("object flag", async () => {
    const c = await client();
    expectSuccess(await c.getObjectDetails("demo_theme", {}, { targetingKey: "user-1" }), {
      value: { background: "#111111", accent: "#66aaff" },
      variant: "dark",
      reason: "STATIC",
    });
  });

  it("an unknown flag gives FLAG_NOT_FOUND and the default value", async () => {
    const c = await client();
    const details = await c.getBooleanDetails("no_such_flag", true, { targetingKey: "user-1" });
    expect(details).toMatchObject({ value: true, reason: "ERROR", errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it("the wrong getter gives TYPE_MISMATCH and the default value", async () => {
    const c = await client();
    const details = await c.getStringDetails("otel_enabled", "fallback", { targetingKey: "user-1" });
    expect(details).toMatchObject({ value: "fallback", reason: "ERROR", errorCode: ErrorCode.TYPE_MISMATCH });
  });

  it("no context at all gives a value, not an error, for a flag that needs none", async () => {
    const c = await client();
    expectSuccess(await c.getBooleanDetails("otel_enabled", false), { value: true, reason: "STATIC" });
    expectSuccess(await c.getNumberDetails("demo_max_items", 0), { value: 10 });
    // A split needs a targetingKey: the Worker says so per flag, and the caller keeps its default.
    expect(await c.getStringDetails("demo_banner_color", "none")).toMatchObject({
      value: "none",
      errorCode: ErrorCode.TARGETING_KEY_MISSING,
    });
  });

  it("a bad credential gives an error and the default value", async () => {
    const c = await client([["Authorization", `Bearer ${UNKNOWN_KEY}`]]);
    const details = await c.getBooleanDetails("otel_enabled", false, { targetingKey: "user-1" });
    expect(details.value).toBe(false);
    expect(details.reason).toBe("ERROR");
    // ofrep-provider 0.1.3 maps 401/403 to GENERAL.
    expect(details.errorCode).toBe(ErrorCode.GENERAL);
  });

  it("every default flag evaluates with its type's getter, without error, as the Worker says", async () => {
    const c = await client();
    const ctx = { targetingKey: "user-42", email: "someone@elsewhere.test" };
    const expected = await bulk(ctx);
    expect([...expected.keys()].sort()).toEqual(FLAGS.map((f) => f.key).sort());
    for (const { key, type } of FLAGS) {
      let details: EvaluationDetails<FlagValue>;
      if (type === "boolean") details = await c.getBooleanDetails(key, DEFAULTS.boolean, ctx);
      else if (type === "string") details = await c.getStringDetails(key, DEFAULTS.string, ctx);
      else if (type === "number") details = await c.getNumberDetails(key, DEFAULTS.number, ctx);
      else details = await c.getObjectDetails(key, DEFAULTS.object as JsonValue, ctx);
      expect(details.errorCode, key).toBeUndefined();
      expect(typeof details.value, key).toBe(type);
      const want = expected.get(key) as BulkItem;
      expect({ value: details.value, variant: details.variant, reason: details.reason }, key).toEqual({
        value: want.value,
        variant: want.variant,
        reason: want.reason,
      });
    }
  });
});

describe("web SDK + @openfeature/ofrep-web-provider 0.4.3", () => {
  afterEach(async () => {
    await WebOpenFeature.close();
    await WebOpenFeature.clearProviders();
    await WebOpenFeature.setContext({});
  });

  interface Exchange {
    status: number;
    ifNoneMatch: string | null;
    etag: string | null;
  }

  /** Global fetch, recording each exchange; the provider calls it as fetch(request, { signal }). */
  function recordingFetch(log: Exchange[]) {
    return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      const response = await fetch(request);
      log.push({ status: response.status, ifNoneMatch: request.headers.get("if-none-match"), etag: response.headers.get("etag") });
      return response;
    };
  }

  it("after setProviderAndWait, every default flag resolves with its type and no error", async () => {
    const ctx = { targetingKey: "user-42", email: "someone@elsewhere.test" };
    await WebOpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl, cacheMode: "disabled" }), ctx);
    const c = WebOpenFeature.getClient();
    expect(c.providerStatus).toBe(ClientProviderStatus.READY);
    const expected = await bulk(ctx);
    for (const { key, type } of FLAGS) {
      const details =
        type === "boolean"
          ? c.getBooleanDetails(key, DEFAULTS.boolean)
          : type === "string"
            ? c.getStringDetails(key, DEFAULTS.string)
            : type === "number"
              ? c.getNumberDetails(key, DEFAULTS.number)
              : c.getObjectDetails(key, DEFAULTS.object as JsonValue);
      expect(details.errorCode, key).toBeUndefined();
      expect(typeof details.value, key).toBe(type);
      const want = expected.get(key) as BulkItem;
      expect({ value: details.value, variant: details.variant, reason: details.reason }, key).toEqual({
        value: want.value,
        variant: want.variant,
        reason: want.reason,
      });
    }
    expect(c.getStringDetails("no_such_flag", "none")).toMatchObject({ value: "none", errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(c.getStringDetails("otel_enabled", "none")).toMatchObject({ value: "none", errorCode: ErrorCode.TYPE_MISMATCH });
  });

  it("polling sends If-None-Match and gets 304 while nothing changed", async () => {
    const log: Exchange[] = [];
    await WebOpenFeature.setProviderAndWait(
      new OFREPWebProvider({ baseUrl, cacheMode: "disabled", pollInterval: 300, fetchImplementation: recordingFetch(log) }),
      { targetingKey: "user-42" },
    );
    await vi.waitFor(() => expect(log.length).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 100 });
    const [first, ...polls] = log as [Exchange, ...Exchange[]];
    expect(first).toMatchObject({ status: 200, ifNoneMatch: null });
    expect(first.etag).toMatch(/^"[^"]+"$/);
    for (const poll of polls) expect(poll).toMatchObject({ status: 304, ifNoneMatch: first.etag, etag: first.etag });
    expect(WebOpenFeature.getClient().getBooleanValue("otel_enabled", false)).toBe(true);
  });

  it("OpenFeature.setContext re-evaluates, even when only a non-targetingKey attribute changed", async () => {
    const log: Exchange[] = [];
    await WebOpenFeature.setProviderAndWait(
      new OFREPWebProvider({ baseUrl, cacheMode: "disabled", fetchImplementation: recordingFetch(log) }),
      { targetingKey: "user-42", email: "someone@elsewhere.test" },
    );
    const c = WebOpenFeature.getClient();
    expectSuccess(c.getStringDetails("demo_banner_color", "none"), { reason: "SPLIT" });
    expect(["blue", "green"]).toContain(c.getStringValue("demo_banner_color", "none"));
    expect(log).toHaveLength(1);

    await WebOpenFeature.setContext({ targetingKey: "user-42", email: "someone@example.com" });
    expectSuccess(c.getStringDetails("demo_banner_color", "none"), {
      value: "red",
      variant: "red",
      reason: "TARGETING_MATCH",
    });
    // The provider kept its ETag (same targetingKey) and sent it; the Worker's ETag covers the
    // evaluated body, so it answered 200 with a new ETag instead of a stale 304.
    expect(log).toHaveLength(2);
    expect(log[1]).toMatchObject({ status: 200, ifNoneMatch: log[0]?.etag });
    expect(log[1]?.etag).not.toBe(log[0]?.etag);
  });

  it("a bad credential at initialization puts the client in FATAL, and evaluations return the default", async () => {
    const provider = new OFREPWebProvider({
      baseUrl,
      cacheMode: "disabled",
      headers: [["Authorization", `Bearer ${UNKNOWN_KEY}`]],
    });
    // 401 at initialize() → ProviderFatalError.
    await expect(WebOpenFeature.setProviderAndWait(provider, { targetingKey: "user-42" })).rejects.toMatchObject({
      code: ErrorCode.PROVIDER_FATAL,
    });
    const c = WebOpenFeature.getClient();
    expect(c.providerStatus).toBe(ClientProviderStatus.FATAL);
    expect(c.getBooleanDetails("otel_enabled", false)).toMatchObject({ value: false, errorCode: ErrorCode.PROVIDER_FATAL });
  });
});
