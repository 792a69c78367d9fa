import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Flag } from "../../src/domain/flag.js";
import { flagKind, flagsOf, historyTargets, overridesOf, replay, segmentsOf, stateAt, versionsOf, type HistoryEntry } from "../../src/domain/history.js";

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
const iso = (i: number) => new Date(T0 + i * 1000).toISOString();

const flagBody = (key: string, over: Partial<Flag> = {}): Flag =>
  Flag.parse({ key, type: "boolean", variants: { on: true, off: false }, offVariant: "off", enabled: true, fallthrough: { variant: "off" }, ...over });

type Op =
  | { type: "put"; key: string; enabled: boolean; serve: "on" | "off" }
  | { type: "archive"; key: string }
  | { type: "rollout"; key: string; percentage: number }
  | { type: "noise" };

/**
 * A model of the Environment Durable Object's flag table that writes the audit log the way
 * flag-commands.ts and rollouts.ts do; returns the log and the flags after each step.
 */
function simulate(ops: readonly Op[]): { entries: HistoryEntry[]; states: Map<string, Flag>[] } {
  const live = new Map<string, Flag>();
  const stored = new Map<string, number>();
  const entries: HistoryEntry[] = [];
  const states: Map<string, Flag>[] = [];
  const put = (flag: Flag, i: number): Flag => {
    const next = { ...flag, salt: flag.key, version: (stored.get(flag.key) ?? 0) + 1, updatedAt: iso(i) };
    stored.set(flag.key, next.version);
    live.set(flag.key, next);
    return next;
  };
  ops.forEach((op, i) => {
    const seq = i + 1;
    const base = { seq, at: iso(i), actor: "test", reason: null };
    if (op.type === "put") {
      const before = live.get(op.key);
      const after = put(flagBody(op.key, { enabled: op.enabled, fallthrough: { variant: op.serve } }), i);
      entries.push({ ...base, action: before ? "flag.updated" : "flag.created", target: { type: "flag", id: op.key }, before: before ?? null, after });
    } else if (op.type === "archive") {
      const before = live.get(op.key);
      if (before) {
        live.delete(op.key);
        stored.set(op.key, (stored.get(op.key) ?? 0) + 1);
        entries.push({ ...base, action: "flag.archived", target: { type: "flag", id: op.key }, before, after: null });
      }
    } else if (op.type === "rollout") {
      const flag = live.get(op.key);
      if (flag) {
        const after = put({ ...flag, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: op.percentage } } }, i);
        entries.push({ ...base, action: "stage.advanced", target: { type: "rollout", id: op.key }, before: { rolloutId: "ro_1" }, after: { rolloutId: "ro_1", percentage: op.percentage, fallthrough: after.fallthrough, flagVersion: after.version } });
      }
    } else {
      entries.push({ ...base, action: "sdk_key.created", target: { type: "sdk_key", id: "sdk_x" }, before: null, after: { name: "k" } });
    }
    states.push(new Map(live));
  });
  return { entries, states };
}

const keys = fc.constantFrom("a", "b", "c");
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ type: fc.constant("put" as const), key: keys, enabled: fc.boolean(), serve: fc.constantFrom("on" as const, "off" as const) }),
  fc.record({ type: fc.constant("archive" as const), key: keys }),
  fc.record({ type: fc.constant("rollout" as const), key: keys, percentage: fc.integer({ min: 0, max: 100 }) }),
  fc.constant({ type: "noise" as const }),
);

describe("history: stateAt", () => {
  it("property: the state at each entry's instant is the store's state after it", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        const { entries, states } = simulate(ops);
        ops.forEach((_, i) => {
          const flags = flagsOf(stateAt(entries, T0 + i * 1000));
          expect(Object.fromEntries(flags)).toEqual(Object.fromEntries(states[i] as Map<string, Flag>));
        });
        // Before the first entry there is nothing.
        expect(flagsOf(stateAt(entries, T0 - 1)).size).toBe(0);
      }),
    );
  });

  it("property: order and duplicates of the input do not matter (seq decides)", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 20 }), fc.infiniteStream(fc.nat()), (ops, rand) => {
        const { entries } = simulate(ops);
        const shuffled = [...entries, ...entries.slice(0, 3)].map((e) => ({ e, r: rand.next().value as number })).sort((a, b) => a.r - b.r).map((x) => x.e);
        expect(Object.fromEntries(flagsOf(replay(shuffled)))).toEqual(Object.fromEntries(flagsOf(replay(entries))));
      }),
    );
  });
});

describe("history: versionsOf", () => {
  it("property: one version per change of the flag, numbered as stored, the last one the live flag", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), keys, (ops, key) => {
        const { entries, states } = simulate(ops);
        const versions = versionsOf<Flag>(entries, "flag", key);
        const expected = states.map((s) => s.get(key)).filter((f, i, all): f is Flag => f !== undefined && f !== all[i - 1]);
        expect(versions.map((v) => v.entity)).toEqual(expected);
        expect(versions.map((v) => v.version)).toEqual(expected.map((f) => f.version));
        for (let i = 1; i < versions.length; i++) expect((versions[i] as { version: number }).version).toBeGreaterThan((versions[i - 1] as { version: number }).version);
      }),
    );
  });

  it("names the entry that made each version", () => {
    const { entries } = simulate([{ type: "put", key: "a", enabled: true, serve: "off" }, { type: "rollout", key: "a", percentage: 10 }, { type: "archive", key: "a" }, { type: "put", key: "a", enabled: false, serve: "on" }]);
    expect(versionsOf<Flag>(entries, "flag", "a").map((v) => [v.version, v.action, v.at])).toEqual([[1, "flag.created", iso(0)], [2, "stage.advanced", iso(1)], [4, "flag.created", iso(3)]]);
    expect(versionsOf(entries, "nothing", "a")).toEqual([]);
  });
});

describe("history: the flag reducer", () => {
  const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({ seq: 1, at: iso(0), actor: "t", action: "flag.updated", target: { type: "flag", id: "a" }, before: null, after: null, reason: null, ...over });

  it("bridges a gap with the event's before (a flag seeded before seeds were audited flag by flag)", () => {
    const seeded = { ...flagBody("a"), version: 1 };
    const after = flagKind.apply(undefined, entry({ action: "flag.disabled", before: seeded, after: { ...seeded, enabled: false, version: 2 } }), new Map());
    expect(after).toMatchObject({ enabled: false, version: 2 });
    const stepped = flagKind.apply(undefined, entry({ target: { type: "rollout", id: "a" }, before: seeded, after: { fallthrough: { variant: "on" }, flagVersion: 2 } }), new Map());
    // A rollout event's before is the rollout, never the flag: nothing to rebuild from.
    expect(stepped).toBeUndefined();
  });

  it("ignores what is not a flag of that key, and rollout events without a fallthrough", () => {
    const current = { ...flagBody("a"), version: 3 };
    expect(flagKind.apply(current, entry({ after: { key: "b" } }), new Map())).toBe(current);
    expect(flagKind.apply(current, entry({ after: "garbage" }), new Map())).toBe(current);
    expect(flagKind.apply(current, entry({ target: { type: "rollout", id: "a" }, action: "rollout.created", after: { rolloutId: "ro" } }), new Map())).toBe(current);
    expect(flagKind.apply(current, entry({ target: { type: "rollout", id: "a" }, after: { fallthrough: { variant: "on" } } }), new Map())).toMatchObject({ version: 4, fallthrough: { variant: "on" }, updatedAt: iso(0) });
  });

  it("reads only the target types its kinds name", () => {
    expect(historyTargets()).toEqual(["environment", "flag", "rollout", "segment"]);
  });

  it("overrides as last recorded for the environment", () => {
    const entries: HistoryEntry[] = [
      entry({ seq: 1, action: "overrides.changed", target: { type: "environment", id: "staging" }, after: { maintenance_mode: "on" } }),
      entry({ seq: 2, at: iso(5), action: "overrides.changed", target: { type: "environment", id: "staging" }, after: {} }),
    ];
    expect(overridesOf(stateAt(entries, T0 + 1000), "staging")).toEqual({ maintenance_mode: "on" });
    expect(overridesOf(stateAt(entries, T0 + 5000), "staging")).toEqual({});
    expect(overridesOf(stateAt(entries, T0), "production")).toEqual({});
  });

  it("segments: whole on created/updated, the id diff on members_changed, gone on deleted", () => {
    const seg = (include: string[], version: number) => ({ key: "beta", include, exclude: [], rules: [], bucketBy: "targetingKey", version });
    const target = { type: "segment", id: "beta" };
    const entries: HistoryEntry[] = [
      entry({ seq: 1, action: "segment.created", target, after: seg(["a", "b"], 1) }),
      entry({ seq: 2, at: iso(2), action: "segment.members_changed", target, after: { add: ["c"], remove: ["a"] } }),
      entry({ seq: 3, at: iso(4), action: "segment.deleted", target, before: seg(["b", "c"], 2) }),
    ];
    expect(segmentsOf(stateAt(entries, T0 + 1000)).get("beta")?.include).toEqual(["a", "b"]);
    expect(segmentsOf(stateAt(entries, T0 + 3000)).get("beta")?.include).toEqual(["b", "c"]);
    expect(segmentsOf(stateAt(entries, T0 + 4000)).has("beta")).toBe(false);
  });
});
