/**
 * The environment snapshot: what the Durable Object publishes to KV and the edge evaluates.
 * Compiled once per version into a per-flag index, so one-flag evaluation is O(rules of that
 * flag) and bulk evaluation walks a pre-sorted list.
 */
import { z } from "zod";
import { compileFlag, type CompiledFlag, type EvaluationContext, type Evaluation, type Explanation } from "./evaluate.js";
import { Flag } from "./flag.js";

/** Environment names: 1-32 chars of [a-z0-9-], starting with a letter (they appear in SDK keys and KV keys). */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const EnvironmentName = z
  .string()
  .regex(ENVIRONMENT_NAME_PATTERN, "environment names are 1-32 chars of [a-z0-9-], starting with a letter");
export type EnvironmentName = z.infer<typeof EnvironmentName>;

export const SdkKeyKind = z.enum(["client", "server"]);
export type SdkKeyKind = z.infer<typeof SdkKeyKind>;

/** What the edge needs to know about an SDK key; the key itself is only stored as a SHA-256 hash. */
export const SdkKeyGrant = z.object({ id: z.string(), name: z.string(), kind: SdkKeyKind });
export type SdkKeyGrant = z.infer<typeof SdkKeyGrant>;

export const Snapshot = z.object({
  env: EnvironmentName,
  version: z.number().int().nonnegative(),
  publishedAt: z.string(),
  flags: z.array(Flag),
  /** hex sha-256 of an SDK key → its grant; revoked keys are absent. */
  keys: z.record(z.string(), SdkKeyGrant),
  /** The environment's secret for signing event-stream tokens (absent in snapshots older than push). */
  streamKey: z.string().optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** Per-environment overrides from configuration: flag key → variant name; they win over stored state. */
export const FlagOverrides = z.record(EnvironmentName, z.record(z.string(), z.string()));
export type FlagOverrides = z.infer<typeof FlagOverrides>;

export type Visibility = "all" | "clientSide";

export interface CompiledSnapshot {
  readonly env: string;
  readonly version: number;
  /** ISO 8601, when the Durable Object built this version. */
  readonly publishedAt: string;
  readonly streamKey: string | undefined;
  readonly byKey: ReadonlyMap<string, CompiledFlag>;
  /** Sorted by key, for deterministic bulk bodies. */
  readonly all: readonly CompiledFlag[];
  readonly clientSide: readonly CompiledFlag[];
  readonly keys: ReadonlyMap<string, SdkKeyGrant>;
}

export function compileSnapshot(snapshot: Snapshot, overrides: Readonly<Record<string, string>> = {}): CompiledSnapshot {
  const all = [...snapshot.flags]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((flag) => withOverride(flag, overrides[flag.key]));
  return {
    env: snapshot.env,
    version: snapshot.version,
    publishedAt: snapshot.publishedAt,
    streamKey: snapshot.streamKey,
    byKey: new Map(all.map((c) => [c.flag.key, c])),
    all,
    clientSide: all.filter((c) => c.flag.clientSide),
    keys: new Map(Object.entries(snapshot.keys)),
  };
}

/**
 * An override serves one variant to everyone, says so in metadata, and ignores `enabled`.
 * Exported so the admin explain route applies overrides exactly as the edge does.
 */
export function withOverride(flag: Flag, variant: string | undefined): CompiledFlag {
  if (variant === undefined || !Object.hasOwn(flag.variants, variant)) return compileFlag(flag);
  const result: Evaluation = Object.freeze({
    key: flag.key,
    value: flag.variants[variant],
    variant,
    reason: "STATIC" as const,
    metadata: Object.freeze({ override: "FLAG_OVERRIDES" }),
  });
  const explanation: Explanation = Object.freeze({ evaluation: result, decidedBy: "override" as const });
  return { flag, evaluate: () => result, explain: () => explanation };
}

/** Look up one flag as the caller may see it. */
export function findFlag(snapshot: CompiledSnapshot, key: string, visibility: Visibility): CompiledFlag | undefined {
  const compiled = snapshot.byKey.get(key);
  if (!compiled) return undefined;
  return visibility === "all" || compiled.flag.clientSide ? compiled : undefined;
}

/** Evaluate every flag the caller may see, in key order. */
export function evaluateAll(snapshot: CompiledSnapshot, context: EvaluationContext, now: number, visibility: Visibility): Evaluation[] {
  const flags = visibility === "all" ? snapshot.all : snapshot.clientSide;
  const out = new Array<Evaluation>(flags.length);
  for (let i = 0; i < flags.length; i++) out[i] = (flags[i] as CompiledFlag).evaluate(context, now);
  return out;
}

/** The flags the caller may see, in key order (what `evaluateAll` evaluates; streamed bulk answers walk it in chunks). */
export function visibleFlags(snapshot: CompiledSnapshot, visibility: Visibility): readonly CompiledFlag[] {
  return visibility === "all" ? snapshot.all : snapshot.clientSide;
}
