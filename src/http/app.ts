/**
 * The Worker's HTTP surface: public evaluation (OFREP, /v1), health, and one error policy.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { loadConfig } from "../config.js";
import { admin } from "./admin/app.js";
import type { AppEnv } from "./app-env.js";
import { logAuthDenials } from "./auth-denied-log.js";
import { errorResponse, onAppError } from "./errors.js";
import { flagsV1 } from "./flags-v1.js";
import { health } from "./health.js";
import { metrics } from "./metrics.js";
import { ofrep } from "./ofrep.js";
import { parseSubset, querySubset, SUBSET_OFREP_PATH } from "./subset.js";
import { ui } from "./ui.js";

export const app = new Hono<AppEnv>();

/**
 * The request id is always the server's own: audit rows record it, so a client must not choose it
 * (it could collide with, or impersonate, another request's). A client's X-Request-Id is ignored;
 * the response's X-Request-Id is the server's id.
 */
app.use("*", requestId({ headerName: "" }), async (c, next) => {
  c.header("X-Request-Id", c.get("requestId"));
  await next();
});
// Outermost after the id: sees every 401/403, whichever route or handler produced it.
app.use("*", logAuthDenials);

app.route("/health", health);
// The dashboard is static: it needs no configuration, so it loads even when the vars are invalid.
app.route("/ui", ui);

app.use("*", async (c, next) => {
  const config = loadConfig(c.env);
  if (!config.ok) {
    return c.json({ error: { code: "CONFIG_INVALID", message: "the service is misconfigured; see /health", details: [] } }, 503);
  }
  c.set("config", config.config);
  await next();
});

/** Public evaluation is meant for browsers too: CORS as docs/ofrep.md "CORS" says, origins from CORS_ORIGINS. */
const publicCors = cors({
  origin: (origin, c) => {
    const allowed = (c.get("config") as { corsOrigins: readonly string[] }).corsOrigins;
    return allowed.includes("*") ? "*" : allowed.includes(origin) ? origin : null;
  },
  allowMethods: ["GET", "POST", "OPTIONS"],
  allowHeaders: ["Content-Type", "Authorization", "X-API-Key", "If-None-Match"],
  exposeHeaders: ["ETag"],
  maxAge: 86_400,
});
app.use("/ofrep/*", publicCors);
app.use("/v1/*", publicCors);
app.use("/subsets/*", publicCors);

app.route("/v1/metrics", metrics);
app.use("/ofrep/v1/*", querySubset);
app.route("/ofrep/v1", ofrep);
// The same OFREP routes for a subset of the flags, chosen by the provider's base URL (docs/ofrep.md, "Subsets").
app.use(`${SUBSET_OFREP_PATH}/*`, parseSubset);
app.route(SUBSET_OFREP_PATH, ofrep);
app.route("/admin/v1", admin);
app.route("/v1", flagsV1);

app.get("/", (c) =>
  c.json({ service: "edgeflags", docs: "https://github.com/edgeflags/edgeflags#readme", health: "/health" }),
);

app.notFound((c) => errorResponse(c, 404, "NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));

/**
 * The one error handler of admin and public routes: thrown ApiError/HTTPException → the envelope
 * with its status, anything else → logged, 500. (The OFREP sub-app has its own, in OFREP's shape.)
 */
app.onError(onAppError);
