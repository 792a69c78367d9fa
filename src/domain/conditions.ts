/**
 * Targeting conditions compiled once per snapshot version into closures, so evaluation does no
 * parsing and no allocation. Semantics (documented in docs/flags.md):
 * - a condition reads one top-level context attribute (an own property: `constructor`,
 *   `toString` … are never "present" through the prototype chain);
 * - a missing (undefined/null) attribute matches nothing except never `exists` → false;
 * - an array attribute matches a positive operator when any element matches; `neq`/`notIn`
 *   match when no element matches their positive form;
 * - comparisons never coerce across types (a number never equals a string);
 * - `inSegment`/`notInSegment` ignore `attribute`: the context is in (or in none of) the named
 *   segments (src/domain/segment.ts); a segment the snapshot lacks counts as empty;
 * - the attribute `$now` with `before`/`after` reads the evaluating request's clock (`now`), never
 *   the context, so a time switch needs no write.
 */
import { fastCondition } from "./condition-fast.js";
import { NOW_ATTRIBUTE, type Condition } from "./flag.js";
import { compareSemver, parseSemver, type Semver } from "./semver.js";

export type EvaluationContext = Readonly<Record<string, unknown>>;
/** `now` is the evaluation's instant (epoch ms); only `$now` conditions and segments' rules read it. */
export type CompiledCondition = (context: EvaluationContext, now: number) => boolean;
type ScalarPredicate = (value: unknown) => boolean;

/** A compiled segment, as conditions see it. */
export interface SegmentMatcher {
  contains(context: EvaluationContext, now: number): boolean;
}

/** What a condition may look up in its snapshot: segments by key (resolved on first use). */
export interface ConditionDeps {
  segment(key: string): SegmentMatcher | undefined;
}

/** No snapshot around (a flag compiled alone): every segment is unknown, so empty. */
export const NO_SEGMENTS: ConditionDeps = { segment: () => undefined };

export function compileCondition(condition: Condition, deps: ConditionDeps = NO_SEGMENTS): CompiledCondition {
  const general = compileGeneral(condition, deps);
  return fastCondition(condition, general) ?? general;
}

/**
 * The general form of every operator (condition-fast.ts has hot-path forms of the common ones);
 * exported for the test that holds the two forms equal.
 */
export function compileGeneral(condition: Condition, deps: ConditionDeps = NO_SEGMENTS): CompiledCondition {
  const { op, values } = condition;
  if (op === "inSegment" || op === "notInSegment") return segmentCondition(op === "inSegment", strings(values), deps);
  const attribute = condition.attribute ?? "";
  if (attribute === NOW_ATTRIBUTE && (op === "before" || op === "after")) {
    const target = toEpochMs(values[0]);
    if (target === undefined) return () => false;
    return op === "before" ? (_ctx, now) => now < target : (_ctx, now) => now > target;
  }
  if (op === "exists") {
    return (ctx) => {
      const actual = attributeOf(ctx, attribute);
      return actual !== undefined && actual !== null;
    };
  }
  const negated = op === "neq" || op === "notIn";
  const positive = scalarPredicate(condition);
  return (ctx) => {
    const actual = attributeOf(ctx, attribute);
    if (actual === undefined || actual === null) return false;
    const hit = Array.isArray(actual) ? actual.some(positive) : positive(actual);
    return negated ? !hit : hit;
  };

  function scalarPredicate(c: Condition): ScalarPredicate {
    const first = values[0];
    switch (c.op) {
      case "eq":
      case "neq":
        return (v) => v === first;
      case "in":
      case "notIn": {
        const set = new Set<unknown>(values);
        return (v) => set.has(v);
      }
      case "contains": {
        const needles = strings(values);
        return (v) => typeof v === "string" && needles.some((n) => v.includes(n));
      }
      case "startsWith": {
        const needles = strings(values);
        return (v) => typeof v === "string" && needles.some((n) => v.startsWith(n));
      }
      case "endsWith": {
        const needles = strings(values);
        return (v) => typeof v === "string" && needles.some((n) => v.endsWith(n));
      }
      case "lt":
        return numeric(first, (a, b) => a < b);
      case "lte":
        return numeric(first, (a, b) => a <= b);
      case "gt":
        return numeric(first, (a, b) => a > b);
      case "gte":
        return numeric(first, (a, b) => a >= b);
      case "semverEq":
        return semver(first, (cmp) => cmp === 0);
      case "semverLt":
        return semver(first, (cmp) => cmp < 0);
      case "semverGt":
        return semver(first, (cmp) => cmp > 0);
      case "before":
        return date(first, (a, b) => a < b);
      case "after":
        return date(first, (a, b) => a > b);
      case "exists":
      case "inSegment":
      case "notInSegment":
        return () => true;
    }
  }
}

/**
 * In any of `keys` (or, negated, in none). Segments are looked up on first use, not at compile
 * time, so a snapshot can compile its flags before (or lazily after) its segment index exists.
 */
function segmentCondition(positive: boolean, keys: readonly string[], deps: ConditionDeps): CompiledCondition {
  // Looked up at every evaluation, not once: a compiled flag outlives the snapshot version it was
  // compiled in (its shard is shared by later versions), and a segment may change in between.
  if (keys.length === 1) {
    const key = keys[0] as string;
    return (ctx, now) => {
      const hit = deps.segment(key)?.contains(ctx, now) === true;
      return positive ? hit : !hit;
    };
  }
  return (ctx, now) => {
    let hit = false;
    for (let i = 0; i < keys.length; i++) {
      if (deps.segment(keys[i] as string)?.contains(ctx, now)) {
        hit = true;
        break;
      }
    }
    return positive ? hit : !hit;
  };
}

/**
 * A context's own attribute; inherited names (`constructor`, `toString`, `__proto__` …) are absent.
 * Contexts are parsed JSON, so an inherited value is a function or an object; only those need the
 * (slower) own-property check, which keeps the common string/number path to one lookup.
 */
export function attributeOf(ctx: EvaluationContext, name: string): unknown {
  const value = ctx[name];
  if (typeof value === "function") return undefined;
  if (typeof value === "object" && value !== null && !Object.hasOwn(ctx, name)) return undefined;
  return value;
}

function strings(values: readonly unknown[]): string[] {
  return values.filter((v): v is string => typeof v === "string");
}

function numeric(expected: unknown, cmp: (a: number, b: number) => boolean): ScalarPredicate {
  if (typeof expected !== "number") return () => false;
  return (v) => typeof v === "number" && cmp(v, expected);
}

function semver(expected: unknown, test: (cmp: number) => boolean): ScalarPredicate {
  const target = typeof expected === "string" ? parseSemver(expected) : undefined;
  if (!target) return () => false;
  return (v) => {
    if (typeof v !== "string") return false;
    const actual: Semver | undefined = parseSemver(v);
    return actual !== undefined && test(compareSemver(actual, target));
  };
}

/** ISO-8601 dates and date-times (V8's Date.parse alone would also take "1" or "foo 2020"). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Dates are ISO-8601 strings or epoch milliseconds; anything else is not a date. */
export function toEpochMs(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && ISO_8601.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function date(expected: unknown, cmp: (a: number, b: number) => boolean): ScalarPredicate {
  const target = toEpochMs(expected);
  if (target === undefined) return () => false;
  return (v) => {
    const actual = toEpochMs(v);
    return actual !== undefined && cmp(actual, target);
  };
}
