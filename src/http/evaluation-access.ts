/**
 * The first step of every public evaluation: who is calling, which snapshot they evaluate, and
 * whether the read must be strongly consistent (`?consistency=strong`, served by the Durable
 * Object; server keys and anonymous dev mode only, since it costs a Durable Object request).
 *
 * Credentials are checked before any Durable Object call: a strong read first checks the key
 * against the edge snapshot. A key it does not know is refused at once when this isolate heard
 * from the environment's Durable Object within the last `KEY_LOOKUP_INTERVAL_MS` (the key is fake,
 * or newer than that); otherwise one strong read may ask the Durable Object. So made-up keys cost
 * at most one Durable Object request per environment per interval per isolate, whatever their number.
 *
 * An eventual read with a key the edge snapshot does not know follows the same rule: one Durable
 * Object lookup per interval may find a key created since the snapshot was built, so a new key
 * works at once instead of after KV propagation (~60 s); made-up keys stay as cheap as above.
 *
 * `?flagConfigEtag=n` (a re-fetch after a change event) asks for a snapshot at least version n. The
 * key is checked against the cached snapshot first, so an unknown key costs no read-through either.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { CompiledSnapshot, Visibility } from "../domain/snapshot.js";
import { edgeSnapshot, sawDurableObjectWithin, strongSnapshot } from "../edge/snapshot-cache.js";
import type { AppEnv } from "./app-env.js";
import { identify, verify } from "./auth.js";
import { parseFlagConfigQuery } from "./flag-config-query.js";

/** The least time between two Durable Object lookups for keys the edge snapshot does not know. */
export const KEY_LOOKUP_INTERVAL_MS = 5_000;

export const Consistency = z.enum(["eventual", "strong"]).default("eventual");

export type Access =
  | { readonly ok: true; readonly snapshot: CompiledSnapshot; readonly visibility: Visibility }
  | { readonly ok: false; readonly status: 400; readonly field: string; readonly reason: string }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

export async function accessSnapshot(c: Context<AppEnv>, now: number): Promise<Access> {
  const consistency = Consistency.safeParse(c.req.query("consistency"));
  if (!consistency.success) return { ok: false, status: 400, field: "consistency", reason: 'consistency must be "eventual" or "strong"' };
  const flagConfig = parseFlagConfigQuery((name) => c.req.query(name));
  if (!flagConfig.ok) return { ok: false, status: 400, field: flagConfig.field, reason: flagConfig.reason };
  const caller = identify(c);
  if (!caller.ok) return { ok: false, status: 401, reason: caller.reason };
  const strong = consistency.data === "strong";
  if (strong && caller.kind === "client") {
    return { ok: false, status: 403, reason: "client keys cannot request strongly consistent reads" };
  }
  const source = { env: c.env, config: c.get("config") };
  const edge = await edgeSnapshot(source, caller.env, now);
  const known = await verify(c, caller, edge);
  const interval = Math.max(KEY_LOOKUP_INTERVAL_MS, source.config.snapshotRefreshMs);
  if (!strong) {
    if (!known) {
      // A key newer than the edge snapshot (created a moment ago) works at once: ask the Durable
      // Object, at most once per interval per isolate and environment, however many keys are made up.
      if (sawDurableObjectWithin(caller.env, now, interval)) return UNKNOWN_KEY;
      const fresh = await strongSnapshot(source, caller.env, now);
      if (!(await verify(c, caller, fresh))) return UNKNOWN_KEY;
      return { ok: true, snapshot: fresh, visibility: caller.visibility };
    }
    const { minVersion } = flagConfig;
    if (minVersion === undefined || edge.version >= minVersion) return { ok: true, snapshot: edge, visibility: caller.visibility };
    // A re-fetch after a change event: read through to a snapshot that new, and check the key again (revocation).
    const fresh = await edgeSnapshot(source, caller.env, now, { minVersion });
    if (fresh !== edge && !(await verify(c, caller, fresh))) return UNKNOWN_KEY;
    return { ok: true, snapshot: fresh, visibility: caller.visibility };
  }
  if (!known && sawDurableObjectWithin(caller.env, now, interval)) return UNKNOWN_KEY;
  // Known at the edge (or possibly too new for it): the Durable Object has the last word (revocation).
  const snapshot = await strongSnapshot(source, caller.env, now);
  if (!(await verify(c, caller, snapshot))) return UNKNOWN_KEY;
  return { ok: true, snapshot, visibility: caller.visibility };
}

const UNKNOWN_KEY: Access = { ok: false, status: 401, reason: "unknown or revoked SDK key" };

/** 401/403 carry no body (OFREP); the reason travels in `WWW-Authenticate`. */
export function deniedResponse(status: 401 | 403, reason: string): Response {
  const error = status === 401 ? "invalid_token" : "insufficient_scope";
  return new Response(null, {
    status,
    headers: { "WWW-Authenticate": `Bearer realm="edgeflags", error="${error}", error_description="${reason}"` },
  });
}

/** The same denial, thrown: the app's error handler answers with the bodyless response it carries. */
export function deniedError(status: 401 | 403, reason: string): HTTPException {
  return new HTTPException(status, { message: reason, res: deniedResponse(status, reason) });
}
