/**
 * A JSON Merge Patch (RFC 7396) over a stored flag, validated as a whole flag: the one rule of
 * `PATCH /envs/{env}/flags/{key}` and of scheduled patches (src/domain/schedule.ts), which are
 * checked with it when created and again when applied. Pure: no I/O.
 */
import { Flag } from "./flag.js";
import { mergePatch } from "./merge-patch.js";

/** One field at fault, as a dotted path into the patched flag (`""` for the whole flag). */
export interface PatchProblem {
  readonly path: string;
  readonly message: string;
}

export type PatchedFlag = { ok: true; flag: Flag } | { ok: false; message: string; problems: readonly PatchProblem[] };

/** At most this many problems are reported (a huge invalid patch must not make a huge answer). */
const MAX_PROBLEMS = 50;

/**
 * `current` with `patch` merged in and validated. The stored `version` and `updatedAt` are not
 * content, and a patch cannot change the key.
 */
export function patchFlag(current: Flag, patch: Readonly<Record<string, unknown>>): PatchedFlag {
  const { version: _v, updatedAt: _u, ...content } = current;
  const merged = mergePatch(content, patch) as Record<string, unknown>;
  if (merged["key"] !== current.key) {
    return { ok: false, message: "a patch cannot change the key", problems: [{ path: "key", message: `must stay "${current.key}"` }] };
  }
  const parsed = Flag.safeParse(merged);
  if (parsed.success) return { ok: true, flag: parsed.data };
  const problems = parsed.error.issues.slice(0, MAX_PROBLEMS).map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  return { ok: false, message: "the patched flag is invalid", problems };
}
