import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFlag, explain, type CompiledFlag } from "../../src/domain/evaluate.js";
import { Flag, type FlagInput } from "../../src/domain/flag.js";
import { MAX_PREREQUISITE_DEPTH, prerequisiteProblems, type GraphFlag, type PrerequisiteGraph } from "../../src/domain/prerequisites.js";
import { compileManifest, compileSnapshot, findFlag, lookupFlag, SnapshotDeps, type ShardLoader } from "../../src/domain/snapshot.js";
import { CompiledShard, encodeShard, shardOf } from "../../src/domain/snapshot-shard.js";
import { booleanFlag } from "../support/flags.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");
const flag = (key: string, over: Partial<FlagInput> = {}) => Flag.parse(booleanFlag(key, over));

/** A graph over plain flags, the way the environment builds it from storage. */
function graph(flags: readonly GraphFlag[]): PrerequisiteGraph {
  const byKey = new Map(flags.map((f) => [f.key, f]));
  return {
    flag: (k) => byKey.get(k),
    requiredBy: (k) => flags.filter((f) => f.prerequisites?.some((p) => p.flag === k)).map((f) => f.key).sort(),
  };
}

function snapshotOf(flags: Flag[]) {
  return compileSnapshot({ env: "production", version: 1, publishedAt: "2026-11-26T10:00:00Z", flags, keys: {}, segments: [] });
}

describe("prerequisite evaluation", () => {
  const parent = flag("parent", { fallthrough: { variant: "off" }, rules: [{ id: "vip", when: [{ attribute: "plan", op: "eq", values: ["vip"] }], serve: { variant: "on" } }] });
  const child = flag("child", { prerequisites: [{ flag: "parent", variants: ["on"] }] });
  const snapshot = snapshotOf([parent, child]);
  const evaluateChild = (ctx: Record<string, unknown>) => (findFlag(snapshot, "child", "all") as CompiledFlag).evaluate(ctx, NOW);

  it("serves the flag when the prerequisite evaluates to a listed variant (same context)", () => {
    expect(evaluateChild({ plan: "vip" })).toEqual({ key: "child", value: true, variant: "on", reason: "STATIC" });
  });

  it("serves offVariant, DISABLED, with metadata.prerequisite when it does not", () => {
    expect(evaluateChild({ plan: "free" })).toEqual({ key: "child", value: false, variant: "off", reason: "DISABLED", metadata: { prerequisite: "parent" } });
  });

  it("a disabled flag stays DISABLED without prerequisite metadata; a missing prerequisite fails closed", () => {
    const off = snapshotOf([parent, flag("child", { enabled: false, prerequisites: [{ flag: "parent", variants: ["on"] }] })]);
    expect(findFlag(off, "child", "all")?.evaluate({ plan: "vip" }, NOW)).toEqual({ key: "child", value: false, variant: "off", reason: "DISABLED" });
    expect(compileFlag(child).evaluate({ plan: "vip" }, NOW)).toMatchObject({ variant: "off", reason: "DISABLED", metadata: { prerequisite: "parent" } });
  });

  it("an override of the prerequisite counts (it is what the prerequisite evaluates to)", () => {
    const overridden = compileSnapshot({ env: "production", version: 1, publishedAt: "x", flags: [parent, child], keys: {}, segments: [] }, { parent: "on" });
    expect(findFlag(overridden, "child", "all")?.evaluate({ plan: "free" }, NOW).variant).toBe("on");
  });

  it("explain names the failed prerequisite and what it evaluated to", () => {
    const why = (findFlag(snapshot, "child", "all") as CompiledFlag).explain({ plan: "free" }, NOW);
    expect(why).toMatchObject({ decidedBy: "prerequisite", prerequisite: { index: 0, prerequisite: { flag: "parent", variants: ["on"] }, variant: "off" } });
    expect(why.evaluation).toEqual(evaluateChild({ plan: "free" }));
    expect(explain(child, {}, NOW).decidedBy).toBe("prerequisite");
  });

  it("a cyclic snapshot (which writes refuse) still terminates and fails closed", () => {
    const a = flag("a", { prerequisites: [{ flag: "b", variants: ["on"] }] });
    const b = flag("b", { prerequisites: [{ flag: "a", variants: ["on"] }] });
    expect(findFlag(snapshotOf([a, b]), "a", "all")?.evaluate({}, NOW)).toMatchObject({ variant: "off", reason: "DISABLED" });
  });

  it("a flag kept in a shard two versions share sees the newer version's prerequisite", async () => {
    // The dependent's shard keeps its hash (and its compiled flags) across versions; only the
    // prerequisite's shard changes, so what the gate found in version 1 must not answer for version 2.
    const keys = Array.from({ length: 64 }, (_, i) => `k${i}`);
    const gateKey = keys.find((k) => shardOf(k, 1) === 0) as string;
    const childKey = keys.find((k) => shardOf(k, 1) === 1) as string;
    const dependent = flag(childKey, { prerequisites: [{ flag: gateKey, variants: ["on"] }] });
    const shardTexts = (gateOn: boolean) => [encodeShard([flag(gateKey, { enabled: gateOn })]), encodeShard([dependent])];
    const held = new Map<string, CompiledShard>();
    const texts = new Map<string, string>();
    const load: ShardLoader = (_index, ref, compile) => {
      let shard = held.get(ref.hash);
      if (!shard) held.set(ref.hash, (shard = CompiledShard.fromText(texts.get(ref.hash) as string, compile)));
      return shard;
    };
    const manifest = (version: number, gateOn: boolean) => {
      const [gateText, childText] = shardTexts(gateOn) as [string, string];
      const gateHash = (gateOn ? "a" : "b").repeat(64);
      texts.set(gateHash, gateText).set("c".repeat(64), childText);
      return {
        env: "production", version, publishedAt: "2026-11-26T10:00:00Z", keys: {}, shardBits: 1, segments: [],
        shards: [{ hash: gateHash, client: "", flags: 1, bytes: gateText.length }, { hash: "c".repeat(64), client: "", flags: 1, bytes: childText.length }],
      };
    };
    const deps = new SnapshotDeps();
    const v1 = compileManifest(manifest(1, true), {}, load, deps);
    const first = await lookupFlag(v1, childKey, "all");
    expect(first?.evaluate({}, NOW).variant).toBe("on");
    const v2 = compileManifest(manifest(2, false), {}, load, deps);
    const again = await lookupFlag(v2, childKey, "all");
    expect(again).toBe(first);
    expect(again?.evaluate({}, NOW)).toMatchObject({ variant: "off", reason: "DISABLED", metadata: { prerequisite: gateKey } });
  });

  it("property: a chain serves on iff every flag down the chain is enabled", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: MAX_PREREQUISITE_DEPTH + 1 }), (enabled) => {
        const flags = enabled.map((on, i) => flag(`c${i}`, { enabled: on, ...(i === 0 ? {} : { prerequisites: [{ flag: `c${i - 1}`, variants: ["on"] }] }) }));
        const top = findFlag(snapshotOf(flags), `c${enabled.length - 1}`, "all") as CompiledFlag;
        expect(top.evaluate({}, NOW).variant).toBe(enabled.every(Boolean) ? "on" : "off");
      }),
    );
  });
});

describe("a flag's constant variant (what prerequisite gates read instead of evaluating)", () => {
  it("is set exactly for flags no context can change, and always equals what evaluate serves", () => {
    const serve = fc.oneof(fc.constant({ variant: "on" }), fc.constant({ variant: "off" }), fc.constant({ rollout: { variant: "on", baseline: "off", percentage: 50 } }));
    const rule = { id: "de", when: [{ attribute: "country", op: "eq" as const, values: ["DE"] }], serve: { variant: "on" } };
    const context = fc.record({ targetingKey: fc.string({ minLength: 1, maxLength: 8 }), country: fc.constantFrom("DE", "FR") }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), serve, fc.constantFrom(undefined, "on", "off"), fc.array(context, { minLength: 1, maxLength: 5 }), (enabled, withRule, gated, fallthrough, override, contexts) => {
        const gate = flag("gate");
        const subject = flag("subject", { enabled, fallthrough, rules: withRule ? [rule] : [], ...(gated ? { prerequisites: [{ flag: "gate", variants: ["on"] }] } : {}) });
        const snapshot = compileSnapshot({ env: "production", version: 1, publishedAt: "x", flags: [gate, subject], keys: {}, segments: [] }, override ? { subject: override } : {});
        const compiled = findFlag(snapshot, "subject", "all") as CompiledFlag;
        const constant = override !== undefined || !enabled || (!withRule && !gated && "variant" in fallthrough);
        expect(compiled.constantVariant !== undefined).toBe(constant);
        for (const ctx of contexts) if (compiled.constantVariant !== undefined) expect(compiled.evaluate(ctx, NOW).variant).toBe(compiled.constantVariant);
      }),
    );
  });
});

describe("prerequisite checks on write", () => {
  const base = flag("base");

  it("names a missing flag, an unknown variant, and a variant a dependent needs", () => {
    const g = graph([base, flag("x", { prerequisites: [{ flag: "gone", variants: ["on"] }, { flag: "base", variants: ["on", "maybe"] }] })]);
    expect(prerequisiteProblems("x", g, "flags.2.").map((p) => p.path)).toEqual(["flags.2.prerequisites.0.flag", "flags.2.prerequisites.1.variants.1"]);
    const narrowed = graph([flag("base", { variants: { yes: true, off: false }, fallthrough: { variant: "yes" } }), flag("user", { prerequisites: [{ flag: "base", variants: ["on"] }] })]);
    expect(prerequisiteProblems("base", narrowed).map((p) => p.path)).toEqual(["variants"]);
  });

  it("refuses an archived flag others still require", () => {
    const g = graph([flag("user", { prerequisites: [{ flag: "base", variants: ["on"] }] })]);
    expect(prerequisiteProblems("base", g)).toEqual([{ path: "", message: expect.stringContaining("user") }]);
    expect(prerequisiteProblems("base", graph([]))).toEqual([]);
  });

  it("property: a random graph is refused iff it has a cycle through the flag or a chain over the limit", () => {
    const n = 8;
    const edges = fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 14 });
    fc.assert(
      fc.property(edges, fc.integer({ min: 0, max: n - 1 }), (pairs, start) => {
        const req = new Map<number, Set<number>>();
        for (const [a, b] of pairs) if (a !== b) (req.get(a) ?? req.set(a, new Set()).get(a) as Set<number>).add(b);
        const flags = Array.from({ length: n }, (_, i) => flag(`n${i}`, { prerequisites: [...(req.get(i) ?? [])].map((j) => ({ flag: `n${j}`, variants: ["on"] })) }));
        // Reference: longest paths through `start`, by brute force over simple paths.
        let cycle = false;
        const longestFrom = (k: number, next: (k: number) => number[], seen: number[]): number => {
          let best = 0;
          for (const m of next(k)) {
            if (seen.includes(m)) {
              if (m === start) cycle = true;
              continue;
            }
            best = Math.max(best, 1 + longestFrom(m, next, [...seen, m]));
          }
          return best;
        };
        const down = longestFrom(start, (k) => [...(req.get(k) ?? [])], [start]);
        const up = longestFrom(start, (k) => [...req.entries()].filter(([, s]) => s.has(k)).map(([a]) => a), [start]);
        const problems = prerequisiteProblems(`n${start}`, graph(flags));
        const refused = problems.some((p) => p.path === "prerequisites");
        if (cycle) expect(refused).toBe(true);
        else if (down + up > MAX_PREREQUISITE_DEPTH) expect(refused).toBe(true);
        // Acyclic through start and short enough: only a cycle elsewhere (reachable from start) may refuse it.
        else if (refused) expect(problems.some((p) => /cycle/.test(p.message))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
