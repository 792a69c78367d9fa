/**
 * 100,000 flags in one environment, end to end through the real Worker (docs/architecture.md,
 * "KV snapshot"): imported in chunks through the admin API, published as a manifest plus shards
 * (no KV value near the 25 MiB limit), served by the edge reading one shard for one flag, a
 * one-flag change rewriting one shard and reaching the edge, `FLAG_OVERRIDES` still applied, bulk
 * evaluation walking every shard in key order, and the Durable Object fallback shipping a manifest
 * and single shards. Staging is used for its configured override (`maintenance_mode: on`).
 *
 * Most of this file's time (~3 minutes on a 2-core machine) is the import's audit trail: one
 * `flag.imported` event per flag, flushed to D1 50 rows per batch, ~20 s per 20,000-flag chunk
 * locally, against ~3-5 s for that chunk's snapshot publish (mostly local KV writes of the shards).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { SnapshotManifest } from "../../src/domain/snapshot.js";
import { clearSnapshotCache } from "../../src/edge/snapshot-cache.js";
import { durableObjectShardReadCount, heldShardCount } from "../../src/edge/shard-cache.js";
import { shardKey, snapshotKey } from "../../src/snapshot-key.js";
import { booleanFlag } from "../support/flags.js";
import { adminJson } from "./admin-helpers.js";
import { bearer, createKey, environment, postJson, published } from "./helpers.js";

const ENV = "staging";
const COUNT = 100_000;
const CHUNK = 20_000;
const LAST = `scale_${COUNT - 1}`;
const KV_VALUE_LIMIT = 25 * 1024 * 1024;

let serverKey: string;

/** Compact flags: every 7th is client-side, every 3rd serves `off`. */
const scaleFlag = (i: number) => ({ ...booleanFlag(`scale_${i}`, { fallthrough: { variant: i % 3 === 0 ? "off" : "on" } }), ...(i % 7 === 0 && { clientSide: true }) });

async function manifest(): Promise<{ manifest: SnapshotManifest; bytes: number }> {
  const text = await env.FLAGS_KV.get(snapshotKey(ENV), "text");
  if (text === null) throw new Error("no manifest");
  return { manifest: JSON.parse(text) as SnapshotManifest, bytes: text.length };
}

/** `scale_99999` is the last key in key order; as a multiple of 3 it serves `off`. */
const single = (key: string) => postJson(`/ofrep/v1/evaluate/flags/${key}`, { context: { targetingKey: "u1" } }, bearer(serverKey));

beforeAll(async () => {
  serverKey = (await createKey(ENV, "server", "scale")).key;
  for (let first = 0; first < COUNT; first += CHUNK) {
    const flags = Array.from({ length: CHUNK }, (_, i) => scaleFlag(first + i));
    const res = await adminJson<{ diff: { added: string[] } }>("POST", `/envs/${ENV}/import`, { flags });
    expect(res.status).toBe(200);
    expect(res.body.diff.added).toHaveLength(CHUNK);
  }
  await published(ENV, 60_000);
}, 400_000);

describe("a 100,000-flag environment", () => {
  it("is published as a small manifest plus shards, each far under KV's value limit", async () => {
    const { manifest: m, bytes } = await manifest();
    expect(m.flags).toBeUndefined();
    expect(m.shardBits).toBeGreaterThan(0);
    expect(m.shards).toHaveLength(2 ** m.shardBits);
    expect(m.shards.reduce((n, s) => n + s.flags, 0)).toBeGreaterThanOrEqual(COUNT);
    expect(bytes).toBeLessThan(256 * 1024);
    for (const ref of m.shards) expect(ref.bytes).toBeLessThan(KV_VALUE_LIMIT / 16);
    const [first] = m.shards;
    expect(await env.FLAGS_KV.get(shardKey(ENV, 0, first!.hash), "text")).not.toBeNull();
  });

  it("serves the last flag at the edge reading one shard, and one flag change reaches the edge rewriting one shard", async () => {
    clearSnapshotCache();
    const res = await single(LAST);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: LAST, value: false, variant: "off", reason: "STATIC" });
    expect(heldShardCount(ENV)).toBe(1);

    const before = (await manifest()).manifest;
    const disabled = await adminJson("POST", `/envs/${ENV}/flags/${LAST}/disable`, {});
    expect(disabled.status).toBe(200);
    await published(ENV);
    const after = (await manifest()).manifest;
    expect(after.version).toBeGreaterThan(before.version);
    const changed = after.shards.filter((s, i) => s.hash !== before.shards[i]?.hash);
    expect(changed).toHaveLength(1);

    const served = await single(LAST);
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ key: LAST, value: false, reason: "DISABLED" });
    // The changed shard was read from KV (the Durable Object was not asked), and the other held one kept.
    expect(durableObjectShardReadCount()).toBe(0);
  });

  it("applies FLAG_OVERRIDES to a flag in a shard", async () => {
    const res = await single("maintenance_mode");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: "maintenance_mode", variant: "on", metadata: { override: "FLAG_OVERRIDES" } });
  });

  it("bulk evaluation walks every shard in key order", async () => {
    const res = await postJson("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, bearer(serverKey));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { flags: { key: string; value?: unknown }[] };
    expect(body.flags.length).toBeGreaterThan(COUNT);
    const keys = body.flags.map((f) => f.key);
    expect(keys).toEqual([...keys].sort());
    const byKey = new Map(body.flags.map((f) => [f.key, f.value]));
    expect(byKey.get(LAST)).toBe(false);
    expect(byKey.get("scale_3")).toBe(false);
    expect(byKey.get("scale_4")).toBe(true);
  }, 60_000);

  it("without KV, the Durable Object answers a manifest and then single shards, never every flag", async () => {
    const saved = await env.FLAGS_KV.getWithMetadata(snapshotKey(ENV), "text");
    const fromDo = (await environment(ENV).getSnapshot()) as SnapshotManifest;
    expect(fromDo.flags).toBeUndefined();
    expect(JSON.stringify(fromDo).length).toBeLessThan(256 * 1024);
    await env.FLAGS_KV.delete(snapshotKey(ENV));
    try {
      clearSnapshotCache();
      const res = await single("scale_12346");
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ key: "scale_12346", value: true });
      const index = 0;
      const shard = await environment(ENV).getShard(index, fromDo.shards[index]!.hash);
      expect(shard).not.toBeNull();
      expect(shard!.length).toBe(fromDo.shards[index]!.bytes);
      expect(await environment(ENV).getShard(index, "0".repeat(64))).toBeNull();
    } finally {
      await env.FLAGS_KV.put(snapshotKey(ENV), saved.value as string, { metadata: saved.metadata });
    }
  });
});
