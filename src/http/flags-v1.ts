/**
 * `GET /v1/flags?targetingKey=…&<attr>=…` → `{ "flags": { key: value }, "version": n }`, for the
 * simplest clients (docs/api.md). Every query parameter except `consistency`, `flagConfigEtag` and
 * `flagConfigLastModified` (read as on OFREP) becomes a string context attribute; a repeated
 * parameter becomes an array. Flags without a value for this context (an evaluation error) are
 * listed under `errors` instead. Same keys, visibility and ETag rules as OFREP.
 */
import { Hono } from "hono";
import type { EvaluationContext } from "../domain/evaluate.js";
import { evaluateEvery } from "../domain/snapshot.js";
import type { AppEnv } from "./app-env.js";
import { conditional } from "./etag.js";
import { ApiError } from "./errors.js";
import { accessSnapshot, deniedError } from "./evaluation-access.js";
import { FLAG_CONFIG_PARAMS } from "./flag-config-query.js";

const RESERVED = new Set<string>(["consistency", ...FLAG_CONFIG_PARAMS]);
const MAX_ATTRIBUTES = 64;

export const flagsV1 = new Hono<AppEnv>();

flagsV1.get("/flags", async (c) => {
  const context: Record<string, string | string[]> = {};
  const params = c.req.queries();
  if (Object.keys(params).length > MAX_ATTRIBUTES) {
    throw new ApiError(400, "VALIDATION_FAILED", `at most ${MAX_ATTRIBUTES} query attributes`, [{ path: "query", message: "too many attributes" }]);
  }
  for (const [name, values] of Object.entries(params)) {
    if (RESERVED.has(name)) continue;
    context[name] = values.length === 1 ? (values[0] as string) : values;
  }
  if (Array.isArray(context["targetingKey"])) {
    throw new ApiError(400, "VALIDATION_FAILED", "targetingKey must be given once", [{ path: "targetingKey", message: "repeated" }]);
  }
  const now = Date.now();
  const access = await accessSnapshot(c, now);
  if (!access.ok) {
    if (access.status === 400) throw new ApiError(400, "VALIDATION_FAILED", access.reason, [{ path: access.field, message: access.reason }]);
    throw deniedError(access.status, access.reason);
  }
  const flags: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const result of await evaluateEvery(access.snapshot, context as EvaluationContext, now, access.visibility)) {
    if (result.value !== undefined) flags[result.key] = result.value;
    else errors[result.key] = result.errorCode ?? "GENERAL";
  }
  const body = Object.keys(errors).length === 0 ? { flags, version: access.snapshot.version } : { flags, errors, version: access.snapshot.version };
  return conditional(c, JSON.stringify(body));
});
