/**
 * A key created a moment ago works at once, even at an edge whose snapshot predates it (KV lags
 * the Durable Object by up to ~60 s in production): an unknown key costs one Durable Object lookup
 * per interval per isolate, which finds the new key. Made-up keys stay refused and cheap.
 *
 * KV is made stale the honest way: the snapshot key's value from before the key existed is
 * written back to the real local KV, as a lagging edge location would serve it.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { clearSnapshotCache, durableObjectSnapshotReads } from "../../src/edge/snapshot-cache.js";
import { snapshotKey } from "../../src/snapshot-key.js";
import { bearer, createKey, postJson, published } from "./helpers.js";

const ENV = "staging";
const evaluate = (key: string) => postJson("/ofrep/v1/evaluate/flags/maintenance_mode", { context: {} }, bearer(key));

let stale: { value: string; metadata: unknown };
let newKey: string;

beforeAll(async () => {
  // An edge that has served this environment before the key exists.
  const warm = await createKey(ENV, "server", "new-key-warmup");
  expect((await evaluate(warm.key)).status).toBe(200);
  await published(ENV);
  const { value, metadata } = await env.FLAGS_KV.getWithMetadata(snapshotKey(ENV), "text");
  if (value === null) throw new Error("no snapshot in KV");
  stale = { value, metadata };
  newKey = (await createKey(ENV, "server", "new-key-fresh")).key;
  await published(ENV);
  // KV still serves the snapshot from before the new key, as a lagging edge location would.
  await env.FLAGS_KV.put(snapshotKey(ENV), stale.value, { metadata: stale.metadata });
});

describe("a newly created SDK key", () => {
  it("is served at once by an edge whose KV snapshot predates it, with one Durable Object lookup", async () => {
    clearSnapshotCache();
    const before = durableObjectSnapshotReads();
    const res = await evaluate(newKey);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: "maintenance_mode" });
    expect(durableObjectSnapshotReads() - before).toBe(1);
  });

  it("made-up keys are still refused, and cost no further Durable Object lookups within the interval", async () => {
    const before = durableObjectSnapshotReads();
    for (let i = 0; i < 10; i++) {
      const res = await evaluate(`efs_${ENV}_${`fake${i}`.padEnd(40, "x")}`);
      expect(res.status).toBe(401);
    }
    expect(durableObjectSnapshotReads()).toBe(before);
  });
});
