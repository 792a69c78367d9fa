/**
 * One error envelope for every non-OFREP route (DESIGN §4):
 * `{ "error": { "code", "message", "details": [{ "path", "message" }], "requestId" } }`.
 * OFREP routes answer in the OFREP shapes instead (see ofrep.ts).
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { AppEnv } from "./app-env.js";

export type ErrorCode =
  | "VALIDATION_FAILED"
  | "INVALID_JSON"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "VERSION_CONFLICT"
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

/** Thrown by route handlers; the app's error handler renders it in the envelope. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(status, { message });
  }
}

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: "INVALID_JSON",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** Renders an ApiError, or an HTTPException raised by middleware (malformed JSON → 400, 415 …). */
export function httpErrorResponse(c: Context<AppEnv>, error: HTTPException): Response {
  if (error instanceof ApiError) return errorResponse(c, error.status as ContentfulStatusCode, error.code, error.message, error.details);
  const status = error.status as ContentfulStatusCode;
  return errorResponse(c, status, CODE_BY_STATUS[status] ?? "VALIDATION_FAILED", error.message || "bad request");
}

/** The one answer to an unexpected error: logged with the request id, a 500 without internals. */
export function internalErrorResponse(c: Context<AppEnv>, error: unknown): Response {
  console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), path: c.req.path, error: String(error), stack: (error as Error).stack }));
  if (c.req.path.startsWith("/ofrep/")) {
    return c.json({ errorCode: "GENERAL", errorDetails: "internal error", requestId: c.get("requestId") }, 500);
  }
  return errorResponse(c, 500, "INTERNAL", "internal error");
}
