/**
 * Commands and their results, shared by both Durable Objects and the HTTP layer. Results are
 * returned, never thrown, across RPC (errors thrown across RPC lose their shape); the HTTP layer
 * maps a `CommandError` to its status in one exhaustive table (src/http/admin/support.ts).
 */
import type { z } from "zod";

/** IN_USE: the target is referred to by others (a segment flags use, a flag others require). */
export type CommandErrorCode = "VALIDATION_FAILED" | "NOT_FOUND" | "VERSION_CONFLICT" | "IN_USE";

/** One field at fault: a dotted path into the input (`""` for the whole input) and what is wrong. */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

export interface CommandError {
  readonly code: CommandErrorCode;
  readonly message: string;
  readonly details: readonly ErrorDetail[];
}

export type CommandResult<T> = ({ ok: true } & T) | { ok: false; error: CommandError };
export type CommandFailure = { ok: false; error: CommandError };

/** Who asked for a change, and why: every change is audited with this. */
export interface ChangeMeta {
  readonly actor: string;
  readonly requestId?: string | undefined;
  readonly reason?: string | undefined;
}

/** At most this many details travel with one error (a huge invalid body must not make a huge answer). */
export const MAX_DETAILS = 50;

export function failure(code: CommandErrorCode, message: string, details: readonly ErrorDetail[] = []): CommandFailure {
  return { ok: false, error: { code, message, details } };
}

/** A zod error's issues as details, each naming the field at fault; `prefix` names where the value came from (`body`, `query` …). */
export function zodDetails(error: z.ZodError, prefix = ""): ErrorDetail[] {
  return error.issues.slice(0, MAX_DETAILS).map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== "").join("."),
    message: i.message,
  }));
}

export function validationError(message: string, error: z.ZodError): CommandFailure {
  return failure("VALIDATION_FAILED", message, zodDetails(error));
}
