/** Building command results (returned, never thrown, across RPC). */
import type { z } from "zod";
import type { CommandError } from "./types.js";

export function failure(code: CommandError["code"], message: string, details: CommandError["details"] = []): { ok: false; error: CommandError } {
  return { ok: false, error: { code, message, details } };
}

export function validationError(message: string, error: z.ZodError): { ok: false; error: CommandError } {
  return failure(
    "VALIDATION_FAILED",
    message,
    error.issues.slice(0, 50).map((i) => ({ path: i.path.join("."), message: i.message })),
  );
}
