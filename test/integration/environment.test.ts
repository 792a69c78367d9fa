import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/domain/snapshot.js";
import { sha256Hex } from "../../src/crypto.js";
import { snapshotKey } from "../../src/snapshot-key.js";
import { booleanFlag } from "../support/flags.js";
import { environment, published } from "./helpers.js";
import { TEST_META } from "./helpers.js";

const flag = (key: string, on = true) => booleanFlag(key, { enabled: on });

async function kvSnapshot(name: string): Promise<{ snapshot: Snapshot; metadata: { version: number; hash: string } }> {
  const { value, metadata } = await env.FLAGS_KV.getWithMetadata<{ version: number; hash: string }>(snapshotKey(name), "text");
  if (value === null || metadata === null) throw new Error(`no snapshot for ${name}`);
  return { snapshot: JSON.parse(value) as Snapshot, metadata };
}

describe("Environment Durable Object", () => {
  it("seeds the default flag set into an empty environment and publishes it to KV", async () => {
    const version = await published("development");
    const { snapshot, metadata } = await kvSnapshot("development");
    expect(metadata.version).toBe(version);
    expect(snapshot.env).toBe("development");
    expect(snapshot.flags.map((f) => f.key)).toEqual(expect.arrayContaining(["orchestration_enabled", "emergency_shutdown", "phase_4_deployment"]));
    // Metadata carries the body's sha-256, so readers can verify what they got.
    const { value } = await env.FLAGS_KV.getWithMetadata(snapshotKey("development"), "text");
    expect(metadata.hash).toBe(await sha256Hex(value as string));
  });

  it("imports a flag set, bumps the version, and keeps per-flag versions", async () => {
    const stub = environment("staging");
    const before = (await stub.status()).version;
    const first = await stub.importFlags({ flags: [flag("import_a"), flag("import_b")] }, {}, TEST_META);
    const second = await stub.importFlags({ flags: [flag("import_a", false)] }, {}, TEST_META);
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(first.version).toBe(before + 1);
    expect(second.version).toBe(before + 2);
    expect(first.diff).toEqual({ added: ["import_a", "import_b"], changed: [], removed: [], unchanged: 0 });
    expect(second.diff).toEqual({ added: [], changed: ["import_a"], removed: [], unchanged: 0 });
    await published("staging");
    const { snapshot } = await kvSnapshot("staging");
    const a = snapshot.flags.find((f) => f.key === "import_a");
    expect(a).toMatchObject({ enabled: false, version: 2, salt: "import_a" });
    expect(snapshot.flags.find((f) => f.key === "import_b")).toMatchObject({ version: 1 });
  });

  it("replace mode archives flags that are not in the set", async () => {
    const stub = environment("replace-env");
    const result = await stub.importFlags({ flags: [flag("only_one")] }, { mode: "replace" }, TEST_META);
    expect(result.ok).toBe(true);
    const snapshot = (await stub.getSnapshot()) as Snapshot;
    expect(snapshot.flags.map((f) => f.key)).toEqual(["only_one"]);
  });

  it("rejects an invalid flag set whole: no partial write, no version change", async () => {
    const stub = environment("staging");
    const before = await stub.status();
    const result = await stub.importFlags({ flags: [flag("fine"), { ...flag("broken"), offVariant: "missing" }] }, {}, TEST_META);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("VALIDATION_FAILED");
    expect(result.error.details[0]?.path).toBe("flags.1.offVariant");
    const after = await stub.status();
    expect(after.version).toBe(before.version);
    expect(after.flagCount).toBe(before.flagCount);
    const bad = await stub.importFlags({ flags: [] }, { mode: "wipe" }, TEST_META);
    expect(bad.ok).toBe(false);
  });

  it("debounces KV writes to one per second and publishes the rest from the alarm", async () => {
    const stub = environment("production");
    await published("production");
    const a = await stub.importFlags({ flags: [flag("burst_1")] }, {}, TEST_META);
    const b = await stub.importFlags({ flags: [flag("burst_2")] }, {}, TEST_META);
    expect(a.ok && b.ok).toBe(true);
    const status = await stub.status();
    // The second change came within a second of the first write: it waits for the alarm.
    expect(status.publishedVersion).toBeLessThan(status.version);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await runDurableObjectAlarm(env.ENVIRONMENT.getByName("production"));
    const after = await stub.status();
    expect(after.publishedVersion).toBe(after.version);
    const { snapshot } = await kvSnapshot("production");
    expect(snapshot.flags.map((f) => f.key)).toEqual(expect.arrayContaining(["burst_1", "burst_2"]));
  });

  it("creates SDK keys shown once and stores only their hash", async () => {
    const stub = environment("production");
    const created = await stub.createSdkKey({ name: "web", kind: "client" }, TEST_META);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.key).toMatch(/^efc_production_[A-Za-z0-9]{40}$/);
    await published("production");
    const { value } = await env.FLAGS_KV.getWithMetadata(snapshotKey("production"), "text");
    expect(value).not.toContain(created.key);
    const { snapshot } = await kvSnapshot("production");
    expect(snapshot.keys[await sha256Hex(created.key)]).toEqual({ id: created.id, name: "web", kind: "client" });
    expect((await stub.createSdkKey({ name: "", kind: "admin" }, TEST_META)).ok).toBe(false);
    expect((await stub.revokeSdkKey("sdk_missing", TEST_META)).ok).toBe(false);
  });

  it("the version only grows", async () => {
    const stub = environment("grow-env");
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await stub.importFlags({ flags: [flag(`g${i}`)] }, {}, TEST_META);
      if (r.ok && r.version !== undefined) seen.push(r.version);
    }
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(new Set(seen).size).toBe(5);
  });
});
