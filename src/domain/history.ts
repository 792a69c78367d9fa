/**
 * Rebuilding an environment's state from its audit log: pure, over audit entries in `seq` order.
 *
 * The log is the history. Each kind of entity (flags, segments, overrides; others plug in the same
 * way) is a small reducer: given the entity as it was (or undefined) and one audit entry, the
 * entity after it. `replay` folds the entries once and hands every entity's state to every kind,
 * so what one entity refers to (a flag's prerequisites, the segments its rules name) is resolvable
 * from the same reconstructed state. `stateAt(entries, at)` is the state at an instant;
 * `versionsOf(entries, kind, id)` lists each version an entity went through.
 *
 * How flags are recorded (src/environment/flag-commands.ts, rollouts.ts):
 * - target `flag`, any action with a whole flag in `after` (created, updated, enabled, disabled,
 *   imported, restored, seeded by `system:seed`): the flag becomes `after`;
 * - `flag.archived`: the flag is gone (until it is written again);
 * - target `rollout` (id = the flag key) with `after.fallthrough`: a rollout step changed the
 *   flag's fallthrough, and `after.flagVersion` is the version that step stored.
 * A gap in the log (an entity first seen in an event that is not its creation, e.g. a flag seeded
 * before seeds were audited flag by flag) is bridged by the event's `before`, which is the entity
 * as it was just before that event.
 */
import { z } from "zod";
import { Flag, Serve } from "./flag.js";
import { applyMembers, Segment, SegmentMembersChange } from "./segment.js";

/** One audit event, as far as history needs it (a D1 row or a row still in the outbox); `AuditEntry` (src/audit/entry.ts) extends it. */
export const HistoryEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** How one kind of entity changes with audit entries. */
export interface EntityKind<T> {
  /** The audit target types that can change this kind of entity. */
  readonly targets: readonly string[];
  /**
   * The entity (id = the entry's target id) after `entry`; return `current` itself for no change,
   * undefined when the entity no longer exists. `state` is everything reconstructed so far.
   */
  apply(current: T | undefined, entry: HistoryEntry, state: HistoryState): T | undefined;
  /** The version number an entity state carries. */
  version(entity: T): number;
}

/** Every kind's entities by id, as the log says they are at some point. */
export type HistoryState = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A whole flag as an audit value holds it, or undefined. */
function flagOf(value: unknown, key: string): Flag | undefined {
  if (!isObject(value) || value["key"] !== key) return undefined;
  const parsed = Flag.safeParse(value);
  // Stored as the rules of its day allowed (storage.ts serves such rows as stored, and so does this).
  return parsed.success ? parsed.data : (value as Flag);
}

/** Flags: whole bodies on flag events, fallthroughs on rollout steps (see the header). */
export const flagKind: EntityKind<Flag> = {
  targets: ["flag", "rollout"],
  apply(current, entry) {
    const key = entry.target.id;
    // Only a flag event's before is the flag (a rollout event's is the rollout).
    const base = current ?? (entry.target.type === "flag" ? flagOf(entry.before, key) : undefined);
    if (entry.target.type === "flag") {
      if (entry.action === "flag.archived") return undefined;
      return flagOf(entry.after, key) ?? base;
    }
    const after = isObject(entry.after) ? entry.after : {};
    const fallthrough = Serve.safeParse(after["fallthrough"]);
    if (!base || !fallthrough.success) return base;
    const version = typeof after["flagVersion"] === "number" ? after["flagVersion"] : base.version + 1;
    return { ...base, fallthrough: fallthrough.data, version, updatedAt: entry.at };
  },
  version: (flag) => flag.version,
};

/**
 * FLAG_OVERRIDES of the environment (id = its name) as last recorded (`overrides.changed`, whose
 * `after` is the whole map): what the edge served on top of the flags at the time.
 */
export const overridesKind: EntityKind<Readonly<Record<string, string>>> = {
  targets: ["environment"],
  apply(current, entry) {
    if (entry.action !== "overrides.changed" || !isObject(entry.after)) return current;
    return Object.fromEntries(Object.entries(entry.after).filter((e): e is [string, string] => typeof e[1] === "string"));
  },
  version: () => 0,
};

/**
 * Segments (id = key): `segment.created`/`segment.updated` carry the whole segment, `segment.deleted`
 * ends it, `segment.members_changed` carries only the id diff, applied to the include list as it
 * then was. A body the audit log kept as a size stand-in (over 512 KiB) cannot be replayed: the
 * segment keeps its last known state, and a later full write brings it back in step.
 */
export const segmentKind: EntityKind<Segment> = {
  targets: ["segment"],
  apply(current, entry) {
    if (entry.action === "segment.deleted") return undefined;
    if (entry.action === "segment.members_changed") {
      const diff = SegmentMembersChange.safeParse(entry.after);
      if (!current || !diff.success) return current;
      return { ...current, include: applyMembers(current.include, diff.data).include };
    }
    const parsed = Segment.safeParse(entry.after);
    return parsed.success ? parsed.data : current;
  },
  version: (segment) => segment.version,
};

/** The kinds history knows by name. Another kind is one more entry here. */
export const HISTORY_KINDS: Readonly<Record<string, EntityKind<never>>> = {
  flag: flagKind as EntityKind<never>,
  overrides: overridesKind as EntityKind<never>,
  segment: segmentKind as EntityKind<never>,
};

/** Every audit target type some kind reads: the only events a reconstruction needs. */
export function historyTargets(kinds: Readonly<Record<string, EntityKind<never>>> = HISTORY_KINDS): string[] {
  return [...new Set(Object.values(kinds).flatMap((k) => k.targets))].sort();
}

/** What one entry did to one entity: its state after (undefined = gone). */
export interface EntityChange<T> {
  readonly entry: HistoryEntry;
  readonly kind: string;
  readonly id: string;
  readonly after: T | undefined;
}

/**
 * Folds `entries` (any order; applied by `seq`, duplicates by seq ignored) into the state, calling
 * `onChange` for every entity an entry changed.
 */
export function replay(
  entries: readonly HistoryEntry[],
  kinds: Readonly<Record<string, EntityKind<never>>> = HISTORY_KINDS,
  onChange?: (change: EntityChange<unknown>) => void,
): HistoryState {
  const state = new Map<string, Map<string, unknown>>(Object.keys(kinds).map((k) => [k, new Map()]));
  const ordered = [...entries].sort((a, b) => a.seq - b.seq);
  let lastSeq = Number.NEGATIVE_INFINITY;
  for (const entry of ordered) {
    if (entry.seq === lastSeq) continue;
    lastSeq = entry.seq;
    for (const [name, kind] of Object.entries(kinds) as [string, EntityKind<unknown>][]) {
      if (!kind.targets.includes(entry.target.type)) continue;
      const entities = state.get(name) as Map<string, unknown>;
      const id = entry.target.id;
      const current = entities.get(id);
      const next = kind.apply(current, entry, state);
      if (next === current) continue;
      if (next === undefined) entities.delete(id);
      else entities.set(id, next);
      onChange?.({ entry, kind: name, id, after: next });
    }
  }
  return state;
}

/** The state as of `at` (epoch ms): every entry stamped at or before it. */
export function stateAt(entries: readonly HistoryEntry[], at: number, kinds: Readonly<Record<string, EntityKind<never>>> = HISTORY_KINDS): HistoryState {
  return replay(entries.filter((e) => Date.parse(e.at) <= at), kinds);
}

/** The flags of a reconstructed state, by key. */
export function flagsOf(state: HistoryState): ReadonlyMap<string, Flag> {
  return (state.get("flag") ?? new Map()) as ReadonlyMap<string, Flag>;
}

/** The segments of a reconstructed state, by key. */
export function segmentsOf(state: HistoryState): ReadonlyMap<string, Segment> {
  return (state.get("segment") ?? new Map()) as ReadonlyMap<string, Segment>;
}

/** The FLAG_OVERRIDES recorded for `environment` in a reconstructed state (flag key → variant). */
export function overridesOf(state: HistoryState, environment: string): Readonly<Record<string, string>> {
  return ((state.get("overrides") ?? new Map()).get(environment) ?? {}) as Readonly<Record<string, string>>;
}

/** One version an entity went through: the entry that made it, and the entity as it then was. */
export interface EntityVersion<T> {
  readonly version: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly reason: string | null;
  readonly entity: T;
}

/** Every version of one entity, oldest first (an entry that removed it makes no version). */
export function versionsOf<T>(entries: readonly HistoryEntry[], kindName: string, id: string, kinds: Readonly<Record<string, EntityKind<never>>> = HISTORY_KINDS): EntityVersion<T>[] {
  const kind = kinds[kindName] as EntityKind<T> | undefined;
  if (!kind) return [];
  const versions: EntityVersion<T>[] = [];
  replay(entries, kinds, (change) => {
    if (change.kind !== kindName || change.id !== id || change.after === undefined) return;
    const entity = change.after as T;
    const { at, actor, action, reason } = change.entry;
    versions.push({ version: kind.version(entity), at, actor, action, reason, entity });
  });
  return versions;
}
