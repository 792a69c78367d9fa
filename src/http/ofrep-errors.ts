/**
 * OFREP's error answers: an evaluation failure `{ key?, errorCode, errorDetails }` with its status,
 * 401/403 without a body (the reason in `WWW-Authenticate`), and the OFREP sub-app's own error
 * handler, so anything thrown under /ofrep/v1 answers in OFREP's shape rather than the envelope.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./app-env.js";
import { logInternalError } from "./errors.js";
import { deniedResponse } from "./evaluation-access.js";

export type OfrepErrorCode = "PARSE_ERROR" | "INVALID_CONTEXT" | "TARGETING_KEY_MISSING" | "FLAG_NOT_FOUND" | "GENERAL";

/** An evaluation failure; `key` is named on single-flag evaluation only. */
export function failure(c: Context<AppEnv>, status: ContentfulStatusCode, errorCode: OfrepErrorCode, errorDetails: string, key?: string): Response {
  return c.json(key === undefined ? { errorCode, errorDetails } : { key, errorCode, errorDetails }, status);
}

/**
 * The OFREP sub-app's error handler. An HTTPException keeps its status (401/403 bodyless, as
 * every OFREP denial); anything else is logged and answers OFREP's general 500 with the request id.
 */
export function onOfrepError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof HTTPException) {
    if (error.res !== undefined) return error.getResponse();
    if (error.status === 401 || error.status === 403) return deniedResponse(error.status, error.message);
    return failure(c, error.status as ContentfulStatusCode, "GENERAL", error.message || "bad request");
  }
  logInternalError(c, error);
  return c.json({ errorCode: "GENERAL", errorDetails: "internal error", requestId: c.get("requestId") }, 500);
}
