/**
 * OpenFeature Remote Evaluation Protocol (OFREP 0.3.0).
 *
 * Deliberate departures, all in the direction the real providers need:
 * - `targetingKey` and even `context` are optional; a split that needs the key reports
 *   `TARGETING_KEY_MISSING` per flag, and a rollout serves its baseline.
 * - reasons stay within the spec's closed enum: a fixed fallthrough is `STATIC`, and when rules
 *   exist and none matched (or a rollout lacks its bucketing attribute) `metadata.reason` says `DEFAULT`.
 * - `?flagConfigEtag=n` (a re-fetch after a change event) is served from a snapshot at least version n.
 * - 401/403 have no body; the reason is in `WWW-Authenticate`.
 * - an oversized body is a 413 with an OFREP failure body.
 *
 * Bulk answers advertise `eventStreams` (ADR-0008): `GET /ofrep/v1/events`, see events.ts.
 * A bulk answer of `STREAM_FROM_FLAGS` flags or more is streamed (bulk-body.ts), with the same
 * body, ETag and 304 as a small one. The same routes serve a subset of the flags under
 * `/subsets/<kind>/<value>/ofrep/v1` (subset.ts).
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { EvaluationContext } from "../domain/evaluate.js";
import { FLAG_KEY_PATTERN } from "../domain/flag.js";
import { lookupFlag, visibleFlagsEvery } from "../domain/snapshot.js";
import type { AppEnv } from "./app-env.js";
import { bulkParts, STREAM_FROM_FLAGS } from "./bulk-body.js";
import { conditional, jsonBody, streamedConditional } from "./etag.js";
import { accessSnapshot, deniedResponse } from "./evaluation-access.js";
import { eventStream, eventStreamsFor } from "./events.js";
import { failure, onOfrepError, type OfrepErrorCode } from "./ofrep-errors.js";
import { inSubset } from "./subset.js";

/** Evaluation contexts are small; 64 KiB is generous and bounds parsing work. */
export const MAX_EVALUATION_BODY_BYTES = 64 * 1024;

/** Shallow on purpose: the context is already JSON, and a deep validator could overflow the stack. */
const EvaluationRequest = z.object({
  context: z
    .record(z.string(), z.unknown(), { error: "context must be a JSON object" })
    .default({})
    .refine((ctx) => ctx["targetingKey"] === undefined || typeof ctx["targetingKey"] === "string", {
      message: "context.targetingKey must be a string",
    }),
});

type ParsedBody = { ok: true; context: EvaluationContext } | { ok: false; errorCode: OfrepErrorCode; details: string };

async function readContext(c: Context<AppEnv>): Promise<ParsedBody> {
  const text = await c.req.text();
  if (text.trim() === "") return { ok: true, context: {} };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errorCode: "PARSE_ERROR", details: `request body is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, errorCode: "PARSE_ERROR", details: 'request body must be a JSON object like {"context": {...}}' };
  }
  const parsed = EvaluationRequest.safeParse(json);
  if (!parsed.success) {
    return { ok: false, errorCode: "INVALID_CONTEXT", details: parsed.error.issues.map((i) => i.message).join("; ") };
  }
  return { ok: true, context: parsed.data.context };
}

/** The flag key of a single-flag path (`…/evaluate/flags/{key}`), for answers given before routing. */
function singleFlagKey(path: string): string | undefined {
  const match = /\/evaluate\/flags\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] as string);
  } catch {
    return match[1];
  }
}

export const ofrep = new Hono<AppEnv>();

/** Errors under /ofrep/v1 answer in OFREP's shape, not the envelope of the rest of the app. */
ofrep.onError(onOfrepError);

ofrep.use(
  "*",
  bodyLimit({
    maxSize: MAX_EVALUATION_BODY_BYTES,
    // A single-flag failure names its key (the spec's evaluationFailure requires it).
    onError: (c) => failure(c, 413, "GENERAL", `request body exceeds ${MAX_EVALUATION_BODY_BYTES} bytes`, singleFlagKey(c.req.path)),
  }),
);

ofrep.post("/evaluate/flags/:key", async (c) => {
  const key = c.req.param("key");
  const body = await readContext(c);
  if (!body.ok) return failure(c, 400, body.errorCode, body.details, key);
  const now = Date.now();
  const access = await accessSnapshot(c, now);
  if (!access.ok) {
    return access.status === 400 ? failure(c, 400, "GENERAL", access.reason, key) : deniedResponse(access.status, access.reason);
  }
  const found = FLAG_KEY_PATTERN.test(key) ? await lookupFlag(access.snapshot, key, access.visibility) : undefined;
  const flag = found && inSubset(c.get("subset"), found.flag) ? found : undefined;
  if (!flag) return failure(c, 404, "FLAG_NOT_FOUND", `flag "${key}" was not found`, key);
  const result = flag.evaluate(body.context, now);
  if (result.errorCode !== undefined) {
    return failure(c, 400, result.errorCode, result.errorDetails ?? result.errorCode, key);
  }
  return jsonBody(JSON.stringify(result));
});

const bulk = async (c: Context<AppEnv>): Promise<Response> => {
  const body = await readContext(c);
  if (!body.ok) return failure(c, 400, body.errorCode, body.details);
  const now = Date.now();
  const access = await accessSnapshot(c, now);
  if (!access.ok) {
    return access.status === 400 ? failure(c, 400, "GENERAL", access.reason) : deniedResponse(access.status, access.reason);
  }
  const subset = c.get("subset");
  const visible = await visibleFlagsEvery(access.snapshot, access.visibility);
  const flags = subset === undefined ? visible : visible.filter((f) => inSubset(subset, f.flag));
  const eventStreams = await eventStreamsFor(c, access.snapshot, now);
  const parts = () => bulkParts({ flags, context: body.context, now, rest: { eventStreams, metadata: { environment: access.snapshot.env, version: access.snapshot.version } } });
  return flags.length < STREAM_FROM_FLAGS ? conditional(c, [...parts()].join("")) : streamedConditional(c, parts);
};
ofrep.post("/evaluate/flags", bulk);
ofrep.post("/evaluate/flags/", bulk);

ofrep.get("/events", eventStream);
