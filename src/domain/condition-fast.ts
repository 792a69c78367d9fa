/**
 * Hot-path forms of the most common conditions (eq/neq, in/notIn, startsWith/endsWith/contains),
 * for a context attribute that is a scalar: one property read and one inline test, no call through
 * a shared predicate. Everything else (a missing attribute, an array, an inherited name) goes to
 * the general compiled condition, so the semantics are exactly those of conditions.ts.
 *
 * Why a closure per operator: V8 keeps type feedback per closure literal, and one literal shared by
 * every condition calls a different predicate per operator (a megamorphic call that is never
 * inlined). Here each operator has its own literal, so its property read and test stay monomorphic.
 */
import type { CompiledCondition } from "./conditions.js";
import type { Condition } from "./flag.js";

type Scalar = string | number | boolean;

/** Up to this many values, `in` compares one by one; beyond it, a Set. */
const LINEAR_IN = 8;

/**
 * The fast form of `condition`, or undefined when there is none. `general` is the condition's
 * general form; it answers whenever the attribute is not a string, number or boolean (an own
 * scalar of a parsed-JSON context: inherited names are functions or objects, never scalars).
 */
export function fastCondition(condition: Condition, general: CompiledCondition): CompiledCondition | undefined {
  const { op } = condition;
  const attribute = condition.attribute ?? "";
  const values: readonly Scalar[] = condition.values;
  if (values.some((v) => v !== v)) return undefined; // NaN: Set semantics differ from ===
  switch (op) {
    case "eq": {
      const v = values[0] as Scalar;
      return (ctx, now) => {
        const a = ctx[attribute];
        return a === v || (isComposite(a) && general(ctx, now));
      };
    }
    case "neq": {
      const v = values[0] as Scalar;
      return (ctx, now) => {
        const a = ctx[attribute];
        return isScalar(a) ? a !== v : general(ctx, now);
      };
    }
    case "in":
    case "notIn": {
      const negated = op === "notIn";
      if (values.length <= 2) {
        // The common short list, compared in place (no membership closure to reach).
        const v0 = values[0];
        const v1 = values.length === 2 ? values[1] : v0;
        return (ctx, now) => {
          const a = ctx[attribute];
          return isScalar(a) ? (a === v0 || a === v1) !== negated : general(ctx, now);
        };
      }
      const has = member(values);
      return (ctx, now) => {
        const a = ctx[attribute];
        return isScalar(a) ? has(a) !== negated : general(ctx, now);
      };
    }
    case "startsWith":
    case "endsWith":
    case "contains": {
      const needles = values.filter((v): v is string => typeof v === "string");
      if (needles.length !== 1) return undefined;
      const needle = needles[0] as string;
      if (op === "startsWith") {
        return (ctx, now) => {
          const a = ctx[attribute];
          return typeof a === "string" ? a.startsWith(needle) : isComposite(a) && general(ctx, now);
        };
      }
      if (op === "endsWith") {
        return (ctx, now) => {
          const a = ctx[attribute];
          return typeof a === "string" ? a.endsWith(needle) : isComposite(a) && general(ctx, now);
        };
      }
      return (ctx, now) => {
        const a = ctx[attribute];
        return typeof a === "string" ? a.includes(needle) : isComposite(a) && general(ctx, now);
      };
    }
    default:
      return undefined;
  }
}

const isScalar = (a: unknown): a is Scalar => typeof a === "string" || typeof a === "number" || typeof a === "boolean";
/** An array (or other object) attribute: only the general form knows own-ness and elements. */
const isComposite = (a: unknown): boolean => typeof a === "object" && a !== null;

/** Membership in `values` with the semantics of Set.has (SameValueZero; no NaN here, so ===). */
function member(values: readonly Scalar[]): (a: Scalar) => boolean {
  if (values.length <= LINEAR_IN) {
    return (a) => {
      for (let i = 0; i < values.length; i++) if (values[i] === a) return true;
      return false;
    };
  }
  const set = new Set<unknown>(values);
  return (a) => set.has(a);
}
