/**
 * The stock OpenFeature OFREP providers, unmodified, with a subset in their base URL
 * (`/subsets/tag/<tag>`, `/subsets/prefix/<prefix>`; docs/ofrep.md "Subsets"): they append
 * `/ofrep/v1/…` and get only the subset (anonymous evaluation against `development`, read only).
 */
import { OFREPProvider } from "@openfeature/ofrep-provider";
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { ErrorCode, OpenFeature } from "@openfeature/server-sdk";
import { ClientProviderStatus, OpenFeature as WebOpenFeature } from "@openfeature/web-sdk";
import { afterEach, describe, expect, inject, it } from "vitest";

const baseUrl = inject("baseUrl");

describe("stock providers with a subset base URL", () => {
  afterEach(async () => {
    await OpenFeature.close();
    await OpenFeature.clearProviders();
    await WebOpenFeature.close();
    await WebOpenFeature.clearProviders();
  });

  it("web provider: the bulk request carries only the tagged flags; others resolve as FLAG_NOT_FOUND", async () => {
    const seen: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      seen.push(`${res.status} ${typeof input === "string" ? input : input instanceof URL ? input.href : input.url}`);
      return res;
    };
    await WebOpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: `${baseUrl}/subsets/tag/demo`, cacheMode: "disabled", fetchImplementation: recording }), { targetingKey: "user-42" });
    const c = WebOpenFeature.getClient();
    expect(c.providerStatus).toBe(ClientProviderStatus.READY);
    expect(seen[0]).toBe(`200 ${baseUrl}/subsets/tag/demo/ofrep/v1/evaluate/flags`);
    expect(c.getStringDetails("demo_banner_color", "none").errorCode).toBeUndefined();
    expect(c.getBooleanDetails("otel_enabled", false)).toMatchObject({ value: false, errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it("web provider with its query option (?tag=) instead of a path prefix", async () => {
    const seen: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      return fetch(input, init);
    };
    await WebOpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl, query: new URLSearchParams({ tag: "demo" }), cacheMode: "disabled", fetchImplementation: recording }), { targetingKey: "user-42" });
    const c = WebOpenFeature.getClient();
    expect(seen[0]).toBe(`${baseUrl}/ofrep/v1/evaluate/flags?tag=demo`);
    expect(c.getStringDetails("demo_banner_color", "none").errorCode).toBeUndefined();
    expect(c.getBooleanDetails("otel_enabled", false)).toMatchObject({ value: false, errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it("server provider: a flag inside the prefix evaluates, one outside is FLAG_NOT_FOUND", async () => {
    await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: `${baseUrl}/subsets/prefix/demo_` }));
    const c = OpenFeature.getClient();
    const inside = await c.getStringDetails("demo_banner_color", "none", { targetingKey: "user-1" });
    expect(inside.errorCode, inside.errorMessage).toBeUndefined();
    const outside = await c.getBooleanDetails("otel_enabled", false, { targetingKey: "user-1" });
    expect(outside).toMatchObject({ value: false, errorCode: ErrorCode.FLAG_NOT_FOUND });
  });
});
