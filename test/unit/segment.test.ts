import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFlag, type FlagDeps } from "../../src/domain/evaluate.js";
import { Condition, Flag } from "../../src/domain/flag.js";
import { applyMembers, idLookup, compileSegment, compileSegments, MAX_SEGMENT_IDS, Segment, SegmentMembersChange, segmentRefs, type SegmentInput } from "../../src/domain/segment.js";
import { compileManifest, compileSnapshot, findFlag, lookupFlag, Snapshot, SnapshotDeps, type ShardLoader } from "../../src/domain/snapshot.js";
import { CompiledShard, encodeShard } from "../../src/domain/snapshot-shard.js";
import { booleanFlag } from "../support/flags.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");
const segment = (over: Partial<SegmentInput> = {}) => Segment.parse({ key: "beta", ...over });

describe("Segment schema", () => {
  it("applies defaults and stores ids unique and sorted", () => {
    expect(segment({ include: ["b", "a", "b"], exclude: ["z", "z"] })).toEqual({ key: "beta", include: ["a", "b"], exclude: ["z"], rules: [], bucketBy: "targetingKey", version: 0 });
  });

  it("refuses unknown fields, over 10,000 ids, nested segment conditions and bad $now values", () => {
    expect(Segment.safeParse({ key: "beta", includes: ["a"] }).success).toBe(false);
    expect(Segment.safeParse({ key: "beta", include: Array.from({ length: MAX_SEGMENT_IDS + 1 }, (_, i) => `u${i}`) }).success).toBe(false);
    expect(Segment.safeParse({ key: "beta", include: Array.from({ length: MAX_SEGMENT_IDS }, (_, i) => `u${i}`) }).success).toBe(true);
    const nested = Segment.safeParse({ key: "beta", rules: [{ when: [{ op: "inSegment", values: ["other"] }] }] });
    expect(nested.success).toBe(false);
    expect(nested.error?.issues[0]?.path).toEqual(["rules", 0, "when", 0, "op"]);
    expect(Segment.safeParse({ key: "beta", rules: [{ when: [{ attribute: "$now", op: "after", values: ["soon"] }] }] }).success).toBe(false);
    expect(Segment.safeParse({ key: "bad key" }).success).toBe(false);
  });

  it("members changes need at least one id", () => {
    expect(SegmentMembersChange.safeParse({}).success).toBe(false);
    expect(SegmentMembersChange.parse({ add: ["a"] })).toEqual({ add: ["a"], remove: [] });
  });
});

describe("segment conditions in the flag schema", () => {
  it("segment ops need no attribute and take segment keys; other ops still need an attribute", () => {
    expect(Condition.parse({ op: "inSegment", values: ["beta"] })).toEqual({ op: "inSegment", values: ["beta"] });
    expect(Condition.safeParse({ op: "inSegment", values: [] }).success).toBe(false);
    expect(Condition.safeParse({ op: "notInSegment", values: ["not a key"] }).success).toBe(false);
    expect(Condition.safeParse({ op: "notInSegment", values: [3] }).success).toBe(false);
    expect(Condition.safeParse({ op: "eq", values: ["x"] }).success).toBe(false);
  });

  it("$now takes only before/after with one ISO 8601 date-time", () => {
    expect(Condition.safeParse({ attribute: "$now", op: "after", values: ["2026-12-01T09:00:00Z"] }).success).toBe(true);
    expect(Condition.safeParse({ attribute: "$now", op: "before", values: ["2026-12-01T09:00:00+01:00"] }).success).toBe(true);
    for (const values of [["2026-12-01"], ["tomorrow"], [1764579600000], ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"]]) {
      expect(Condition.safeParse({ attribute: "$now", op: "after", values }).success, JSON.stringify(values)).toBe(false);
    }
    expect(Condition.safeParse({ attribute: "$now", op: "eq", values: ["2026-12-01T09:00:00Z"] }).success).toBe(false);
  });

  it("segmentRefs lists the segments a flag's rules name, once each", () => {
    const flag = Flag.parse(booleanFlag("f", { rules: [
      { id: "a", when: [{ op: "inSegment", values: ["b", "a"] }, { attribute: "x", op: "in", values: ["a"] }], serve: { variant: "on" } },
      { id: "b", when: [{ op: "notInSegment", values: ["a"] }], serve: { variant: "on" } },
    ] }));
    expect(segmentRefs(flag.rules)).toEqual(["a", "b"]);
  });
});

describe("segment membership", () => {
  const s = compileSegment(segment({ include: ["in", "both"], exclude: ["out", "both"], rules: [{ when: [{ attribute: "plan", op: "eq", values: ["beta"] }] }] }));

  it("include beats exclude beats rules", () => {
    expect(s.contains({ targetingKey: "in" }, NOW)).toBe(true);
    expect(s.contains({ targetingKey: "both", plan: "beta" }, NOW)).toBe(true);
    expect(s.contains({ targetingKey: "out", plan: "beta" }, NOW)).toBe(false);
    expect(s.contains({ targetingKey: "x", plan: "beta" }, NOW)).toBe(true);
    expect(s.contains({ targetingKey: "x", plan: "free" }, NOW)).toBe(false);
    expect(s.contains({ plan: "beta" }, NOW)).toBe(true);
    expect(s.contains({}, NOW)).toBe(false);
  });

  it("looks ids up by bucketBy (numbers by their string form)", () => {
    const byAccount = compileSegment(segment({ include: ["42"], bucketBy: "accountId" }));
    expect(byAccount.contains({ targetingKey: "42" }, NOW)).toBe(false);
    expect(byAccount.contains({ accountId: 42 }, NOW)).toBe(true);
    expect(byAccount.contains({ accountId: "42" }, NOW)).toBe(true);
    expect(byAccount.contains({ accountId: ["42"] }, NOW)).toBe(false);
  });

  it("rules may use $now, on the evaluation's clock", () => {
    const timed = compileSegment(segment({ rules: [{ when: [{ attribute: "$now", op: "after", values: ["2026-11-26T09:00:00Z"] }] }] }));
    expect(timed.contains({}, NOW)).toBe(true);
    expect(timed.contains({}, Date.parse("2026-11-26T08:00:00Z"))).toBe(false);
  });

  it("property: membership is exactly include ∪ (rules ∖ exclude), for 10,000-id lists too", () => {
    const id = fc.integer({ min: 0, max: 30 }).map((n) => `u${n}`);
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 20 }), fc.uniqueArray(id, { maxLength: 20 }), fc.boolean(), id, fc.boolean(), (include, exclude, hasRule, who, isBeta) => {
        const compiled = compileSegment(segment({ include, exclude, rules: hasRule ? [{ when: [{ attribute: "plan", op: "eq", values: ["beta"] }] }] : [] }));
        const expected = include.includes(who) || (!exclude.includes(who) && hasRule && isBeta);
        expect(compiled.contains({ targetingKey: who, plan: isBeta ? "beta" : "free" }, NOW)).toBe(expected);
      }),
    );
    const big = compileSegment(segment({ include: Array.from({ length: MAX_SEGMENT_IDS }, (_, i) => `user-${i}`) }));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 * MAX_SEGMENT_IDS }), (n) => {
      expect(big.contains({ targetingKey: `user-${n}` }, NOW)).toBe(n < MAX_SEGMENT_IDS);
    }));
  });
});

describe("idLookup (the pre-filtered Set)", () => {
  it("property: answers exactly as a Set does, below and above the pre-filter's threshold", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 600 }), fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 50 }), (ids, probes) => {
        const has = idLookup(ids);
        const set = new Set(ids);
        for (const id of [...ids, ...probes]) expect(has(id)).toBe(set.has(id));
      }),
      { numRuns: 50 },
    );
    const big = Array.from({ length: MAX_SEGMENT_IDS }, (_, i) => `member-${i}`);
    const has = idLookup(big);
    for (let i = 0; i < 2 * MAX_SEGMENT_IDS; i += 7) expect(has(`member-${i}`)).toBe(i < MAX_SEGMENT_IDS);
    expect(has("")).toBe(false);
    expect(has("ключ-🚀")).toBe(false);
  });
});

describe("applyMembers", () => {
  it("returns the ids that really changed; an id both added and removed is removed", () => {
    expect(applyMembers(["a", "b"], { add: ["c", "a", "d"], remove: ["b", "x", "d"] })).toEqual({ include: ["a", "c"], added: ["c"], removed: ["b"] });
  });

  it("property: the result is (include ∪ add) ∖ remove, and added/removed are exactly the difference", () => {
    const ids = fc.uniqueArray(fc.integer({ min: 0, max: 15 }).map(String), { maxLength: 10 });
    fc.assert(
      fc.property(ids, ids, ids, (include, add, remove) => {
        const r = applyMembers(include, { add, remove });
        const want = [...new Set([...include, ...add])].filter((x) => !remove.includes(x)).sort();
        expect(r.include).toEqual(want);
        expect(r.added).toEqual(want.filter((x) => !include.includes(x)));
        expect(r.removed).toEqual(include.filter((x) => !want.includes(x)).sort());
      }),
    );
  });
});

describe("flags with segment conditions", () => {
  const flag = Flag.parse(booleanFlag("f", { fallthrough: { variant: "off" }, rules: [
    { id: "in", when: [{ op: "inSegment", values: ["missing", "beta"] }], serve: { variant: "on" } },
  ] }));
  const notFlag = Flag.parse(booleanFlag("g", { fallthrough: { variant: "off" }, rules: [{ id: "out", when: [{ op: "notInSegment", values: ["beta"] }], serve: { variant: "on" } }] }));
  const segments = compileSegments([segment({ include: ["vip"] })]);
  const deps: FlagDeps = { segment: (k) => segments.get(k), flag: () => undefined };

  it("inSegment matches any of the named segments; notInSegment none of them; unknown segments are empty", () => {
    expect(compileFlag(flag, deps).evaluate({ targetingKey: "vip" }, NOW).variant).toBe("on");
    expect(compileFlag(flag, deps).evaluate({ targetingKey: "joe" }, NOW).variant).toBe("off");
    expect(compileFlag(notFlag, deps).evaluate({ targetingKey: "vip" }, NOW).variant).toBe("off");
    expect(compileFlag(notFlag, deps).evaluate({ targetingKey: "joe" }, NOW).variant).toBe("on");
    // Compiled alone (no snapshot), every segment is unknown: empty.
    expect(compileFlag(flag).evaluate({ targetingKey: "vip" }, NOW).variant).toBe("off");
    expect(compileFlag(notFlag).evaluate({ targetingKey: "vip" }, NOW).variant).toBe("on");
  });

  it("a snapshot carries its segments and compiles them for its flags; older snapshots have none", () => {
    const raw = { env: "production", version: 3, publishedAt: "2026-11-26T10:00:00Z", flags: [flag], keys: {}, segments: [segment({ include: ["vip"] })] };
    const compiled = compileSnapshot(Snapshot.parse(raw));
    expect(findFlag(compiled, "f", "all")?.evaluate({ targetingKey: "vip" }, NOW).variant).toBe("on");
    const { segments: _s, ...older } = raw;
    expect(Snapshot.parse(older).segments ?? []).toEqual([]);
    expect(findFlag(compileSnapshot(Snapshot.parse(older)), "f", "all")?.evaluate({ targetingKey: "vip" }, NOW).variant).toBe("off");
  });

  it("a flag compiled in a shard that two versions share sees the newer version's segments", async () => {
    // The edge keeps a shard (and the flags compiled in it) while its hash stays the same; a
    // segment change alters only the manifest, so the kept flag must resolve segments anew.
    const text = encodeShard([flag]);
    let held: CompiledShard | undefined;
    const load: ShardLoader = (_index, _ref, compile) => (held ??= CompiledShard.fromText(text, compile));
    const manifest = (version: number, include: string[]) => ({
      env: "production", version, publishedAt: "2026-11-26T10:00:00Z", keys: {}, shardBits: 0,
      shards: [{ hash: "a".repeat(64), client: "", flags: 1, bytes: text.length }],
      segments: [Segment.parse({ key: "beta", include })],
    });
    const deps = new SnapshotDeps();
    const v1 = compileManifest(manifest(1, ["vip"]), {}, load, deps);
    expect((await lookupFlag(v1, "f", "all"))?.evaluate({ targetingKey: "vip" }, NOW).variant).toBe("on");
    const v2 = compileManifest(manifest(2, []), {}, load, deps);
    const again = await lookupFlag(v2, "f", "all");
    expect(again).toBe(await lookupFlag(v1, "f", "all"));
    expect(again?.evaluate({ targetingKey: "vip" }, NOW).variant).toBe("off");
  });
});
