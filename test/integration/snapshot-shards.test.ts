/**
 * The sharded snapshot's publishing in the real Durable Object and KV (docs/architecture.md,
 * "KV snapshot"): shards are written before the manifest that names them, a one-flag change writes
 * one new shard and keeps the old one for readers of the previous manifest, and a retired shard is
 * deleted once its time has come (simulated by backdating its retirement); an edge whose manifest
 * names a shard that is gone everywhere fails that request and then asks the Durable Object.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config.js";
import { lookupFlag, type SnapshotManifest } from "../../src/domain/snapshot.js";
import { clearSnapshotCache, edgeSnapshot } from "../../src/edge/snapshot-cache.js";
import type { Env } from "../../src/env.js";
import { shardOf } from "../../src/domain/snapshot-shard.js";
import { shardKey, snapshotKey } from "../../src/snapshot-key.js";
import { booleanFlag } from "../support/flags.js";
import { environment, published, TEST_META } from "./helpers.js";

const NAME = "shard-env";

async function manifest(): Promise<SnapshotManifest> {
  const text = await env.FLAGS_KV.get(snapshotKey(NAME), "text");
  if (text === null) throw new Error("no manifest");
  return JSON.parse(text) as SnapshotManifest;
}

describe("publishing a sharded snapshot", () => {
  it("writes every named shard first, one new shard per one-flag change, and deletes retired shards when due", async () => {
    const stub = environment(NAME);
    const flags = Array.from({ length: 1_000 }, (_, i) => booleanFlag(`f_${i}`));
    expect((await stub.importFlags({ flags }, {}, TEST_META)).ok).toBe(true);
    await published(NAME);
    const first = await manifest();
    expect(first.flags).toBeUndefined();
    expect(first.shardBits).toBeGreaterThan(0);
    for (const [i, ref] of first.shards.entries()) expect(await env.FLAGS_KV.get(shardKey(NAME, i, ref.hash), "text")).not.toBeNull();

    expect((await stub.setFlagEnabled("f_7", false, {}, TEST_META)).ok).toBe(true);
    await published(NAME);
    const second = await manifest();
    const changed = second.shards.map((s, i) => (s.hash !== first.shards[i]?.hash ? i : -1)).filter((i) => i >= 0);
    expect(changed).toHaveLength(1);
    const index = changed[0] as number;
    const retired = shardKey(NAME, index, (first.shards[index] as { hash: string }).hash);
    // Readers still holding the first manifest find its shard.
    expect(await env.FLAGS_KV.get(retired, "text")).not.toBeNull();
    expect(await env.FLAGS_KV.get(shardKey(NAME, index, (second.shards[index] as { hash: string }).hash), "text")).toContain("f_7\t0\t");

    const object = env.ENVIRONMENT.getByName(NAME);
    const backdated = await runInDurableObject(object, (_instance, state) => {
      const row = state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = 'retired_shards'").toArray()[0];
      const entries = JSON.parse(row?.value ?? "[]") as { key: string; at: number }[];
      state.storage.sql.exec("UPDATE meta SET value = ? WHERE name = 'retired_shards'", JSON.stringify(entries.map((e) => ({ ...e, at: 0 }))));
      return entries.map((e) => e.key);
    });
    expect(backdated).toEqual([retired]);
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(await env.FLAGS_KV.get(retired, "text")).toBeNull();
    // The current manifest's shards are untouched.
    for (const [i, ref] of second.shards.entries()) expect(await env.FLAGS_KV.get(shardKey(NAME, i, ref.hash), "text")).not.toBeNull();
  }, 60_000);

  it("an edge holding a manifest whose shard is gone everywhere fails once, then reads the Durable Object's manifest", async () => {
    const loaded = loadConfig(env as Env);
    if (!loaded.ok) throw new Error("config");
    const source = { env: env as Env, config: { ...loaded.config, snapshotRefreshMs: 60_000 } as Config };
    clearSnapshotCache();
    const held = await edgeSnapshot(source, NAME, 1_000_000);
    const index = shardOf("f_7", held.shardBits);
    const gone = shardKey(NAME, index, (held.shards[index] as { hash: string }).hash);
    // The Durable Object moves on (f_7 again), and the shard the held manifest names leaves KV.
    expect((await environment(NAME).setFlagEnabled("f_7", true, {}, TEST_META)).ok).toBe(true);
    await published(NAME);
    await env.FLAGS_KV.delete(gone);
    await expect(lookupFlag(held, "f_7", "all")).rejects.toThrow(/neither in KV nor current/);
    const healed = await edgeSnapshot(source, NAME, 1_000_001);
    expect(healed.version).toBeGreaterThan(held.version);
    expect((await lookupFlag(healed, "f_7", "all"))?.evaluate({}, 0)).toMatchObject({ key: "f_7", value: true });
  });
});

