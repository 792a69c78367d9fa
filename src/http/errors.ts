/**
 * One error envelope for every non-OFREP route (DESIGN §4):
 * `{ "error": { "code", "message", "details": [{ "path", "message" }], "requestId" } }`.
 * OFREP routes answer in the OFREP shapes instead (see ofrep.ts).
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { AppEnv } from "./app-env.js";

export type ErrorCode =
  | "VALIDATION_FAILED"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "PAYLOAD_TOO_LARGE"
  | "CONFIG_INVALID"
  | "INTERNAL";

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

export function errorResponse(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  details: readonly ErrorDetail[] = [],
): Response {
  return c.json({ error: { code, message, details, requestId: c.get("requestId") } }, status);
}

export function zodDetails(error: ZodError, prefix = ""): ErrorDetail[] {
  return error.issues.slice(0, 50).map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== "").join("."),
    message: i.message,
  }));
}
