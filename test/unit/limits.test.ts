/**
 * The size limits: the pure environment-budget check (with a small budget), the variant and flag
 * caps as the Flag schema applies them, and the flag-size measure being stable under storage.
 */
import fc from "fast-check";
import { MAX_SHARD_BITS, SHARD_TARGET_BYTES } from "../../src/domain/snapshot-shard.js";
import { describe, expect, it } from "vitest";
import { Flag, flagBytes } from "../../src/domain/flag.js";
import {
  budgetBreach, budgetExcess, ENVIRONMENT_BUDGET, HEADROOM_FAIL_RATIO, HEADROOM_WARN_RATIO, headroomDetail, headroomLevel, headroomOf, LIMITS,
  MAX_ENVIRONMENT_FLAG_BYTES, MAX_FLAG_BYTES, MAX_OBJECT_VARIANT_BYTES, MAX_STRING_VARIANT_LENGTH, utf8Bytes, type EnvironmentUsage,
} from "../../src/domain/limits.js";
import { booleanFlag } from "../support/flags.js";

const SMALL = { maxFlags: 3, maxFlagBytes: 1_000 };

describe("budgetExcess", () => {
  it("accepts what fits and refuses, naming the environment and the budget, what grows past it", () => {
    expect(budgetExcess("qa", { flags: 2, bytes: 500 }, { flags: 3, bytes: 1_000 }, SMALL)).toBeUndefined();
    expect(budgetExcess("qa", { flags: 3, bytes: 500 }, { flags: 4, bytes: 600 }, SMALL)).toBe('environment "qa" would hold 4 live flags; its budget is 3');
    expect(budgetExcess("qa", { flags: 1, bytes: 900 }, { flags: 1, bytes: 1_001 }, SMALL)).toMatch(/^environment "qa" would hold 1001 bytes of flags; its budget is 1000/);
  });

  it("never refuses a change that grows neither dimension, so an environment over budget can shrink", () => {
    const usage = fc.record({ flags: fc.nat(10), bytes: fc.nat(3_000) });
    fc.assert(
      fc.property(usage, usage, (a: EnvironmentUsage, b: EnvironmentUsage) => {
        const after = { flags: Math.min(a.flags, b.flags), bytes: Math.min(a.bytes, b.bytes) };
        expect(budgetExcess("qa", a, after, SMALL)).toBeUndefined();
      }),
    );
  });

  it("refuses exactly the growth that ends over a limit", () => {
    fc.assert(
      fc.property(fc.nat(10), fc.nat(10), (before, after) => {
        const refused = budgetExcess("qa", { flags: before, bytes: 0 }, { flags: after, bytes: 0 }, SMALL) !== undefined;
        expect(refused).toBe(after > SMALL.maxFlags && after > before);
      }),
    );
  });

  it("defaults to a budget the sharded snapshot can hold, for 100,000 flags on top of a seed", () => {
    expect(ENVIRONMENT_BUDGET).toEqual({ maxFlags: LIMITS.maxEnvironmentFlags, maxFlagBytes: LIMITS.maxEnvironmentFlagBytes });
    expect(MAX_ENVIRONMENT_FLAG_BYTES).toBe(LIMITS.maxEnvironmentFlagBytes);
    expect(LIMITS.maxEnvironmentFlags).toBeGreaterThanOrEqual(100_000 + 100);
    // LIMITS describes the shard layout the snapshot really uses (src/domain/snapshot-shard.ts).
    expect(LIMITS.maxSnapshotShards).toBe(2 ** MAX_SHARD_BITS);
    expect(LIMITS.snapshotShardTargetBytes).toBe(SHARD_TARGET_BYTES);
    // At the most shards, a full environment's shard averages at most 1 MiB (hash spread: far under 25 MiB).
    expect(LIMITS.maxEnvironmentFlagBytes / LIMITS.maxSnapshotShards).toBeLessThanOrEqual(LIMITS.kvValueBytes / 100);
    // A change audits a flag twice (before + after): far under D1's 2,000,000-byte row limit.
    expect(2 * MAX_FLAG_BYTES).toBeLessThan(2_000_000 / 10);
    // The import chunk fits its body limit with room for flags of a few hundred bytes.
    expect(LIMITS.maxFlagsPerImport * 400).toBeLessThanOrEqual(LIMITS.maxImportBodyBytes);
  });

  it("names the limit it breaks", () => {
    expect(budgetBreach("qa", { flags: 3, bytes: 0 }, { flags: 4, bytes: 0 }, SMALL)).toMatchObject({ limit: "maxEnvironmentFlags", max: 3, actual: 4 });
    expect(budgetBreach("qa", { flags: 1, bytes: 0 }, { flags: 1, bytes: 1_001 }, SMALL)).toMatchObject({ limit: "maxEnvironmentFlagBytes", max: 1_000, actual: 1_001 });
    expect(budgetBreach("qa", { flags: 1, bytes: 0 }, { flags: 3, bytes: 1_000 }, SMALL)).toBeUndefined();
  });
});

describe("headroom", () => {
  it("is ok under 80 %, warns from 80 %, fails from 95 %, and takes the worst dimension", () => {
    expect(headroomLevel(0.79)).toBe("ok");
    expect(headroomLevel(HEADROOM_WARN_RATIO)).toBe("warn");
    expect(headroomLevel(HEADROOM_FAIL_RATIO)).toBe("fail");
    const h = headroomOf({ flags: 10, bytes: 0 }, null);
    expect(h).toMatchObject({ level: "ok", largestValueBytes: null, flags: { used: 10, limit: LIMITS.maxEnvironmentFlags, level: "ok" } });
    const warn = headroomOf({ flags: Math.ceil(LIMITS.maxEnvironmentFlags * 0.85), bytes: 0 }, 1024);
    expect(warn.level).toBe("warn");
    expect(headroomDetail(warn)).toBe("headroom low: flags at 85% of the limit");
    const fail = headroomOf({ flags: 1, bytes: 0 }, LIMITS.kvValueBytes);
    expect(fail).toMatchObject({ level: "fail", largestValueBytes: { used: LIMITS.kvValueBytes, limit: LIMITS.kvValueBytes, ratio: 1, level: "fail" } });
    expect(headroomDetail(fail)).toBe("headroom exhausted: largest KV value at 100% of the limit");
  });

  it("never reports a level better than any dimension's", () => {
    fc.assert(
      fc.property(fc.nat(200_000), fc.nat(200 * 1024 * 1024), fc.option(fc.nat(40 * 1024 * 1024), { nil: null }), (flags, bytes, value) => {
        const h = headroomOf({ flags, bytes }, value);
        const rank = { ok: 0, warn: 1, fail: 2 };
        for (const d of [h.flags, h.flagBytes, h.largestValueBytes]) if (d) expect(rank[h.level]).toBeGreaterThanOrEqual(rank[d.level]);
      }),
    );
  });
});

describe("structural caps name their limit", () => {
  const issues = (input: unknown) => {
    const r = Flag.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  };
  const rule = (i: number, when: unknown[] = []) => ({ id: `r${i}`, when, serve: { variant: "on" } });
  const cond = (values: unknown[]) => ({ attribute: "plan", op: "in", values });

  it("rules, conditions, values and tags: the largest allowed fits a flag, one more is refused naming the limit", () => {
    const cases: [unknown, string, string][] = [
      [{ ...booleanFlag("r"), rules: Array.from({ length: LIMITS.maxRulesPerFlag + 1 }, (_, i) => rule(i)) }, "rules", "maxRulesPerFlag"],
      [{ ...booleanFlag("c"), rules: [rule(0, Array.from({ length: LIMITS.maxConditionsPerRule + 1 }, () => cond(["a"])))] }, "rules.0.when", "maxConditionsPerRule"],
      [{ ...booleanFlag("v"), rules: [rule(0, [cond(Array.from({ length: LIMITS.maxValuesPerCondition + 1 }, (_, i) => `v${i}`))])] }, "rules.0.when.0.values", "maxValuesPerCondition"],
      [{ ...booleanFlag("t"), tags: Array.from({ length: LIMITS.maxTagsPerFlag + 1 }, (_, i) => `t${i}`) }, "tags", "maxTagsPerFlag"],
    ];
    for (const [input, path, limit] of cases) expect(issues(input)).toContainEqual({ path, message: expect.stringContaining(`(limit ${limit})`) });
    // At the maximum (with short values) each still fits within the flag's byte cap.
    expect(issues({ ...booleanFlag("r"), rules: Array.from({ length: LIMITS.maxRulesPerFlag }, (_, i) => rule(i)) })).toEqual([]);
    expect(issues({ ...booleanFlag("c"), rules: [rule(0, Array.from({ length: LIMITS.maxConditionsPerRule }, () => cond(["a"])))] })).toEqual([]);
    expect(issues({ ...booleanFlag("v"), rules: [rule(0, [cond(Array.from({ length: LIMITS.maxValuesPerCondition }, (_, i) => `v${i}`))])] })).toEqual([]);
    expect(issues({ ...booleanFlag("t"), tags: Array.from({ length: LIMITS.maxTagsPerFlag }, (_, i) => `t${i}`) })).toEqual([]);
  });
});

describe("Flag size caps", () => {
  const stringFlag = (variants: Record<string, string>) => ({ ...booleanFlag("s"), type: "string", variants, offVariant: "a", fallthrough: { variant: "a" } });
  const issues = (input: unknown) => {
    const r = Flag.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  };

  it("caps a string variant's length, naming the variant", () => {
    expect(issues(stringFlag({ a: "x".repeat(MAX_STRING_VARIANT_LENGTH) }))).toEqual([]);
    expect(issues(stringFlag({ a: "x".repeat(MAX_STRING_VARIANT_LENGTH + 1) }))).toEqual([
      { path: "variants.a", message: `a string variant may have at most ${MAX_STRING_VARIANT_LENGTH} characters; this one has ${MAX_STRING_VARIANT_LENGTH + 1}` },
    ]);
  });

  it("caps an object variant's serialized size (arrays inside count), naming the variant", () => {
    const objectFlag = (value: unknown) => ({ ...booleanFlag("o"), type: "object", variants: { a: value }, offVariant: "a", fallthrough: { variant: "a" } });
    expect(issues(objectFlag({ list: ["y".repeat(1000)] }))).toEqual([]);
    const big = { list: Array.from({ length: 40 }, () => "y".repeat(1000)) };
    const found = issues(objectFlag(big));
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({ path: "variants.a", message: `an object variant may serialize to at most ${MAX_OBJECT_VARIANT_BYTES} bytes; this one is ${utf8Bytes(JSON.stringify(big))}` });
  });

  it("caps the whole flag's serialized size in UTF-8 bytes", () => {
    // 9 variants of 8,000 characters: each within its cap, together over the flag's.
    const variants = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [i === 0 ? "a" : `v${i}`, "x".repeat(8_000)]));
    const found = issues(stringFlag(variants));
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe("");
    expect(found[0]?.message).toMatch(new RegExp(`^the flag serializes to \\d+ bytes; a flag may have at most ${MAX_FLAG_BYTES}$`));
    // Multi-byte characters count as bytes: 3 variants of 8,000 "€" (3 bytes each) are 72,000 bytes.
    expect(issues(stringFlag({ a: "€".repeat(8_000), b: "€".repeat(8_000), c: "€".repeat(8_000) }))[0]?.path).toBe("");
  });

  it("measures a flag the same before and after storage adds its salt, version and updatedAt", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(), fc.option(fc.string({ minLength: 1, maxLength: 128 }), { nil: undefined }), (description, version, salt) => {
        const flag = Flag.parse({ ...booleanFlag("measured"), description, salt });
        const stored = Flag.parse(JSON.parse(JSON.stringify({ ...flag, salt: flag.salt ?? flag.key, version, updatedAt: new Date(0).toISOString() })));
        expect(flagBytes(stored)).toBe(flagBytes(flag));
      }),
    );
  });
});
