/**
 * zod issues as the error envelope's `details`: `{ path, message }` with a dotted path. Depends on
 * zod alone (no Hono), so code outside the HTTP layer can report validation failures the same way.
 */
import type { ZodError } from "zod";

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** At most 50 details: a huge invalid body must not produce a huge error body. */
export const MAX_DETAILS = 50;

/** `prefix` names where the value came from (`body`, `path`, `query` …); empty for none. */
export function zodDetails(error: ZodError, prefix = ""): ErrorDetail[] {
  return error.issues.slice(0, MAX_DETAILS).map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== "").join("."),
    message: i.message,
  }));
}
