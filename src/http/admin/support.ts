/**
 * What every admin route shares: the typed context, authorization, change attribution, and the
 * mapping from Durable Object command errors to HTTP. Failures are thrown as ApiError and rendered
 * by the app's error handler, so handlers only return their success shape.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { z } from "zod";
import type { Principal } from "../../access/roles.js";
import type { ChangeMeta, CommandError, CommandResult } from "../../command.js";
import type { AppEnv } from "../app-env.js";
import { ApiError, errorResponse, zodDetails } from "../errors.js";
import { declaresAccess } from "./access.js";
import { ErrorEnvelope } from "./schemas.js";

export interface AdminEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & {
    principal: Principal;
    /** The body limit already applied to this request (see app.ts), so a default stands aside. */
    bodyLimit?: number;
  };
}
export type AdminContext = Context<AdminEnv>;

const STATUS: Record<CommandError["code"], 404 | 409 | 422> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  IN_USE: 409,
};

export function commandError(error: CommandError): ApiError {
  return new ApiError(STATUS[error.code], error.code, error.message, error.details);
}

/** The success part of a command result; failures become the matching HTTP error. */
export function unwrap<T>(result: CommandResult<T>): { ok: true } & T {
  if (!result.ok) throw commandError(result.error);
  return result;
}

export function changeMeta(c: AdminContext, reason?: string): ChangeMeta {
  return { actor: c.get("principal").actor, requestId: c.get("requestId"), reason };
}

/**
 * A router whose validation failures answer 422 in the error envelope, naming the field, and
 * which refuses (at startup) any route not made by adminRoute(): every route states its access.
 */
export function createAdminRouter(): OpenAPIHono<AdminEnv> {
  const router = new OpenAPIHono<AdminEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const target = (result as { target?: string }).target ?? "body";
      const prefix = target === "json" ? "body" : target === "param" ? "path" : target;
      return errorResponse(c, 422, "VALIDATION_FAILED", "the request is invalid", zodDetails(result.error, prefix));
    },
  });
  const register = router.openapi;
  router.openapi = ((route, ...rest) => {
    if (!declaresAccess(route)) throw new Error(`${route.method.toUpperCase()} ${route.path}: create it with adminRoute(access, …)`);
    return register(route, ...rest);
  }) as typeof register;
  return router;
}

/** An OpenAPI JSON body entry (request or response). */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

/** The error responses every admin route may give, for the OpenAPI document. */
export const errorResponses = {
  400: jsonContent(ErrorEnvelope, "malformed JSON"),
  401: jsonContent(ErrorEnvelope, "no or invalid token"),
  403: jsonContent(ErrorEnvelope, "the token's role or environments do not allow this"),
  404: jsonContent(ErrorEnvelope, "unknown environment, flag or id"),
  409: jsonContent(ErrorEnvelope, "stale If-Match / expectedVersion, or (IN_USE) a segment or flag others refer to"),
  413: jsonContent(ErrorEnvelope, "body too large"),
  415: jsonContent(ErrorEnvelope, "not application/json"),
  422: jsonContent(ErrorEnvelope, "validation failed; details name the fields"),
};
