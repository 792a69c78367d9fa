/**
 * Pure flag evaluation: `(flag, context, now) → Evaluation` with OpenFeature reasons.
 *
 * A flag is compiled once per snapshot version (conditions into closures, split bounds, and one
 * frozen result object per (variant, reason)), so evaluating allocates nothing in the common case.
 * Results are shared and frozen: callers must not mutate them.
 */
import { bucketerFor, BUCKETS, percentageBound } from "./bucket.js";
import { attributeOf, compileCondition, NO_SEGMENTS, toEpochMs, type CompiledCondition, type ConditionDeps, type EvaluationContext } from "./conditions.js";
import { saltOf, type Flag, type Rule, type Serve } from "./flag.js";
import { compilePrerequisites, type FlagResolver, type PrerequisiteFailure } from "./prerequisites.js";

export type { EvaluationContext } from "./conditions.js";

/**
 * Reasons within OFREP 0.3.0's closed enum (STATIC, TARGETING_MATCH, SPLIT, DISABLED, UNKNOWN), plus
 * `ERROR` on failures (which the spec's failure shape carries no reason constraint for). A fixed
 * fallthrough is `STATIC` whether or not the flag has rules; when rules exist and none matched, or
 * a rollout serves its baseline to a context without the bucketing attribute, the finer OpenFeature
 * reason travels as `metadata.reason: "DEFAULT"` (OFREP metadata allows string values).
 */
export type Reason = "STATIC" | "TARGETING_MATCH" | "SPLIT" | "DISABLED" | "ERROR";
/** The finer reason carried in `metadata.reason` of a fallthrough that OFREP calls `STATIC`. */
export const DEFAULT_REASON_METADATA = "DEFAULT";
export type EvaluationErrorCode = "TARGETING_KEY_MISSING" | "INVALID_CONTEXT" | "GENERAL";
export type MetadataValue = string | number | boolean;

export interface Evaluation {
  readonly key: string;
  readonly value?: unknown;
  readonly variant?: string;
  readonly reason: Reason;
  readonly errorCode?: EvaluationErrorCode;
  readonly errorDetails?: string;
  readonly metadata?: Readonly<Record<string, MetadataValue>>;
}

/** How a serve was reached: a rule matched, the flag has no rules, or rules exist and none matched. */
type Reached = "TARGETING_MATCH" | "STATIC" | "NO_RULE_MATCHED";
type CompiledServe = (context: EvaluationContext, now: number, reached: Reached) => Evaluation;

/** What a serve decided and on which numbers: the context's bucket and the bound it was compared with. */
interface ServeExplanation {
  readonly evaluation: Evaluation;
  readonly bucket?: number;
  readonly bound?: number;
}
type ExplainedServe = (context: EvaluationContext, now: number, reached: Reached) => ServeExplanation;

/**
 * Why a flag evaluated as it did: the very evaluation `evaluate` returns, what decided it, the
 * rule that matched and, for splits and rollouts, the context's bucket (0 … BUCKETS - 1) and the
 * exclusive upper bound it fell under (a rollout serves its variant iff bucket < bound).
 */
export interface Explanation {
  readonly evaluation: Evaluation;
  readonly decidedBy: "override" | "disabled" | "prerequisite" | "rule" | "fallthrough" | "error";
  /** decidedBy "prerequisite": the first prerequisite that failed, and the variant it evaluated to. */
  readonly prerequisite?: PrerequisiteFailure;
  readonly ruleId?: string;
  readonly ruleIndex?: number;
  readonly bucket?: number;
  readonly bound?: number;
}

export interface CompiledFlag {
  readonly flag: Flag;
  evaluate(context: EvaluationContext, now: number): Evaluation;
  /** The slow, allocating twin of `evaluate` for operators; its evaluation always equals evaluate's. */
  explain(context: EvaluationContext, now: number): Explanation;
  /**
   * The variant `evaluate` gives every context, when no context can change it (switched off, an
   * override, or no prerequisites, no rules and a fixed fallthrough); else undefined. Flags that
   * require this one read it instead of evaluating it.
   */
  readonly constantVariant?: string | undefined;
}

const REASONS: readonly Reason[] = ["STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED"];

/** What a flag may look up in its snapshot: segments (for conditions) and other flags (prerequisites). */
export interface FlagDeps extends ConditionDeps, FlagResolver {}

/** A flag compiled alone: no segments (so empty), no other flags (so every prerequisite fails). */
export const NO_DEPS: FlagDeps = { ...NO_SEGMENTS, flag: () => undefined };

export function compileFlag(flag: Flag, deps: FlagDeps = NO_DEPS): CompiledFlag {
  const bucketOf = bucketerFor(saltOf(flag));
  const bucketBy = flag.bucketBy;
  const variantNames = Object.keys(flag.variants);

  // One frozen result per (variant, reason): evaluation hands these out without allocating.
  const results = new Map<string, Evaluation[]>();
  for (const name of variantNames) {
    results.set(
      name,
      REASONS.map((reason) => Object.freeze({ key: flag.key, value: flag.variants[name], variant: name, reason })),
    );
  }
  const result = (variant: string, reason: Reason): Evaluation =>
    (results.get(variant) as Evaluation[])[REASONS.indexOf(reason)] as Evaluation;
  /** STATIC within OFREP's reasons, with OpenFeature's finer DEFAULT (and why) in the metadata. */
  const staticDefault = (variant: string, why: Readonly<Record<string, string>> = {}): Evaluation =>
    Object.freeze({
      key: flag.key,
      value: flag.variants[variant],
      variant,
      reason: "STATIC" as const,
      metadata: Object.freeze({ reason: DEFAULT_REASON_METADATA, ...why }),
    });
  const noRuleMatched = (variant: string): Evaluation => staticDefault(variant);
  const bucketMissing = (variant: string): Evaluation => staticDefault(variant, { bucketAttributeMissing: bucketBy });
  const bucketError: Evaluation = Object.freeze({
    key: flag.key,
    reason: "ERROR" as const,
    errorCode: bucketBy === "targetingKey" ? ("TARGETING_KEY_MISSING" as const) : ("INVALID_CONTEXT" as const),
    errorDetails: `flag "${flag.key}" splits traffic by "${bucketBy}", which the context does not carry`,
  });

  /** The bucket of this context, or -1 when the bucketing attribute is missing. */
  const bucketFor = (context: EvaluationContext): number => {
    const raw = attributeOf(context, bucketBy);
    if (typeof raw === "string") return raw.length > 0 ? bucketOf(raw) : -1;
    if (typeof raw === "number" && Number.isFinite(raw)) return bucketOf(String(raw));
    return -1;
  };

  /** Each serve compiles to the hot evaluator and its explaining twin, built from the same pieces. */
  const compileServe = (serve: Serve): { run: CompiledServe; explain: ExplainedServe } => {
    if ("variant" in serve) {
      // A fixed serve is reached as a rule match, or as the fallthrough (STATIC, with
      // metadata.reason DEFAULT when rules exist and none matched).
      const match = result(serve.variant, "TARGETING_MATCH");
      const fallthroughDefault = noRuleMatched(serve.variant);
      const fallthroughStatic = result(serve.variant, "STATIC");
      const run: CompiledServe = (_ctx, _now, reached) =>
        reached === "TARGETING_MATCH" ? match : reached === "NO_RULE_MATCHED" ? fallthroughDefault : fallthroughStatic;
      return { run, explain: (ctx, now, reached) => ({ evaluation: run(ctx, now, reached) }) };
    }
    if ("split" in serve) {
      // Cumulative ranges in a fixed (sorted) variant order, so the JSON key order never matters.
      const names = Object.keys(serve.split).sort();
      const bounds: number[] = [];
      let cumulative = 0;
      for (const name of names) {
        cumulative += serve.split[name] as number;
        bounds.push(Math.min(BUCKETS, percentageBound(cumulative)));
      }
      bounds[bounds.length - 1] = BUCKETS;
      const picks = names.map((n) => result(n, "SPLIT"));
      const pickIndex = (bucket: number): number => {
        for (let i = 0; i < bounds.length; i++) if (bucket < (bounds[i] as number)) return i;
        return picks.length - 1;
      };
      return {
        run: (ctx) => {
          const bucket = bucketFor(ctx);
          if (bucket < 0) return bucketError;
          return picks[pickIndex(bucket)] as Evaluation;
        },
        explain: (ctx) => {
          const bucket = bucketFor(ctx);
          if (bucket < 0) return { evaluation: bucketError };
          const i = pickIndex(bucket);
          return { evaluation: picks[i] as Evaluation, bucket, bound: bounds[i] as number };
        },
      };
    }
    const { variant, baseline, percentage, startAt, endAt } = serve.rollout;
    const onNew = result(variant, "SPLIT");
    const onBaseline = result(baseline, "SPLIT");
    const missing = bucketMissing(baseline);
    const start = startAt === undefined ? undefined : toEpochMs(startAt);
    const end = endAt === undefined ? undefined : toEpochMs(endAt);
    const fixedBound = percentageBound(percentage);
    const boundAt = (now: number): number => effectiveBound(fixedBound, percentage, start, end, now);
    const scheduled = start !== undefined && end !== undefined;
    return {
      run: (ctx, now) => {
        const bucket = bucketFor(ctx);
        if (bucket < 0) return missing;
        return bucket < (scheduled ? boundAt(now) : fixedBound) ? onNew : onBaseline;
      },
      explain: (ctx, now) => {
        const bucket = bucketFor(ctx);
        const bound = boundAt(now);
        if (bucket < 0) return { evaluation: missing, bound };
        return { evaluation: bucket < bound ? onNew : onBaseline, bucket, bound };
      },
    };
  };

  const rules: { matches: CompiledCondition[]; serve: CompiledServe; explain: ExplainedServe }[] = flag.rules.map((rule) => {
    const serve = compileServe(rule.serve);
    return { matches: rule.when.map((c) => compileCondition(c, deps)), serve: serve.run, explain: serve.explain };
  });
  const compiledFallthrough = compileServe(flag.fallthrough);
  const fallthrough = compiledFallthrough.run;
  /** The index of the first rule whose conditions all hold, or -1. */
  const matchingRule = (context: EvaluationContext, now: number): number => rules.findIndex((rule) => rule.matches.every((m) => m(context, now)));
  const fallthroughReached: Reached = flag.rules.length === 0 ? "STATIC" : "NO_RULE_MATCHED";
  const disabled = result(flag.offVariant, "DISABLED");
  const failedPrerequisite = compilePrerequisites(flag.prerequisites, deps);
  /** One frozen answer per prerequisite: the off variant, DISABLED, naming the one that failed. */
  const prerequisiteFailed: readonly Evaluation[] = (flag.prerequisites ?? []).map((p) =>
    Object.freeze({ ...disabled, metadata: Object.freeze({ prerequisite: p.flag }) }),
  );
  // The hot loop's view of the rules: one test per rule (its only condition, or all of them) and
  // its serve, in two flat arrays, so an evaluation touches few objects (it matters in bulk).
  const tests: CompiledCondition[] = rules.map(({ matches }) => (matches.length === 1 ? (matches[0] as CompiledCondition) : allOf(matches)));
  const serves: CompiledServe[] = rules.map((rule) => rule.serve);
  const enabled = flag.enabled;

  const fixedFallthrough = "variant" in flag.fallthrough ? flag.fallthrough.variant : undefined;
  const constantVariant = !enabled ? flag.offVariant : (flag.prerequisites ?? []).length === 0 && flag.rules.length === 0 ? fixedFallthrough : undefined;

  return {
    flag,
    constantVariant,
    evaluate(context, now) {
      if (!enabled) return disabled;
      if (prerequisiteFailed.length > 0) {
        const failed = failedPrerequisite(context, now);
        if (failed) return prerequisiteFailed[failed.index] as Evaluation;
      }
      for (let r = 0; r < tests.length; r++) {
        if ((tests[r] as CompiledCondition)(context, now)) return (serves[r] as CompiledServe)(context, now, "TARGETING_MATCH");
      }
      return fallthrough(context, now, fallthroughReached);
    },
    explain(context, now) {
      if (!flag.enabled) return { evaluation: disabled, decidedBy: "disabled" };
      const failed = failedPrerequisite(context, now);
      if (failed) return { evaluation: prerequisiteFailed[failed.index] as Evaluation, decidedBy: "prerequisite", prerequisite: failed };
      const r = matchingRule(context, now);
      if (r < 0) return { ...compiledFallthrough.explain(context, now, fallthroughReached), decidedBy: "fallthrough" };
      const rule = rules[r] as (typeof rules)[number];
      return { ...rule.explain(context, now, "TARGETING_MATCH"), decidedBy: "rule", ruleId: (flag.rules[r] as Rule).id, ruleIndex: r };
    },
  };
}

/** A rule's conditions as one test: all of them hold (none: always). */
function allOf(matches: readonly CompiledCondition[]): CompiledCondition {
  return (context, now) => {
    for (let c = 0; c < matches.length; c++) if (!(matches[c] as CompiledCondition)(context, now)) return false;
    return true;
  };
}

/** The rollout's bucket bound at `now`: a linear ramp from 0 at startAt to `percentage` at endAt. */
function effectiveBound(fixed: number, percentage: number, start: number | undefined, end: number | undefined, now: number): number {
  if (start === undefined || end === undefined) return fixed;
  if (now <= start) return 0;
  if (now >= end) return fixed;
  return percentageBound((percentage * (now - start)) / (end - start));
}

const compiledCache = new WeakMap<Flag, CompiledFlag>();

function compiledOf(flag: Flag): CompiledFlag {
  let compiled = compiledCache.get(flag);
  if (!compiled) {
    compiled = compileFlag(flag);
    compiledCache.set(flag, compiled);
  }
  return compiled;
}

/** Evaluate one flag for one context at time `now` (epoch ms). Never throws on a JSON context. */
export function evaluate(flag: Flag, context: EvaluationContext, now: number): Evaluation {
  const compiled = compiledOf(flag);
  try {
    return compiled.evaluate(context, now);
  } catch (error) {
    return generalError(flag, error);
  }
}

/** The general failure both `evaluate` and `explain` answer when compiled code throws. */
function generalError(flag: Flag, error: unknown): Evaluation {
  return { key: flag.key, reason: "ERROR", errorCode: "GENERAL", errorDetails: String(error) };
}

/** Explain one flag for one context at `now`: `explain(…).evaluation` always equals `evaluate(…)`. */
export function explain(flag: Flag, context: EvaluationContext, now: number): Explanation {
  return explainCompiled(compiledOf(flag), context, now);
}

/** `explain` on an already compiled flag (a snapshot's, with its override), failing as `evaluate` does. */
export function explainCompiled(compiled: CompiledFlag, context: EvaluationContext, now: number): Explanation {
  try {
    return compiled.explain(context, now);
  } catch (error) {
    return { evaluation: generalError(compiled.flag, error), decidedBy: "error" };
  }
}
