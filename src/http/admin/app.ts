/**
 * The admin API under /admin/v1 (DESIGN §4): zod-validated, one error envelope, and an OpenAPI
 * document at /admin/v1/openapi.json generated from the same schemas.
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.js";
import { errorResponse, httpErrorResponse, internalErrorResponse } from "../errors.js";
import { refuseDeepJson } from "../json-depth.js";
import { auditRoutes } from "./audit.js";
import { adminAuth } from "./auth.js";
import { flagRoutes } from "./flags.js";
import { keyRoutes } from "./keys.js";
import { rolloutRoutes } from "./rollouts.js";
import { createAdminRouter, type AdminEnv } from "./support.js";

/** Imports carry whole environments; every other admin body is small. */
const MAX_IMPORT_BYTES = 8 * 1024 * 1024;
const MAX_BODY_BYTES = 256 * 1024;

export const admin = createAdminRouter();

admin.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: { title: "edgeflags admin API", version: "1.0.0", description: "Flags, SDK keys, API tokens and the audit log. Authorization: Bearer <token>." },
  servers: [{ url: "/admin/v1" }],
});
admin.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

const tooLarge = (c: Context<AdminEnv>, limit: number) =>
  errorResponse(c as unknown as Context<AppEnv>, 413, "PAYLOAD_TOO_LARGE", `the body exceeds ${limit} bytes`);
admin.use("/envs/:env/import", bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: (c) => tooLarge(c, MAX_IMPORT_BYTES) }));
admin.use("*", async (c, next) => {
  if (c.req.path.endsWith("/import")) return next();
  return bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (cc) => tooLarge(cc, MAX_BODY_BYTES) })(c, next);
});
/** Flags nest about 7 levels; object variants get room, recursion-based consumers stay safe. */
const MAX_BODY_DEPTH = 32;
admin.use("*", refuseDeepJson(MAX_BODY_DEPTH));
admin.use("/envs/*", adminAuth);
admin.use("/tokens", adminAuth);
admin.use("/tokens/*", adminAuth);
admin.use("/audit", adminAuth);

admin.route("/", flagRoutes);
admin.route("/", auditRoutes);
admin.route("/", keyRoutes);
admin.route("/", rolloutRoutes);

admin.onError((error, c) => {
  const ctx = c as unknown as Context<AppEnv>;
  return error instanceof HTTPException ? httpErrorResponse(ctx, error) : internalErrorResponse(ctx, error);
});
