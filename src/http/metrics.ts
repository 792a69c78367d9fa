/**
 * `POST /v1/metrics` (docs/rollouts.md, "Metrics"): per-minute counters and raw events per (flag, variant) for
 * rollout guards. Accepted from a server SDK key (its environment) or an admin token with the
 * operator role (environment named in the body). All-or-nothing: one bad sample rejects the batch.
 * A well-formed batch is 202 `{ environment, buckets, dropped }`: buckets of (flag, variant) pairs
 * no active rollout watches are dropped and counted, never refused.
 * The credential is resolved before the body is read: an unauthenticated caller costs no parsing.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { allows, type Principal } from "../access/roles.js";
import { parseSdkKey } from "../domain/sdk-key.js";
import { edgeSnapshot } from "../edge/snapshot-cache.js";
import { environmentStub } from "../environment/api.js";
import { principalOf } from "./admin/auth.js";
import type { AppEnv } from "./app-env.js";
import { credentialOf, identify, verify } from "./auth.js";
import { ApiError, errorResponse } from "./errors.js";
import { jsonNestingExceeds } from "./json-depth.js";

const MAX_BYTES = 1024 * 1024;

/** Who sends the metrics: a verified server key (bound to its environment) or an admin principal. */
type Sender = { readonly kind: "sdk-key"; readonly env: string } | { readonly kind: "admin"; readonly principal: Principal };

/** Metrics are flat; anything deeper is refused before parsing (see json-depth.ts). */
const MAX_DEPTH = 16;

export const metrics = new Hono<AppEnv>();

metrics.use("*", bodyLimit({ maxSize: MAX_BYTES, onError: (c) => errorResponse(c, 413, "PAYLOAD_TOO_LARGE", `the body exceeds ${MAX_BYTES} bytes`) }));
metrics.post("/", async (c) => {
  const sender = await senderOf(c);
  const text = await c.req.text();
  if (jsonNestingExceeds(text, MAX_DEPTH)) {
    throw new ApiError(422, "VALIDATION_FAILED", `the body nests deeper than ${MAX_DEPTH} levels`, [{ path: "body", message: `more than ${MAX_DEPTH} levels of nesting` }]);
  }
  if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send application/json");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "INVALID_JSON", "the body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError(422, "VALIDATION_FAILED", "the body must be an object", [{ path: "body", message: "expected an object" }]);
  }
  const named = (body as { env?: unknown }).env;
  const env = environmentOf(c, sender, typeof named === "string" ? named : undefined);
  const result = await environmentStub(c.env, env).ingestMetrics(body, c.get("config").metricsMaxAgeSeconds);
  if (!result.ok) throw new ApiError(422, "VALIDATION_FAILED", result.error.message, result.error.details);
  return c.json({ environment: env, buckets: result.buckets, dropped: result.dropped }, 202);
});

/** The credential alone (no body): a verified server key, or an admin token; throws the 401/403. */
async function senderOf(c: Context<AppEnv>): Promise<Sender> {
  const credential = credentialOf(c);
  if (!credential) throw new ApiError(401, "UNAUTHORIZED", "a server SDK key or an operator token is required");
  if (parseSdkKey(credential)) {
    const caller = identify(c);
    if (!caller.ok) throw new ApiError(401, "UNAUTHORIZED", caller.reason);
    if (caller.kind !== "server") throw new ApiError(403, "FORBIDDEN", "client keys cannot send metrics");
    const snapshot = await edgeSnapshot({ env: c.env, config: c.get("config") }, caller.env, Date.now());
    if (!(await verify(c, caller, snapshot))) throw new ApiError(401, "UNAUTHORIZED", "unknown or revoked SDK key");
    return { kind: "sdk-key", env: caller.env };
  }
  const principal = await principalOf(credential, c.env);
  if (!principal) throw new ApiError(401, "UNAUTHORIZED", "invalid or revoked token");
  return { kind: "admin", principal };
}

/** The environment the sender may write metrics to; throws the 403/404/422 otherwise. */
function environmentOf(c: Context<AppEnv>, sender: Sender, named: string | undefined): string {
  if (sender.kind === "sdk-key") {
    if (named !== undefined && named !== sender.env) throw new ApiError(403, "FORBIDDEN", `this key belongs to "${sender.env}"`);
    return sender.env;
  }
  if (named === undefined) throw new ApiError(422, "VALIDATION_FAILED", "name the environment", [{ path: "env", message: "required with an admin token" }]);
  if (!c.get("config").environments.includes(named)) {
    throw new ApiError(404, "NOT_FOUND", `unknown environment "${named}"`, [{ path: "env", message: "not configured" }]);
  }
  if (!allows(sender.principal, "operator", named)) throw new ApiError(403, "FORBIDDEN", `this token needs the operator role on "${named}"`);
  return named;
}
