import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config.js";
import { lookupFlag } from "../../src/domain/snapshot.js";
import { clearSnapshotCache, edgeSnapshot, strongSnapshot } from "../../src/edge/snapshot-cache.js";
import type { Env } from "../../src/env.js";
import { booleanFlag } from "../support/flags.js";
import { environment, published } from "./helpers.js";
import { TEST_META } from "./helpers.js";

/** The real KV binding, wrapped to count reads (a test-only wrapper, not a mock). */
function countingEnv(): { env: Env; reads: () => number } {
  let reads = 0;
  const kv = env.FLAGS_KV;
  const counted = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "get" || prop === "getWithMetadata") reads++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { env: { ...(env as Env), FLAGS_KV: counted }, reads: () => reads };
}

function config(refreshMs: number): Config {
  const loaded = loadConfig(env as Env);
  if (!loaded.ok) throw new Error("config");
  return { ...loaded.config, snapshotRefreshMs: refreshMs };
}


describe("edge read path", () => {
  it("costs one KV read per refresh and none while the isolate holds the snapshot", async () => {
    await environment("development").getSnapshot();
    await published("development");
    clearSnapshotCache();
    const counter = countingEnv();
    const source = { env: counter.env, config: config(5_000) };
    const t0 = 1_000_000;
    const first = await edgeSnapshot(source, "development", t0);
    expect(counter.reads()).toBe(1);
    for (let i = 0; i < 50; i++) expect(await edgeSnapshot(source, "development", t0 + i * 10)).toBe(first);
    expect(counter.reads()).toBe(1);
    // After the refresh interval: one read, and the unchanged version reuses the compiled snapshot.
    const later = await edgeSnapshot(source, "development", t0 + 5_000);
    expect(counter.reads()).toBe(2);
    expect(later).toBe(first);
  });

  it("coalesces concurrent refreshes into one read", async () => {
    clearSnapshotCache();
    const counter = countingEnv();
    const source = { env: counter.env, config: config(5_000) };
    await Promise.all(Array.from({ length: 20 }, () => edgeSnapshot(source, "development", 2_000_000)));
    expect(counter.reads()).toBe(1);
  });

  it("sees a published change after the refresh interval, and at once through a strong read", async () => {
    clearSnapshotCache();
    const source = { env: env as Env, config: config(5_000) };
    const before = await edgeSnapshot(source, "staging", 3_000_000);
    const imported = await environment("staging").importFlags({ flags: [booleanFlag("fresh_flag")] }, {}, TEST_META);
    expect(imported.ok).toBe(true);
    // Within the interval the isolate keeps serving what it holds...
    expect(await lookupFlag(await edgeSnapshot(source, "staging", 3_000_100), "fresh_flag", "all")).toBeUndefined();
    // ...a strong read goes to the Durable Object and also refreshes the isolate's copy.
    const strong = await strongSnapshot(source, "staging", 3_000_200);
    expect(await lookupFlag(strong, "fresh_flag", "all")).toBeDefined();
    expect(strong.version).toBeGreaterThan(before.version);
    expect(await edgeSnapshot(source, "staging", 3_000_300)).toBe(strong);
  });

  it("falls back to the Durable Object when KV has no snapshot yet", async () => {
    clearSnapshotCache();
    await env.FLAGS_KV.delete("snapshot:production");
    const source = { env: env as Env, config: config(5_000) };
    const snapshot = await edgeSnapshot(source, "production", 4_000_000);
    expect(await lookupFlag(snapshot, "orchestration_enabled", "all")).toBeDefined();
  });
});
