/**
 * A re-fetch after a change event sees the change: `?flagConfigEtag=n` is served from a snapshot
 * at least version n even while KV still holds an older one (read through KV, then the Durable
 * Object), an etag the Durable Object has not reached costs at most one Durable Object request per
 * memory window, an unknown key costs no read-through (only the one key lookup per interval), and
 * malformed parameters are refused.
 *
 * KV is made stale the honest way: after a real change is published, the previous snapshot's value
 * and metadata are written back to the real local KV key, as a lagging edge location would serve.
 */
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config.js";
import { clearSnapshotCache, durableObjectSnapshotReads, edgeSnapshot, FAR_AHEAD_MEMORY_MS } from "../../src/edge/snapshot-cache.js";
import type { Env } from "../../src/env.js";
import { snapshotKey } from "../../src/snapshot-key.js";
import { booleanFlag } from "../support/flags.js";
import { bearer, call, createKey, environment, postJson, published, TEST_META } from "./helpers.js";

const ENV = "production";
const FLAG = "read_through_kill";

let serverKey: string;
let before: { value: string; metadata: unknown };
let after: { value: string; metadata: unknown };
let newVersion: number;

async function kvSnapshot(): Promise<{ value: string; metadata: unknown }> {
  const { value, metadata } = await env.FLAGS_KV.getWithMetadata(snapshotKey(ENV), "text");
  if (value === null) throw new Error("no snapshot in KV");
  return { value, metadata };
}

async function putKv(snapshot: { value: string; metadata: unknown }): Promise<void> {
  await env.FLAGS_KV.put(snapshotKey(ENV), snapshot.value, { metadata: snapshot.metadata });
}

function config(refreshMs: number): Config {
  const loaded = loadConfig(env as Env);
  if (!loaded.ok) throw new Error("config");
  return { ...loaded.config, snapshotRefreshMs: refreshMs };
}

const bulk = (query = "") => postJson(`/ofrep/v1/evaluate/flags${query}`, { context: { targetingKey: "u1" } }, bearer(serverKey));
const single = (query = "") => postJson(`/ofrep/v1/evaluate/flags/${FLAG}${query}`, { context: { targetingKey: "u1" } }, bearer(serverKey));
const v1 = (query = "") => call(`/v1/flags?targetingKey=u1${query ? `&${query.slice(1)}` : ""}`, { headers: bearer(serverKey) });
const etag = (n: number | string) => `?flagConfigEtag=${encodeURIComponent(`"${n}"`)}`;

async function bulkValue(res: Response): Promise<{ value: unknown; version: number }> {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { flags: { key: string; value?: unknown }[]; metadata: { version: number } };
  return { value: body.flags.find((f) => f.key === FLAG)?.value, version: body.metadata.version };
}

beforeAll(async () => {
  serverKey = (await createKey(ENV, "server", "read-through")).key;
  const imported = await environment(ENV).importFlags({ flags: [booleanFlag(FLAG)] }, {}, TEST_META);
  expect(imported.ok).toBe(true);
  await published(ENV);
  before = await kvSnapshot();
  const killed = await environment(ENV).setFlagEnabled(FLAG, false, {}, TEST_META);
  expect(killed.ok).toBe(true);
  newVersion = await published(ENV);
  after = await kvSnapshot();
  expect((after.metadata as { version: number }).version).toBe(newVersion);
});

beforeEach(async () => {
  // KV lags: it still holds the snapshot from before the kill switch; the isolate holds nothing.
  await putKv(before);
  clearSnapshotCache();
});

describe("?flagConfigEtag while KV is stale", () => {
  it("bulk: without it the old value may be served; with the new version it is the new value", async () => {
    expect(await bulkValue(await bulk())).toEqual({ value: true, version: newVersion - 1 });
    const reads = durableObjectSnapshotReads();
    expect(await bulkValue(await bulk(etag(newVersion)))).toEqual({ value: false, version: newVersion });
    expect(durableObjectSnapshotReads()).toBe(reads + 1);
    // Never backwards: KV still serves the old snapshot, the isolate keeps the newer one.
    expect(await bulkValue(await bulk())).toEqual({ value: false, version: newVersion });
  });

  it("single flag and /v1/flags read through too; the W/ and bare forms are accepted", async () => {
    const old = await single();
    expect(await old.json()).toMatchObject({ key: FLAG, value: true });
    const fresh = await single(`?flagConfigEtag=${encodeURIComponent(`W/"${newVersion}"`)}&flagConfigLastModified=1771622898`);
    expect(fresh.status).toBe(200);
    expect(await fresh.json()).toMatchObject({ key: FLAG, value: false, reason: "DISABLED" });

    clearSnapshotCache();
    expect(await (await v1()).json()).toMatchObject({ flags: { [FLAG]: true }, version: newVersion - 1 });
    const res = await v1(`?flagConfigEtag=${newVersion}&flagConfigLastModified=${encodeURIComponent("2026-01-01T00:00:00Z")}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { flags: Record<string, unknown>; version: number };
    expect(body).toMatchObject({ flags: { [FLAG]: false }, version: newVersion });
    // The parameters are not evaluation-context attributes.
    expect(body).not.toHaveProperty("errors");
  });

  it("an etag the isolate already satisfies costs no read at all", async () => {
    await bulk();
    const reads = durableObjectSnapshotReads();
    expect(await bulkValue(await bulk(etag(newVersion - 1)))).toEqual({ value: true, version: newVersion - 1 });
    expect(durableObjectSnapshotReads()).toBe(reads);
  });

  it("reads KV (not the Durable Object) when KV has caught up but the isolate has not", async () => {
    const source = { env: env as Env, config: config(60_000) };
    const t0 = 10_000_000;
    const held = await edgeSnapshot(source, ENV, t0);
    expect(held.version).toBe(newVersion - 1);
    await putKv(after);
    const reads = durableObjectSnapshotReads();
    // Within the refresh interval a plain read keeps the isolate's copy; a read with minVersion goes to KV.
    expect(await edgeSnapshot(source, ENV, t0 + 10)).toBe(held);
    const fresh = await edgeSnapshot(source, ENV, t0 + 20, { minVersion: newVersion });
    expect(fresh.version).toBe(newVersion);
    expect(durableObjectSnapshotReads()).toBe(reads);
    expect(await edgeSnapshot(source, ENV, t0 + 30)).toBe(fresh);
  });

  it("concurrent read-throughs share one Durable Object request", async () => {
    const source = { env: env as Env, config: config(60_000) };
    await edgeSnapshot(source, ENV, 20_000_000);
    const reads = durableObjectSnapshotReads();
    const all = await Promise.all(Array.from({ length: 10 }, () => edgeSnapshot(source, ENV, 20_000_010, { minVersion: newVersion })));
    for (const s of all) expect(s.version).toBe(newVersion);
    expect(durableObjectSnapshotReads()).toBe(reads + 1);
  });
});

describe("an etag far above the Durable Object's version", () => {
  it("is served the current version and does not ask the Durable Object again within the memory window", async () => {
    const far = etag(999_999_999);
    const reads = durableObjectSnapshotReads();
    expect(await bulkValue(await bulk(far))).toEqual({ value: false, version: newVersion });
    expect(durableObjectSnapshotReads()).toBe(reads + 1);
    for (let i = 0; i < 5; i++) {
      const answers = await Promise.all([bulk(far), single(far), v1(far), bulk(etag(999_999_999 + i))]);
      for (const res of answers) expect(res.status).toBe(200);
    }
    expect(durableObjectSnapshotReads()).toBe(reads + 1);
  });

  it("asks again once the memory window has passed", async () => {
    const source = { env: env as Env, config: config(0) };
    const t0 = 30_000_000;
    const reads = durableObjectSnapshotReads();
    expect((await edgeSnapshot(source, ENV, t0, { minVersion: 10 ** 9 })).version).toBe(newVersion);
    expect((await edgeSnapshot(source, ENV, t0 + FAR_AHEAD_MEMORY_MS - 1, { minVersion: 10 ** 9 })).version).toBe(newVersion);
    expect(durableObjectSnapshotReads()).toBe(reads + 1);
    await edgeSnapshot(source, ENV, t0 + FAR_AHEAD_MEMORY_MS, { minVersion: 10 ** 9 });
    expect(durableObjectSnapshotReads()).toBe(reads + 2);
  });

  it("with an unknown key: refused, and no read-through", async () => {
    await bulk();
    const reads = durableObjectSnapshotReads();
    const fake = `efs_${ENV}_${"readthroughfake".padEnd(40, "x")}`;
    for (let i = 0; i < 5; i++) {
      const res = await postJson(`/ofrep/v1/evaluate/flags${etag(999_999_999 + i)}`, { context: {} }, bearer(fake));
      expect(res.status).toBe(401);
    }
    // No read-through for the etag; at most the one key lookup per interval any unknown key may cost
    // (a key created since the edge snapshot is found by it: test/integration/new-sdk-key.test.ts).
    expect(durableObjectSnapshotReads() - reads).toBeLessThanOrEqual(1);
  });
});

describe("malformed flagConfigEtag / flagConfigLastModified", () => {
  const BAD = [
    `?flagConfigEtag=${encodeURIComponent('"abc"')}`,
    `?flagConfigEtag=-1`,
    `?flagConfigEtag=${encodeURIComponent('"1" "2"')}`,
    `?flagConfigEtag=1.5`,
    `?flagConfigLastModified=yesterday`,
    `?flagConfigLastModified=-5`,
  ];

  it.each(BAD)("%s → 400 in OFREP's shape (bulk and single) and the envelope on /v1/flags", async (query) => {
    const b = await bulk(query);
    expect(b.status).toBe(400);
    expect(await b.json()).toMatchObject({ errorCode: "GENERAL", errorDetails: expect.stringMatching(/flagConfig/) });
    const s = await single(query);
    expect(s.status).toBe(400);
    expect(await s.json()).toMatchObject({ key: FLAG, errorCode: "GENERAL" });
    const v = await v1(query);
    expect(v.status).toBe(400);
    const field = query.slice(1, query.indexOf("="));
    expect(await v.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", details: [{ path: field }] } });
  });
});
