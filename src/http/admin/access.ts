/**
 * Who may call each admin route, stated where the route is created (`adminRoute(access, …)`) and
 * checked by route middleware BEFORE the body is read or validated: a caller without the role gets
 * 403 whatever its body, and learns nothing about the schema. A route created without a declaration
 * cannot be registered (see createAdminRouter in support.ts).
 */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { allows, roleAtLeast, type Role } from "../../access/roles.js";
import { ApiError } from "../errors.js";
import { refuseDeepJson } from "../json-depth.js";
import type { AdminContext, AdminEnv } from "./support.js";

/**
 * - `path`: the role on the environment named by the route's `{env}` (which must be configured);
 * - `all`: the role on every environment (a token with `["*"]`), for global resources;
 * - `some`: the role on at least one environment; the handler narrows it further (promote's
 *   target, the environments /status shows).
 */
export type AccessRule = { readonly role: Role; readonly on: "path" | "all" | "some" };

/** Requires the caller's role on an environment (which must exist), or on all environments. */
export function authorize(c: AdminContext, need: Role, environment?: string): void {
  if (environment !== undefined && !c.get("config").environments.includes(environment)) {
    throw new ApiError(404, "NOT_FOUND", `unknown environment "${environment}"`, [{ path: "env", message: "not configured" }]);
  }
  if (!allows(c.get("principal"), need, environment)) {
    const scope = environment === undefined ? "all environments" : `environment "${environment}"`;
    throw new ApiError(403, "FORBIDDEN", `this token needs the ${need} role on ${scope}`);
  }
}

/** Flags nest about 7 levels; object variants get room, recursion-based consumers stay safe. */
const MAX_BODY_DEPTH = 32;

const declared = new WeakSet<object>();

/** True for routes made by adminRoute(), i.e. with a declared access rule. */
export function declaresAccess(route: object): boolean {
  return declared.has(route);
}

function requireAccess(rules: readonly AccessRule[]): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    for (const rule of rules) {
      if (rule.on === "path") authorize(c, rule.role, c.req.param("env") ?? "");
      else if (rule.on === "all") authorize(c, rule.role);
      else if (!roleAtLeast(c.get("principal").role, rule.role)) {
        throw new ApiError(403, "FORBIDDEN", `this token needs the ${rule.role} role`);
      }
    }
    await next();
  };
}

/**
 * createRoute() with the access rules every admin route must state. Its middleware checks them,
 * then the body's nesting depth, and only then do the route's validators run.
 */
export function adminRoute<P extends string, R extends Omit<RouteConfig, "path" | "middleware"> & { path: P }>(
  access: AccessRule | readonly AccessRule[],
  route: R,
) {
  const rules: readonly AccessRule[] = "role" in access ? [access] : access;
  if (rules.length === 0) throw new Error(`${route.method} ${route.path}: state at least one access rule`);
  if (rules.some((r) => r.on === "path") && !route.path.includes("{env}")) {
    throw new Error(`${route.method} ${route.path}: an access rule "on: path" needs an {env} in the path`);
  }
  const created = createRoute({ ...route, middleware: [requireAccess(rules), refuseDeepJson(MAX_BODY_DEPTH)] });
  declared.add(created);
  return created;
}
