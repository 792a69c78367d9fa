/**
 * Who is calling the public API, and what they may see (docs/architecture.md, "SDK keys").
 *
 * An SDK key arrives as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Its format names the
 * environment, so the edge reads that environment's snapshot (the one read it needs anyway) and
 * looks the key's SHA-256 up among the snapshot's active keys. With no credential at all, anonymous
 * mode (when configured) evaluates against one environment with server visibility.
 */
import type { Context } from "hono";
import { sha256Hex } from "../crypto.js";
import { parseSdkKey } from "../domain/sdk-key.js";
import type { CompiledSnapshot, SdkKeyGrant, SdkKeyKind, Visibility } from "../domain/snapshot.js";
import type { AppEnv } from "./app-env.js";

export type Caller =
  | { readonly ok: true; readonly env: string; readonly kind: SdkKeyKind | "anonymous"; readonly visibility: Visibility; readonly keyHash?: string }
  | { readonly ok: false; readonly reason: string };

/** Bounded memo of key → hash, so a hot key is hashed once per isolate. */
const hashes = new Map<string, string>();
const MAX_MEMO = 1_000;

export function credentialOf(c: Context<AppEnv>): string | undefined {
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return m ? m[1] : "";
  }
  return c.req.header("x-api-key")?.trim();
}

/** Identify the caller from the credential alone (no I/O): which environment, which kind. */
export function identify(c: Context<AppEnv>): Caller {
  const config = c.get("config");
  const credential = credentialOf(c);
  if (credential === undefined) {
    return config.anonymousEnv === undefined
      ? { ok: false, reason: "an SDK key is required (Authorization: Bearer <key> or X-API-Key)" }
      : { ok: true, env: config.anonymousEnv, kind: "anonymous", visibility: "all" };
  }
  const parsed = parseSdkKey(credential);
  if (!parsed) return { ok: false, reason: "malformed SDK key" };
  if (!config.environments.includes(parsed.env)) return { ok: false, reason: "unknown SDK key" };
  return { ok: true, env: parsed.env, kind: parsed.kind, visibility: parsed.kind === "client" ? "clientSide" : "all" };
}

/** Check an identified key against the environment's snapshot. Anonymous callers pass. */
export async function verify(c: Context<AppEnv>, caller: Caller & { ok: true }, snapshot: CompiledSnapshot): Promise<boolean> {
  return caller.kind === "anonymous" || (await grantOf(c, caller, snapshot)) !== undefined;
}

/** The identified key's grant in the snapshot (its id names it in stream tokens); undefined when unknown or of another kind. */
export async function grantOf(c: Context<AppEnv>, caller: Caller & { ok: true }, snapshot: CompiledSnapshot): Promise<SdkKeyGrant | undefined> {
  if (caller.kind === "anonymous") return undefined;
  const credential = credentialOf(c) as string;
  let hash = hashes.get(credential);
  if (hash === undefined) {
    hash = await sha256Hex(credential);
    if (hashes.size >= MAX_MEMO) hashes.clear();
    hashes.set(credential, hash);
  }
  const grant = snapshot.keys.get(hash);
  return grant?.kind === caller.kind ? grant : undefined;
}
