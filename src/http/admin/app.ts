/**
 * The admin API under /admin/v1 (docs/admin-api.md): zod-validated, one error envelope (rendered by the
 * root app's error handler), and an OpenAPI document at /admin/v1/openapi.json generated from the
 * same schemas.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { LIMITS } from "../../domain/limits.js";
import { errorResponse } from "../errors.js";
import { auditRoutes } from "./audit.js";
import { eventRoutes } from "./events.js";
import { adminAuth } from "./auth.js";
import { explainRoutes } from "./explain.js";
import { flagRoutes } from "./flags.js";
import { historyRoutes } from "./history.js";
import { keyRoutes } from "./keys.js";
import { rolloutRoutes } from "./rollouts.js";
import { scheduleRoutes } from "./schedules.js";
import { segmentRoutes } from "./segments.js";
import { statusRoutes } from "./status.js";
import { createAdminRouter, type AdminEnv } from "./support.js";
import { webhookRoutes } from "./webhooks.js";

/** Imports carry whole environments; segments up to 2 × 10,000 ids; every other admin body is small. */
const MAX_IMPORT_BYTES = LIMITS.maxImportBodyBytes;
const MAX_SEGMENT_BODY_BYTES = LIMITS.maxSegmentBodyBytes;
const MAX_BODY_BYTES = LIMITS.maxAdminBodyBytes;

/** The name of the bearer security scheme in the OpenAPI document. */
export const BEARER_SCHEME = "bearer";

export const admin = createAdminRouter();

/**
 * Admin answers carry secrets and per-token views: no cache may keep one (errors included).
 * First, so it also covers the OpenAPI document registered just below.
 */
admin.use("*", async (c, next) => {
  await next();
  c.res.headers.set("Cache-Control", "no-store");
});

admin.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: { title: "edgeflags admin API", version: "1.0.0", description: "Flags, SDK keys, API tokens and the audit log. Authorization: Bearer <token>." },
  servers: [{ url: "/admin/v1" }],
  // Every operation needs the token (adminAuth below), so generated clients send it everywhere.
  security: [{ [BEARER_SCHEME]: [] }],
});
admin.openAPIRegistry.registerComponent("securitySchemes", BEARER_SCHEME, { type: "http", scheme: "bearer" });

/**
 * A body limit that stands aside when a more specific one already applies: the first limit that
 * matches a request wins, so a route with its own limit registers it before the default.
 */
function bodyLimitOf(maxSize: number, name: keyof typeof LIMITS): MiddlewareHandler<AdminEnv> {
  const limit = bodyLimit({
    maxSize,
    onError: (c: Context<AdminEnv>) => errorResponse(c, 413, "PAYLOAD_TOO_LARGE", `the body exceeds ${maxSize} bytes (limit ${name})`),
  });
  return async (c, next) => {
    if (c.get("bodyLimit") !== undefined) return next();
    c.set("bodyLimit", maxSize);
    return limit(c, next);
  };
}
// Limits come first: they only bound what anything after them may read.
admin.use("/envs/:env/import", bodyLimitOf(MAX_IMPORT_BYTES, "maxImportBodyBytes"));
admin.use("/envs/:env/segments/*", bodyLimitOf(MAX_SEGMENT_BODY_BYTES, "maxSegmentBodyBytes"));
admin.use("*", bodyLimitOf(MAX_BODY_BYTES, "maxAdminBodyBytes"));
/** The one public admin path: the API's own description. */
const PUBLIC_PATH = "/admin/v1/openapi.json";
// Deny by default: every other path (a new route too) needs a token, checked before the body is
// read. Each route's role is then checked by its own access rule (access.ts), before the depth
// check and validation.
admin.use("*", (c, next) => (c.req.path === PUBLIC_PATH ? next() : adminAuth(c, next)));

admin.route("/", flagRoutes);
admin.route("/", explainRoutes);
admin.route("/", historyRoutes);
admin.route("/", auditRoutes);
admin.route("/", keyRoutes);
admin.route("/", rolloutRoutes);
admin.route("/", scheduleRoutes);
admin.route("/", segmentRoutes);
admin.route("/", statusRoutes);
admin.route("/", eventRoutes);
admin.route("/", webhookRoutes);
