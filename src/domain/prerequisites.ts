/**
 * Prerequisites: a flag is served only when each flag it requires evaluates (same context, same
 * snapshot, same `now`) to one of the listed variants; otherwise it serves its `offVariant` with
 * reason DISABLED and `metadata.prerequisite` naming the first that failed (docs/flags.md,
 * "Prerequisites"). On write the graph is kept acyclic, every required flag and variant exists, and
 * no chain is longer than MAX_PREREQUISITE_DEPTH, so evaluating one flag costs a bounded number of
 * others (no memo needed). Pure: no I/O.
 */
import type { EvaluationContext } from "./conditions.js";
import type { Flag, Prerequisite } from "./flag.js";

/** The longest chain of prerequisites through any flag (a → b → … counts its arrows). */
export const MAX_PREREQUISITE_DEPTH = 5;

/** What a prerequisite gate needs of another flag: its evaluated variant. */
export interface EvaluatesVariant {
  evaluate(context: EvaluationContext, now: number): { readonly variant?: string | undefined };
  /** The variant every context gets, when that is known without a context (a kill switch). */
  readonly constantVariant?: string | undefined;
}

/** Flags of the same snapshot, by key (resolved at evaluation time). */
export interface FlagResolver {
  flag(key: string): EvaluatesVariant | undefined;
}

/** What a failed prerequisite evaluated to (no variant: missing flag or an error). */
export interface PrerequisiteFailure {
  readonly index: number;
  readonly prerequisite: Prerequisite;
  readonly variant: string | undefined;
}

/**
 * Nesting guard for evaluation: the write path refuses chains deeper than the limit, so this only
 * trips on a snapshot that bypassed it (and then fails closed, instead of recursing forever).
 * Evaluation is synchronous, so one counter per isolate is exact.
 */
let nesting = 0;

/**
 * The gate of a flag's prerequisites: `failed` gives the first prerequisite that does not hold,
 * or undefined when all hold (or there are none).
 */
export function compilePrerequisites(prerequisites: readonly Prerequisite[] | undefined, flags: FlagResolver): (context: EvaluationContext, now: number) => PrerequisiteFailure | undefined {
  const list = prerequisites ?? [];
  if (list.length === 0) return () => undefined;
  const wanted = list.map((p) => new Set(p.variants));
  return (context, now) => {
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as Prerequisite;
      const flag = flags.flag(p.flag);
      // A prerequisite is usually a kill switch: its variant is known without evaluating it.
      const variant = flag === undefined ? undefined : (flag.constantVariant ?? nestedVariant(flag, context, now));
      if (variant === undefined || !(wanted[i] as Set<string>).has(variant)) return { index: i, prerequisite: p, variant };
    }
    return undefined;
  };
}

/** `flag`'s variant for the context, or undefined (fail closed) past the nesting guard. */
function nestedVariant(flag: EvaluatesVariant, context: EvaluationContext, now: number): string | undefined {
  if (nesting > MAX_PREREQUISITE_DEPTH) return undefined;
  nesting++;
  try {
    return flag.evaluate(context, now).variant;
  } finally {
    nesting--;
  }
}

/** One problem: a dotted path into the flag and what is wrong (the shape of command error details). */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** A flag as the write-time checks see it. */
export type GraphFlag = Pick<Flag, "key" | "variants" | "prerequisites">;

/** The environment's live flags as a prerequisite graph (after the change being checked). */
export interface PrerequisiteGraph {
  /** A live flag, or undefined (never written, or archived). */
  flag(key: string): GraphFlag | undefined;
  /** Keys of the live flags that list `key` as a prerequisite. */
  requiredBy(key: string): readonly string[];
}

/** No parameter properties: flagctl runs the domain under Node's type stripping. */
class Cycle extends Error {
  readonly path: readonly string[];
  constructor(path: readonly string[]) {
    super(path.join(" → "));
    this.path = path;
  }
}

/** The longest walk from `start` along `next` (0 = no edges); throws Cycle on a cycle. */
function longest(start: string, next: (key: string) => readonly string[]): number {
  const memo = new Map<string, number>();
  const path: string[] = [];
  const visit = (key: string): number => {
    const at = path.indexOf(key);
    if (at >= 0) throw new Cycle([...path.slice(at), key]);
    const known = memo.get(key);
    if (known !== undefined) return known;
    path.push(key);
    let best = 0;
    for (const n of next(key)) best = Math.max(best, 1 + visit(n));
    path.pop();
    memo.set(key, best);
    return best;
  };
  return visit(start);
}

const requires = (graph: PrerequisiteGraph) => (key: string): string[] => (graph.flag(key)?.prerequisites ?? []).map((p) => p.flag);

/**
 * What is wrong with the prerequisites around `key` after a change, as error details (paths are
 * relative to the flag, `prefix` is prepended): a required flag or variant that does not exist, a
 * cycle, a chain over the depth limit, a flag that others require archived, or a variant others
 * require removed.
 */
export function prerequisiteProblems(key: string, graph: PrerequisiteGraph, prefix = ""): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const at = (path: string, message: string) => problems.push({ path: prefix + path, message });
  const flag = graph.flag(key);
  const dependents = graph.requiredBy(key);
  if (!flag) {
    if (dependents.length > 0) at("", `flag "${key}" is a prerequisite of ${dependents.join(", ")}; remove it from those first`);
    return problems;
  }
  (flag.prerequisites ?? []).forEach((p, i) => {
    const target = graph.flag(p.flag);
    if (!target) return at(`prerequisites.${i}.flag`, `flag "${p.flag}" does not exist (or is archived)`);
    p.variants.forEach((v, j) => {
      if (!Object.hasOwn(target.variants, v)) at(`prerequisites.${i}.variants.${j}`, `flag "${p.flag}" has no variant "${v}"`);
    });
  });
  for (const d of dependents) {
    const need = graph.flag(d)?.prerequisites?.find((p) => p.flag === key);
    for (const v of need?.variants ?? []) if (!Object.hasOwn(flag.variants, v)) at("variants", `flag "${d}" requires variant "${v}" of this flag`);
  }
  try {
    const down = longest(key, requires(graph));
    const up = longest(key, (k) => graph.requiredBy(k));
    if (down + up > MAX_PREREQUISITE_DEPTH) {
      at("prerequisites", `the prerequisite chain through "${key}" would be ${down + up} deep; at most ${MAX_PREREQUISITE_DEPTH} is allowed`);
    }
  } catch (error) {
    if (!(error instanceof Cycle)) throw error;
    at("prerequisites", `prerequisites form a cycle: ${error.message}`);
  }
  return problems;
}
