/**
 * The size limits: the pure environment-budget check (with a small budget), the variant and flag
 * caps as the Flag schema applies them, and the flag-size measure being stable under storage.
 */
import fc from "fast-check";
import { MAX_SHARD_BITS } from "../../src/domain/snapshot-shard.js";
import { describe, expect, it } from "vitest";
import { Flag, flagBytes } from "../../src/domain/flag.js";
import {
  budgetExcess, ENVIRONMENT_BUDGET, MAX_ENVIRONMENT_FLAG_BYTES, MAX_FLAG_BYTES, MAX_OBJECT_VARIANT_BYTES,
  MAX_STRING_VARIANT_LENGTH, utf8Bytes, type EnvironmentUsage,
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

  it("defaults to a budget whose snapshot shards stay far under KV's 25 MiB value limit", () => {
    expect(ENVIRONMENT_BUDGET.maxFlagBytes).toBe(MAX_ENVIRONMENT_FLAG_BYTES);
    // At the most shards, a full environment's shard averages at most 1 MiB (hash spread: far under 25 MiB).
    expect(MAX_ENVIRONMENT_FLAG_BYTES / 2 ** MAX_SHARD_BITS).toBeLessThanOrEqual(1024 * 1024);
    // A change audits a flag twice (before + after): far under D1's 2,000,000-byte row limit.
    expect(2 * MAX_FLAG_BYTES).toBeLessThan(2_000_000 / 10);
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
