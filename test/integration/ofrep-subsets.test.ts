/**
 * Subsets by base-URL prefix: `/subsets/tag/<tag>/ofrep/v1/…` and `/subsets/prefix/<prefix>/ofrep/v1/…`
 * serve only the subset's flags through bulk, single-flag and the event stream's advertised URL,
 * with their own ETag; a malformed subset is a 400 in OFREP's failure shape.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { etagOf } from "../../src/http/etag.js";
import { booleanFlag } from "../support/flags.js";
import { adminJson } from "./admin-helpers.js";
import { bearer, call, createKey, environment, postJson, published, TEST_META } from "./helpers.js";
import { SseReader } from "./sse-reader.js";

const open: SseReader[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

let serverKey: string;
let clientKey: string;

beforeAll(async () => {
  serverKey = (await createKey("staging", "server")).key;
  clientKey = (await createKey("staging", "client")).key;
  const imported = await environment("staging").importFlags({
    flags: [
      { ...booleanFlag("checkout.button"), tags: ["checkout"], clientSide: true },
      { ...booleanFlag("checkout.server_only"), tags: ["checkout", "backend"] },
      { ...booleanFlag("search.ranking"), tags: ["checkout-adjacent"] },
      { ...booleanFlag("checkoutless"), tags: [] },
    ],
  }, {}, TEST_META);
  expect(imported.ok).toBe(true);
  await published("staging");
});

type Bulk = { flags: { key: string }[]; eventStreams?: { url: string }[]; metadata: { environment: string } };
const bulk = async (path: string, key = serverKey, headers: Record<string, string> = {}) => {
  const res = await postJson(path, { context: { targetingKey: "u1" } }, { ...bearer(key), ...headers });
  return { res, text: res.status === 200 ? await res.clone().text() : "", body: res.status === 200 ? ((await res.json()) as Bulk) : ((await res.json().catch(() => null)) as unknown) };
};
const keysOf = (b: unknown) => (b as Bulk).flags.map((f) => f.key);

describe("OFREP subsets by base-URL prefix", () => {
  it("a tag subset answers only the flags carrying the tag, in key order, with the metadata of the environment", async () => {
    const { res, text, body } = await bulk("/subsets/tag/checkout/ofrep/v1/evaluate/flags");
    expect(res.status).toBe(200);
    expect(keysOf(body)).toEqual(["checkout.button", "checkout.server_only"]);
    expect((body as Bulk).metadata.environment).toBe("staging");
    expect(res.headers.get("etag")).toBe(etagOf(text));
    // A client key sees the subset's client-side flags only.
    expect(keysOf((await bulk("/subsets/tag/checkout/ofrep/v1/evaluate/flags", clientKey)).body)).toEqual(["checkout.button"]);
  });

  it("a prefix subset answers only the keys starting with the prefix", async () => {
    expect(keysOf((await bulk("/subsets/prefix/checkout./ofrep/v1/evaluate/flags")).body)).toEqual(["checkout.button", "checkout.server_only"]);
    expect(keysOf((await bulk("/subsets/prefix/checkout/ofrep/v1/evaluate/flags")).body)).toEqual(["checkout.button", "checkout.server_only", "checkoutless"]);
    expect(keysOf((await bulk("/subsets/prefix/nothing-here/ofrep/v1/evaluate/flags")).body)).toEqual([]);
  });

  it("a subset has its own ETag and answers 304 to it; the whole environment's ETag does not match it", async () => {
    const whole = await bulk("/ofrep/v1/evaluate/flags");
    const part = await bulk("/subsets/tag/checkout/ofrep/v1/evaluate/flags");
    const etag = part.res.headers.get("etag") as string;
    expect(etag).not.toBe(whole.res.headers.get("etag"));
    const again = await postJson("/subsets/tag/checkout/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, { ...bearer(serverKey), "If-None-Match": `W/${etag}` });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    const other = await postJson("/subsets/tag/checkout/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, { ...bearer(serverKey), "If-None-Match": whole.res.headers.get("etag") as string });
    expect(other.status).toBe(200);
  });

  it("single-flag evaluation inside the subset works; outside it is FLAG_NOT_FOUND", async () => {
    const inside = await postJson("/subsets/tag/checkout/ofrep/v1/evaluate/flags/checkout.button", { context: {} }, bearer(serverKey));
    expect(inside.status).toBe(200);
    expect(await inside.json()).toMatchObject({ key: "checkout.button", value: true });
    const outside = await postJson("/subsets/tag/checkout/ofrep/v1/evaluate/flags/search.ranking", { context: {} }, bearer(serverKey));
    expect(outside.status).toBe(404);
    expect(await outside.json()).toEqual({ key: "search.ranking", errorCode: "FLAG_NOT_FOUND", errorDetails: 'flag "search.ranking" was not found' });
    const byPrefix = await postJson("/subsets/prefix/search./ofrep/v1/evaluate/flags/checkout.button", { context: {} }, bearer(serverKey));
    expect(byPrefix.status).toBe(404);
  });

  it("advertises the subset's own event stream URL", async () => {
    const { body } = await bulk("/subsets/tag/checkout/ofrep/v1/evaluate/flags");
    const url = new URL((body as Bulk).eventStreams?.[0]?.url as string);
    expect(url.pathname).toBe("/subsets/tag/checkout/ofrep/v1/events");
    expect(url.searchParams.get("token")).toBeTruthy();
  });

  it("the subset's event stream signals changes to the subset's flags only", async () => {
    const { body } = await bulk("/subsets/tag/checkout/ofrep/v1/evaluate/flags");
    const url = (body as Bulk).eventStreams?.[0]?.url as string;
    const res = await call(url.replace(/^https?:\/\/[^/]+/, ""));
    expect(res.status).toBe(200);
    const reader = new SseReader(res);
    open.push(reader);
    const outside = await adminJson("PUT", "/envs/staging/flags/search.ranking", { ...booleanFlag("search.ranking"), tags: ["checkout-adjacent"], description: "outside the subset" });
    expect(outside.status).toBe(200);
    expect(await reader.next(1_500)).toBeNull();
    const inside = await adminJson<{ environmentVersion: number }>("PUT", "/envs/staging/flags/checkout.button", { ...booleanFlag("checkout.button"), tags: ["checkout"], clientSide: true, enabled: false });
    expect(inside.status).toBe(200);
    const event = await reader.until((e) => (JSON.parse(e.data) as { type: string }).type === "refetchEvaluation");
    expect(Number(event.id)).toBe(inside.body.environmentVersion);
  });

  it("the same subsets as ?tag= / ?prefix= under /ofrep/v1 (the web provider's query option)", async () => {
    expect(keysOf((await bulk("/ofrep/v1/evaluate/flags?tag=checkout")).body)).toEqual(["checkout.button", "checkout.server_only"]);
    expect(keysOf((await bulk("/ofrep/v1/evaluate/flags?prefix=search.")).body)).toEqual(["search.ranking"]);
    const { body } = await bulk("/ofrep/v1/evaluate/flags?tag=checkout");
    expect(new URL((body as Bulk).eventStreams?.[0]?.url as string).pathname).toBe("/subsets/tag/checkout/ofrep/v1/events");
    const outside = await postJson("/ofrep/v1/evaluate/flags/search.ranking?tag=checkout", { context: {} }, bearer(serverKey));
    expect(outside.status).toBe(404);
    const both = await postJson("/ofrep/v1/evaluate/flags?tag=checkout&prefix=checkout", { context: {} }, bearer(serverKey));
    expect(both.status).toBe(400);
    expect(await both.json()).toEqual({ errorCode: "GENERAL", errorDetails: "subset: give ?tag= or ?prefix=, not both" });
    expect((await postJson("/ofrep/v1/evaluate/flags?prefix=bad%20one", { context: {} }, bearer(serverKey))).status).toBe(400);
  });

  it("refuses a malformed subset with 400 in OFREP's failure shape, before authentication", async () => {
    for (const path of ["/subsets/color/red/ofrep/v1/evaluate/flags", "/subsets/prefix/bad%20prefix/ofrep/v1/evaluate/flags", `/subsets/tag/${"t".repeat(65)}/ofrep/v1/evaluate/flags`]) {
      const res = await postJson(path, { context: {} });
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { errorCode: string; errorDetails: string };
      expect(body.errorCode, path).toBe("GENERAL");
      expect(body.errorDetails, path).toMatch(/^subset/);
    }
    const single = await postJson("/subsets/color/red/ofrep/v1/evaluate/flags/checkout.button", { context: {} });
    expect(single.status).toBe(400);
    expect(await single.json()).toMatchObject({ key: "checkout.button", errorCode: "GENERAL" });
  });

  it("answers CORS preflights under the prefix like under /ofrep", async () => {
    const res = await postJson("/subsets/tag/checkout/ofrep/v1/evaluate/flags", { context: {} }, { ...bearer(serverKey), Origin: "https://app.example" });
    expect(res.status).toBe(200);
    const preflight = await fetchPreflight("/subsets/tag/checkout/ofrep/v1/evaluate/flags");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
  });
});

async function fetchPreflight(path: string): Promise<Response> {
  return call(path, { method: "OPTIONS", headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" } });
}
