/**
 * "Compare with another environment" and "Promote to <env>" on the flag page, as pure functions:
 * which environments the token may compare with and write, the diff a promotion would make in the
 * target (the same `jsonDiff` as the history), and the guard the write goes with — the target's
 * current version as `If-Match`, or `0` ("must not exist yet") when the target has no such flag.
 */
import { hasRole } from "./flag-editor-model.js";
import { type DiffEntry, jsonDiff } from "./json-diff.js";

type FlagLike = Record<string, unknown> & { version?: number };

/** A flag's content: what a promotion copies, without the server-owned `version` and `updatedAt`. */
export function flagContent(flag: FlagLike): Record<string, unknown> {
  const { version: _version, updatedAt: _updatedAt, ...rest } = flag;
  return rest;
}

export interface CompareTarget {
  env: string;
  /** Why the token may not promote there, or null when it may. */
  blocked: string | null;
}

/** The other environments the token sees, each with whether it may write the flag there. */
export function compareTargets(principal: { role: string; environments: readonly string[] }, environments: readonly string[], current: string): CompareTarget[] {
  return environments
    .filter((env) => env !== current)
    .map((env) => ({
      env,
      blocked: hasRole(principal, env, "operator") ? null : `this token (${principal.role} on ${principal.environments.join(", ") || "nothing"}) may not change flags in ${env}`,
    }));
}

export interface PromotePlan {
  /** What changes in the target: from its flag (or nothing) to this environment's. */
  diff: DiffEntry[];
  /** True when the target has no such flag: the promotion creates it. */
  creates: boolean;
  /** Nothing would change. */
  identical: boolean;
  /** The `If-Match` version of the write: the target's current version, 0 to create. */
  expectedVersion: number;
  /** The body of the write. */
  body: Record<string, unknown>;
}

/** The promotion of `source` onto `target` (null: absent there). */
export function promotePlan(source: FlagLike, target: FlagLike | null): PromotePlan {
  const body = flagContent(source);
  const diff = jsonDiff(target === null ? undefined : flagContent(target), body);
  return { diff, creates: target === null, identical: diff.length === 0, expectedVersion: target?.version ?? 0, body };
}

/** Whether Confirm may be pressed: a reason, and on production the flag key typed out exactly. */
export function canConfirmPromote(target: string, key: string, reason: string, typed: string): boolean {
  return reason.trim() !== "" && (target !== "production" || typed === key);
}
