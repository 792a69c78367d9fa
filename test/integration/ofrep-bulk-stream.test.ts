/**
 * A bulk evaluation of a large environment is streamed: the body is byte for byte what the
 * unstreamed answer was (`JSON.stringify` of `{ flags, eventStreams, metadata }`), its ETag is the
 * hash of that body and known up front, and If-None-Match still answers 304.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { evaluateAll } from "../../src/domain/snapshot.js";
import { edgeSnapshot } from "../../src/edge/snapshot-cache.js";
import type { Env } from "../../src/env.js";
import { STREAM_FROM_FLAGS } from "../../src/http/bulk-body.js";
import { etagOf } from "../../src/http/etag.js";
import { booleanFlag } from "../support/flags.js";
import { bearer, createKey, environment, postJson, published, TEST_META } from "./helpers.js";

const ENV = "production";
const COUNT = STREAM_FROM_FLAGS * 2 + 123;
const CONTEXT = { targetingKey: "user-7", plan: "beta" };
let serverKey: string;
let clientKey: string;

beforeAll(async () => {
  serverKey = (await createKey(ENV, "server")).key;
  clientKey = (await createKey(ENV, "client")).key;
  const flags = Array.from({ length: COUNT }, (_, i) => ({
    ...booleanFlag(`bulk_${String(i).padStart(5, "0")}`),
    clientSide: i % 3 === 0,
    rules: [{ id: "beta", when: [{ attribute: "plan", op: "in" as const, values: ["beta"] }], serve: { variant: "off" } }],
    fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 40 } },
  }));
  const imported = await environment(ENV).importFlags({ flags }, {}, TEST_META);
  expect(imported.ok).toBe(true);
  await published(ENV, 20_000);
}, 60_000);

type Bulk = { flags: { key: string }[]; eventStreams?: unknown; metadata: { environment: string; version: number } };

describe("streamed bulk evaluation", () => {
  it("sends the same body as the unstreamed answer, every visible flag, with the body's ETag", async () => {
    const res = await postJson("/ofrep/v1/evaluate/flags", { context: CONTEXT }, bearer(serverKey));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const text = await res.text();
    expect(res.headers.get("etag")).toBe(etagOf(text));
    const body = JSON.parse(text) as Bulk;
    const config = loadConfig(env as Env);
    if (!config.ok) throw new Error("config");
    const snapshot = await edgeSnapshot({ env: env as Env, config: config.config }, ENV, Date.now());
    expect(body.metadata).toEqual({ environment: ENV, version: snapshot.version });
    expect(body.flags.length).toBeGreaterThan(COUNT);
    // What the answer was before streaming: one JSON.stringify of the whole object.
    const before = JSON.stringify({ flags: evaluateAll(snapshot, CONTEXT, Date.now(), "all"), eventStreams: body.eventStreams, metadata: body.metadata });
    expect(text).toBe(before);
  });

  it("answers 304 to its ETag (weak or strong), and 200 with a new ETag to another context", async () => {
    const first = await postJson("/ofrep/v1/evaluate/flags", { context: CONTEXT }, bearer(serverKey));
    const etag = first.headers.get("etag") as string;
    await first.arrayBuffer();
    for (const tag of [etag, `W/${etag}`]) {
      const again = await postJson("/ofrep/v1/evaluate/flags", { context: CONTEXT }, { ...bearer(serverKey), "If-None-Match": tag });
      expect(again.status).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
      expect(await again.text()).toBe("");
    }
    const other = await postJson("/ofrep/v1/evaluate/flags", { context: { targetingKey: "user-8" } }, { ...bearer(serverKey), "If-None-Match": etag });
    expect(other.status).toBe(200);
    expect(other.headers.get("etag")).not.toBe(etag);
    expect(other.headers.get("etag")).toBe(etagOf(await other.text()));
  });

  it("a client key's streamed answer holds exactly the client-side flags", async () => {
    const res = await postJson("/ofrep/v1/evaluate/flags", { context: CONTEXT }, bearer(clientKey));
    const text = await res.text();
    expect(res.headers.get("etag")).toBe(etagOf(text));
    const keys = (JSON.parse(text) as Bulk).flags.map((f) => f.key).filter((k) => k.startsWith("bulk_"));
    expect(keys).toHaveLength(Math.ceil(COUNT / 3));
    expect(keys.every((k) => Number(k.slice(5)) % 3 === 0)).toBe(true);
  });

  it("streams a large subset too", async () => {
    const res = await postJson("/subsets/prefix/bulk_0/ofrep/v1/evaluate/flags", { context: CONTEXT }, bearer(serverKey));
    const text = await res.text();
    expect(res.headers.get("etag")).toBe(etagOf(text));
    expect((JSON.parse(text) as Bulk).flags).toHaveLength(Math.min(COUNT, 10_000));
  });
});
