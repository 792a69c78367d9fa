/**
 * One error envelope for every non-OFREP route (docs/admin-api.md, "Errors"):
 * `{ "error": { "code", "message", "details": [{ "path", "message" }], "requestId" } }`,
 * and the app's one error handler. Routes throw `ApiError`; middleware may throw any
 * `HTTPException` (malformed JSON → 400 …); anything else is a logged 500 without internals.
 * The OFREP sub-app answers in OFREP's shapes with its own handler (see ofrep-errors.ts).
 */
import type { Context, Env as HonoEnv } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorDetail } from "../command.js";

export { zodDetails, type ErrorDetail } from "../command.js";

export type ErrorCode =
  | "VALIDATION_FAILED"
  | "INVALID_JSON"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "VERSION_CONFLICT"
  | "IN_USE"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "PAYLOAD_TOO_LARGE"
  | "CONFIG_INVALID"
  | "INTERNAL";

/**
 * The envelope as a Response. Generic over the context's env, so the public app, the admin app
 * and bare middleware can all call it; the request id is typed for every context by hono/request-id.
 */
export function errorResponse<E extends HonoEnv>(
  c: Context<E>,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  details: readonly ErrorDetail[] = [],
): Response {
  return c.json({ error: { code, message, details, requestId: c.get("requestId") } }, status);
}

/** Thrown by route handlers and middleware; the app's error handler renders it in the envelope. */
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

/**
 * Renders an ApiError, or an HTTPException raised by middleware. One that carries its own
 * Response (Hono's convention, e.g. a bodyless 401 with `WWW-Authenticate`) is answered with it.
 */
export function httpErrorResponse<E extends HonoEnv>(c: Context<E>, error: HTTPException): Response {
  if (error instanceof ApiError) return errorResponse(c, error.status as ContentfulStatusCode, error.code, error.message, error.details);
  if (error.res !== undefined) return error.getResponse();
  const status = error.status as ContentfulStatusCode;
  return errorResponse(c, status, CODE_BY_STATUS[status] ?? "VALIDATION_FAILED", error.message || "bad request");
}

/** Logs an unexpected error with the request id; the stack goes to the log, never to the caller. */
export function logInternalError<E extends HonoEnv>(c: Context<E>, error: unknown): void {
  const stack = error instanceof Error ? error.stack : undefined;
  console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), path: c.req.path, error: String(error), stack }));
}

/** The one error handler of the app (admin and public routes): the envelope, 500 when unexpected. */
export function onAppError<E extends HonoEnv>(error: Error, c: Context<E>): Response {
  if (error instanceof HTTPException) return httpErrorResponse(c, error);
  logInternalError(c, error);
  return errorResponse(c, 500, "INTERNAL", "internal error");
}
