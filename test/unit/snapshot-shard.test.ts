import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Flag } from "../../src/domain/flag.js";
import { CompiledShard, encodeShard, encodeShards, MAX_SHARD_BITS, SHARD_TARGET_BYTES, shardBitsFor, shardOf } from "../../src/domain/snapshot-shard.js";
import { compileManifest, compileSnapshot, evaluateAll, evaluateEvery, lookupFlag, Snapshot, type ShardRef, type SnapshotManifest } from "../../src/domain/snapshot.js";
import { booleanFlag } from "../support/flags.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");

const key = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
const flagArb = (k: string) =>
  fc.record({ clientSide: fc.boolean(), enabled: fc.boolean(), version: fc.nat(1000), on: fc.boolean() }).map((o) =>
    Flag.parse(booleanFlag(k, { clientSide: o.clientSide, enabled: o.enabled, version: o.version, fallthrough: { variant: o.on ? "on" : "off" } })),
  );
const flagsArb = fc.uniqueArray(key, { maxLength: 60 }).chain((keys) => fc.tuple(...keys.map(flagArb)));
const bitsArb = fc.integer({ min: 0, max: 5 });

/** A manifest over in-memory shard texts, with a loader that counts what it loads. */
function sharded(flags: Flag[], bits: number) {
  const texts = encodeShards(flags, bits);
  const shards: ShardRef[] = texts.map((text, i) => ({ hash: i.toString(16).padStart(64, "0"), client: String(i), flags: text === "" ? 0 : text.split("\n").length, bytes: text.length }));
  const manifest: SnapshotManifest = { env: "production", version: 1, publishedAt: "x", keys: {}, shardBits: bits, shards };
  const loaded: number[] = [];
  const compiled = compileManifest(manifest, {}, (index, _ref, compile) => {
    loaded.push(index);
    return CompiledShard.fromText(texts[index] as string, compile);
  });
  return { compiled, texts, loaded };
}

describe("shard text format", () => {
  it("round trip: every flag is found in its shard, equal to what was encoded, with its visibility", () => {
    fc.assert(
      fc.property(flagsArb, bitsArb, (flags, bits) => {
        const texts = encodeShards(flags, bits);
        expect(texts).toHaveLength(2 ** bits);
        const shards = texts.map((t) => CompiledShard.fromText(t));
        expect(shards.reduce((n, s) => n + s.size, 0)).toBe(flags.length);
        for (const flag of flags) {
          const shard = shards[shardOf(flag.key, bits)] as CompiledShard;
          const i = shard.indexOf(flag.key);
          expect(i).toBeGreaterThanOrEqual(0);
          expect(shard.at(i).flag).toEqual(flag);
          expect(shard.isClientSide(i)).toBe(flag.clientSide);
        }
        for (const shard of shards) expect([...shard.keys]).toEqual([...shard.keys].sort());
      }),
    );
  });

  it("lookups of absent keys find nothing", () => {
    fc.assert(
      fc.property(flagsArb, key, (flags, probe) => {
        fc.pre(!flags.some((f) => f.key === probe));
        const shard = CompiledShard.fromText(encodeShard(flags));
        expect(shard.indexOf(probe)).toBe(-1);
        expect(shard.get(probe)).toBeUndefined();
      }),
    );
  });

  it("an indexed shard parses nothing until asked, then parses that flag once", () => {
    let compiled = 0;
    const flags = ["a", "b", "c"].map((k) => Flag.parse(booleanFlag(k)));
    const shard = CompiledShard.fromText(encodeShard(flags), (f) => (compiled++, compileSnapshot({ env: "e", version: 0, publishedAt: "", flags: [f], keys: {} }).shard(0) as CompiledShard).get(f.key)!);
    expect(compiled).toBe(0);
    shard.get("b");
    shard.get("b");
    expect(compiled).toBe(1);
  });

  it("the order flags are given in does not change a shard's text", () => {
    fc.assert(
      fc.property(flagsArb, (flags) => {
        expect(encodeShard([...flags].reverse())).toBe(encodeShard(flags));
      }),
    );
  });
});

describe("shard assignment", () => {
  it("is stable, in range, and doubling the shard count splits each shard in two", () => {
    fc.assert(
      fc.property(key, fc.integer({ min: 0, max: MAX_SHARD_BITS - 1 }), (k, bits) => {
        const s = shardOf(k, bits);
        expect(s).toBe(shardOf(k, bits));
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThan(2 ** bits);
        expect(shardOf(k, bits + 1) >>> 1).toBe(s);
      }),
    );
  });

  it("a one-flag change changes exactly the one shard holding it", () => {
    fc.assert(
      fc.property(flagsArb.filter((f) => f.length > 0), bitsArb, fc.nat(), (flags, bits, pick) => {
        const i = pick % flags.length;
        const target = flags[i] as Flag;
        const changed = flags.map((f, j) => (j === i ? { ...f, enabled: !f.enabled, version: f.version + 1 } : f));
        const before = encodeShards(flags, bits);
        const after = encodeShards(changed, bits);
        const differing = before.map((t, s) => (t !== after[s] ? s : -1)).filter((s) => s >= 0);
        expect(differing).toEqual([shardOf(target.key, bits)]);
      }),
    );
  });

  it("shard bits grow with the bytes, keep shards near the target size, and stop at the maximum", () => {
    fc.assert(
      fc.property(fc.nat(2 ** 31), (bytes) => {
        const bits = shardBitsFor(bytes);
        expect(bits).toBeGreaterThanOrEqual(0);
        expect(bits).toBeLessThanOrEqual(MAX_SHARD_BITS);
        if (bits < MAX_SHARD_BITS) expect(bytes / 2 ** bits).toBeLessThanOrEqual(SHARD_TARGET_BYTES);
        if (bits > 0) expect(bytes / 2 ** (bits - 1)).toBeGreaterThan(SHARD_TARGET_BYTES);
        expect(shardBitsFor(bytes + 1)).toBeGreaterThanOrEqual(bits);
      }),
    );
  });
});

describe("a compiled manifest", () => {
  it("looks one flag up by loading only its shard, and bulk equals the whole snapshot's, in key order", async () => {
    await fc.assert(
      fc.asyncProperty(flagsArb.filter((f) => f.length > 0), fc.integer({ min: 1, max: 4 }), fc.nat(), async (flags, bits, pick) => {
        const { compiled, loaded } = sharded(flags, bits);
        const target = flags[pick % flags.length] as Flag;
        expect((await lookupFlag(compiled, target.key, "all"))?.flag).toEqual(target);
        expect(loaded).toEqual([shardOf(target.key, bits)]);
        const whole = compileSnapshot(Snapshot.parse({ env: "production", version: 1, publishedAt: "x", flags, keys: {} }));
        for (const visibility of ["all", "clientSide"] as const) {
          expect(await evaluateEvery(compiled, { targetingKey: "u1" }, NOW, visibility)).toEqual(evaluateAll(whole, { targetingKey: "u1" }, NOW, visibility));
        }
      }),
      { numRuns: 50 },
    );
  });

  it("hides server-only flags from client visibility and applies overrides per flag", async () => {
    const flags = [Flag.parse(booleanFlag("server_only")), Flag.parse(booleanFlag("kill", { clientSide: true, enabled: true }))];
    const texts = encodeShards(flags, 2);
    const shards = texts.map((t, i) => ({ hash: String(i).padStart(64, "0"), client: "", flags: 0, bytes: t.length }));
    const c = compileManifest({ env: "production", version: 1, publishedAt: "x", keys: {}, shardBits: 2, shards }, { kill: "off" }, (i, _r, compile) => CompiledShard.fromText(texts[i] as string, compile));
    expect(await lookupFlag(c, "server_only", "clientSide")).toBeUndefined();
    expect((await lookupFlag(c, "kill", "clientSide"))?.evaluate({}, NOW)).toMatchObject({ variant: "off", metadata: { override: "FLAG_OVERRIDES" } });
  });

  it("inline flags need no loader", async () => {
    const flags = [Flag.parse(booleanFlag("a"))];
    const c = compileManifest({ env: "production", version: 1, publishedAt: "x", keys: {}, shardBits: 0, shards: [], flags }, {}, () => {
      throw new Error("no load expected");
    });
    expect((await lookupFlag(c, "a", "all"))?.flag.key).toBe("a");
  });
});
