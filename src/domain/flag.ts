/**
 * The flag model: one zod schema per concept, TypeScript types derived from them.
 * Wire shape: docs/flags.md, "Wire shape".
 */
import { z } from "zod";
import { LIMITS, MAX_FLAG_BYTES, MAX_OBJECT_VARIANT_BYTES, MAX_STRING_VARIANT_LENGTH, utf8Bytes } from "./limits.js";
import { label, multilineText } from "./text.js";

/** Safe in URL paths unencoded (OFREP clients do not always encode keys). */
export const FLAG_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const FlagKey = z.string().regex(FLAG_KEY_PATTERN, "must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

export const VARIANT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const VariantName = z.string().regex(VARIANT_NAME_PATTERN, "variant names are 1-64 chars of [A-Za-z0-9._-]");

export const FlagType = z.enum(["boolean", "string", "number", "object"]);
export type FlagType = z.infer<typeof FlagType>;

/**
 * A variant's value: a boolean, string, finite number or JSON object (by the flag's `type`).
 * Deliberately not recursive (`z.json()`), so the OpenAPI generator can describe it.
 */
export const VariantValue = z.union([z.boolean(), z.string(), z.number(), z.record(z.string(), z.unknown())]);

const ConditionValue = z.union([z.string(), z.number(), z.boolean()]);

/** Operators that take exactly one comparison value. */
export const SINGLE_VALUE_OPS = [
  "eq", "neq", "lt", "lte", "gt", "gte", "semverEq", "semverLt", "semverGt", "before", "after",
] as const;
/** Operators that match when any of their values matches. */
export const MULTI_VALUE_OPS = ["in", "notIn", "contains", "startsWith", "endsWith"] as const;

/** Operators on segments (src/domain/segment.ts): their values are segment keys; `attribute` is ignored. */
export const SEGMENT_OPS = ["inSegment", "notInSegment"] as const;

export const Operator = z.enum([...SINGLE_VALUE_OPS, ...MULTI_VALUE_OPS, ...SEGMENT_OPS, "exists"]);
export type Operator = z.infer<typeof Operator>;

/** The pseudo-attribute of time conditions: the evaluating request's clock, never a context value. */
export const NOW_ATTRIBUTE = "$now";

const IsoDateTime = z.iso.datetime({ offset: true });

/** Segment keys follow flag keys' rule: safe in URL paths unencoded. */
export const SegmentKey = FlagKey;

export const Condition = z
  .object({
    /** Required by every operator but the segment ones, which ignore it. `$now` is the request's clock. */
    attribute: z.string().min(1).max(128).optional(),
    op: Operator,
    values: z.array(ConditionValue).max(LIMITS.maxValuesPerCondition, `at most ${LIMITS.maxValuesPerCondition} values per condition (limit maxValuesPerCondition)`).default([]),
  })
  .superRefine((c, ctx) => {
    const n = c.values.length;
    if (isSegmentOp(c.op)) {
      if (n < 1) ctx.addIssue({ code: "custom", path: ["values"], message: `operator ${c.op} takes at least one segment key` });
      c.values.forEach((v, i) => {
        if (typeof v !== "string" || !FLAG_KEY_PATTERN.test(v)) ctx.addIssue({ code: "custom", path: ["values", i], message: "a segment key must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$" });
      });
      return;
    }
    if (c.attribute === undefined) {
      ctx.addIssue({ code: "custom", path: ["attribute"], message: `operator ${c.op} needs an attribute` });
      return;
    }
    if (c.attribute === NOW_ATTRIBUTE) {
      if (c.op !== "before" && c.op !== "after") ctx.addIssue({ code: "custom", path: ["op"], message: `${NOW_ATTRIBUTE} takes only the operators before and after` });
      else if (n !== 1 || typeof c.values[0] !== "string" || !IsoDateTime.safeParse(c.values[0]).success) {
        ctx.addIssue({ code: "custom", path: ["values"], message: `${NOW_ATTRIBUTE} compares with exactly one ISO 8601 date-time, e.g. "2026-12-01T09:00:00Z"` });
      }
      return;
    }
    if ((SINGLE_VALUE_OPS as readonly string[]).includes(c.op) && n !== 1) {
      ctx.addIssue({ code: "custom", path: ["values"], message: `operator ${c.op} takes exactly one value` });
    } else if ((MULTI_VALUE_OPS as readonly string[]).includes(c.op) && n < 1) {
      ctx.addIssue({ code: "custom", path: ["values"], message: `operator ${c.op} takes at least one value` });
    } else if (c.op === "exists" && n !== 0) {
      ctx.addIssue({ code: "custom", path: ["values"], message: "operator exists takes no values" });
    }
  });
export type Condition = z.infer<typeof Condition>;

export function isSegmentOp(op: Operator): op is (typeof SEGMENT_OPS)[number] {
  return op === "inSegment" || op === "notInSegment";
}

const Percentage = z.number().min(0).max(100);
const IsoOrEpoch = z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]);

export const RolloutServe = z
  .object({
    variant: VariantName,
    baseline: VariantName,
    percentage: Percentage,
    /** Linear time ramp: 0 % until startAt, `percentage` from endAt; computed at evaluation, no writes. */
    startAt: IsoOrEpoch.optional(),
    endAt: IsoOrEpoch.optional(),
  })
  .refine((r) => (r.startAt === undefined) === (r.endAt === undefined), {
    message: "startAt and endAt go together",
    path: ["endAt"],
  })
  .refine((r) => r.startAt === undefined || r.endAt === undefined || epochMs(r.endAt) > epochMs(r.startAt), {
    message: "endAt must be after startAt",
    path: ["endAt"],
  });

function epochMs(t: string | number): number {
  return typeof t === "number" ? t : Date.parse(t);
}

/** Exactly one of a fixed variant, a weighted split, or a rollout. */
export const Serve = z.union([
  z.strictObject({ variant: VariantName }),
  z.strictObject({
    split: z.record(VariantName, Percentage).refine(
      (w) => Object.keys(w).length > 0 && Math.abs(Object.values(w).reduce((a, b) => a + b, 0) - 100) < 1e-9,
      "split weights must sum to 100",
    ),
  }),
  z.strictObject({ rollout: RolloutServe }),
]);
export type Serve = z.infer<typeof Serve>;

export const Rule = z.object({
  id: z.string().min(1).max(64),
  description: multilineText(1000).optional(),
  when: z.array(Condition).max(LIMITS.maxConditionsPerRule, `at most ${LIMITS.maxConditionsPerRule} conditions per rule (limit maxConditionsPerRule)`),
  serve: Serve,
});
export type Rule = z.infer<typeof Rule>;

/** Serve the flag only when `flag` (same context, same snapshot) evaluates to one of `variants`. */
export const Prerequisite = z.object({
  flag: FlagKey,
  variants: z.array(VariantName).min(1).max(50),
});
export type Prerequisite = z.infer<typeof Prerequisite>;
/** At most this many prerequisites per flag (each is one more evaluation). */
export const MAX_PREREQUISITES = 10;

export const Category = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/);

export const Flag = z
  .object({
    key: FlagKey,
    type: FlagType,
    variants: z.record(VariantName, VariantValue).refine((v) => Object.keys(v).length > 0, "at least one variant"),
    offVariant: VariantName,
    enabled: z.boolean(),
    rules: z.array(Rule).max(LIMITS.maxRulesPerFlag, `at most ${LIMITS.maxRulesPerFlag} rules per flag (limit maxRulesPerFlag)`).default([]),
    fallthrough: Serve,
    /** Every one must hold, or the flag serves `offVariant` (reason DISABLED, metadata.prerequisite). */
    prerequisites: z.array(Prerequisite).max(MAX_PREREQUISITES).optional(),
    salt: z.string().min(1).max(128).optional(),
    bucketBy: z.string().min(1).max(128).default("targetingKey"),
    clientSide: z.boolean().default(false),
    category: Category.default("general"),
    description: multilineText(2000).optional(),
    tags: z.array(label(64, 1)).max(LIMITS.maxTagsPerFlag, `at most ${LIMITS.maxTagsPerFlag} tags per flag (limit maxTagsPerFlag)`).default([]),
    owner: label(128).optional(),
    version: z.number().int().nonnegative().default(0),
    updatedAt: z.string().optional(),
  })
  .superRefine((flag, ctx) => {
    for (const [name, value] of Object.entries(flag.variants)) {
      if (!valueMatchesType(flag.type, value)) {
        ctx.addIssue({ code: "custom", path: ["variants", name], message: `variant value is not of type ${flag.type}` });
      }
      const tooBig = variantSizeProblem(value);
      if (tooBig) ctx.addIssue({ code: "custom", path: ["variants", name], message: tooBig });
    }
    const bytes = flagBytes(flag);
    if (bytes > MAX_FLAG_BYTES) {
      ctx.addIssue({ code: "custom", path: [], message: `the flag serializes to ${bytes} bytes; a flag may have at most ${MAX_FLAG_BYTES}` });
    }
    const known = (variant: string, path: (string | number)[]): void => {
      if (!Object.hasOwn(flag.variants, variant)) ctx.addIssue({ code: "custom", path, message: `unknown variant "${variant}"` });
    };
    known(flag.offVariant, ["offVariant"]);
    const checkServe = (serve: Serve, path: (string | number)[]): void => {
      if ("variant" in serve) known(serve.variant, [...path, "variant"]);
      else if ("split" in serve) for (const name of Object.keys(serve.split)) known(name, [...path, "split", name]);
      else {
        known(serve.rollout.variant, [...path, "rollout", "variant"]);
        known(serve.rollout.baseline, [...path, "rollout", "baseline"]);
      }
    };
    const ruleIds = new Set<string>();
    flag.rules.forEach((rule, i) => {
      if (ruleIds.has(rule.id)) ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id "${rule.id}"` });
      ruleIds.add(rule.id);
      checkServe(rule.serve, ["rules", i, "serve"]);
    });
    checkServe(flag.fallthrough, ["fallthrough"]);
    const required = new Set<string>();
    flag.prerequisites?.forEach((p, i) => {
      if (p.flag === flag.key) ctx.addIssue({ code: "custom", path: ["prerequisites", i, "flag"], message: "a flag cannot be its own prerequisite" });
      if (required.has(p.flag)) ctx.addIssue({ code: "custom", path: ["prerequisites", i, "flag"], message: `duplicate prerequisite "${p.flag}"` });
      required.add(p.flag);
    });
  });
/** A validated flag (defaults applied). */
export type Flag = z.infer<typeof Flag>;
/** A flag as written by people (defaults optional). */
export type FlagInput = z.input<typeof Flag>;

function valueMatchesType(type: FlagType, value: unknown): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
  }
}

/** Why a variant value is too large to accept, or undefined (limits: src/domain/limits.ts). */
function variantSizeProblem(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > MAX_STRING_VARIANT_LENGTH) {
    return `a string variant may have at most ${MAX_STRING_VARIANT_LENGTH} characters; this one has ${value.length}`;
  }
  if (typeof value === "object" && value !== null) {
    const bytes = utf8Bytes(JSON.stringify(value));
    if (bytes > MAX_OBJECT_VARIANT_BYTES) return `an object variant may serialize to at most ${MAX_OBJECT_VARIANT_BYTES} bytes; this one is ${bytes}`;
  }
  return undefined;
}

/**
 * A flag's serialized size as the cap counts it: UTF-8 JSON of its content with the salt it is
 * stored with, without `version`/`updatedAt`. Storing a flag leaves this number unchanged, so a
 * flag accepted once always parses again when it is read back.
 */
export function flagBytes(flag: Pick<Flag, "key" | "salt">): number {
  return utf8Bytes(JSON.stringify({ ...flag, salt: saltOf(flag), version: undefined, updatedAt: undefined }));
}

/** The keys of the flags this flag requires. */
export function prerequisiteKeys(flag: Pick<Flag, "prerequisites">): string[] {
  return (flag.prerequisites ?? []).map((p) => p.flag);
}

/** The salt used for bucketing: stored so a rename never reshuffles users. */
export function saltOf(flag: Pick<Flag, "key" | "salt">): string {
  return flag.salt ?? flag.key;
}

/** A whole environment's flags as code (config/ and import/export). */
export const FlagSet = z
  .object({ flags: z.array(Flag).max(LIMITS.maxFlagsPerImport, `at most ${LIMITS.maxFlagsPerImport} flags per import; import larger sets in chunks (mode merge) (limit maxFlagsPerImport)`) })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.flags.forEach((f, i) => {
      if (seen.has(f.key)) ctx.addIssue({ code: "custom", path: ["flags", i, "key"], message: `duplicate flag key "${f.key}"` });
      seen.add(f.key);
    });
  });
export type FlagSet = z.infer<typeof FlagSet>;
