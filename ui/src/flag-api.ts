/**
 * The admin API calls of the flag page and the keys/tokens page, on top of `Api.request`: a flag
 * read with its version, a guarded replace (If-Match), explain, its versions and a guarded
 * restore, and SDK keys and API tokens.
 */
import { type Api, ApiError } from "./api.js";
import { ifMatch } from "./flag-editor-model.js";
import type { AuditEntry, Flag, FlagView } from "./types.js";

const envPath = (env: string) => `/admin/v1/envs/${encodeURIComponent(env)}`;
const flagPath = (env: string, key: string) => `${envPath(env)}/flags/${encodeURIComponent(key)}`;

export interface Explanation {
  key: string;
  value?: unknown;
  variant?: string;
  reason: string;
  errorCode?: string;
  errorDetails?: string;
  decidedBy: "override" | "disabled" | "prerequisite" | "rule" | "fallthrough" | "error";
  /** Set when a prerequisite failed: the first one, what it had to be and what it evaluated to. */
  prerequisite?: { flag: string; variants: string[]; variant: string | null };
  override: string | null;
  ruleId?: string;
  ruleIndex?: number;
  bucket?: number;
  bound?: number;
  flagVersion: number;
  evaluatedAt: string;
}

/** One version of a flag, rebuilt from the audit log (`GET …/flags/{key}/versions`). */
export interface FlagVersion {
  version: number;
  at: string;
  actor: string;
  action: string;
  reason: string | null;
  flag: Flag;
}

export interface SdkKey {
  id: string;
  name: string;
  kind: "client" | "server";
  createdAt: string;
  revokedAt: string | null;
}

export interface ApiToken {
  id: string;
  name: string;
  role: "viewer" | "operator" | "admin";
  environments: string[];
  createdAt: string;
  revokedAt: string | null;
}

export function getFlag(api: Api, env: string, key: string): Promise<FlagView> {
  return api.request("GET", flagPath(env, key));
}

/** Replaces the flag, refused with 409 when `version` is no longer the flag's version. */
export function putFlag(api: Api, env: string, key: string, flag: unknown, version: number, reason: string): Promise<{ flag: FlagView["flag"]; changed: boolean }> {
  const query = reason.trim() === "" ? "" : `?reason=${encodeURIComponent(reason.trim())}`;
  return api.request("PUT", `${flagPath(env, key)}${query}`, flag, { "If-Match": ifMatch(version) });
}

/** Explains the flag for `context` now or, with `at` (ISO 8601), as it was then (rebuilt from the audit log). */
export function explainFlag(api: Api, env: string, key: string, context: unknown, at?: string): Promise<Explanation> {
  return api.request("POST", `${flagPath(env, key)}/explain`, at === undefined ? { context } : { context, at });
}

export async function flagHistory(api: Api, env: string, key: string): Promise<AuditEntry[]> {
  return (await api.request<{ entries: AuditEntry[] }>("GET", `${envPath(env)}/audit?flag=${encodeURIComponent(key)}&limit=50`)).entries;
}

/** A page of the flag's versions, newest first; `before` (a nextCursor) pages to older ones. */
export function flagVersions(api: Api, env: string, key: string, before?: number): Promise<{ versions: FlagVersion[]; nextCursor: number | null }> {
  const query = before === undefined ? "" : `?before=${before}`;
  return api.request("GET", `${flagPath(env, key)}/versions${query}`);
}

/** Writes `version`'s content as the next version, refused with 409 when the flag is no longer at `current`. */
export function restoreFlag(api: Api, env: string, key: string, version: number, current: number, reason: string): Promise<{ flag: Flag; changed: boolean }> {
  return api.request("POST", `${flagPath(env, key)}/restore`, { version, reason }, { "If-Match": ifMatch(current) });
}

export async function listSdkKeys(api: Api, env: string): Promise<SdkKey[]> {
  return (await api.request<{ keys: SdkKey[] }>("GET", `${envPath(env)}/sdk-keys`)).keys;
}

export function createSdkKey(api: Api, env: string, name: string, kind: SdkKey["kind"]): Promise<{ id: string; name: string; kind: string; key: string }> {
  return api.request("POST", `${envPath(env)}/sdk-keys`, { name, kind });
}

export function revokeSdkKey(api: Api, env: string, id: string): Promise<unknown> {
  return api.request("DELETE", `${envPath(env)}/sdk-keys/${encodeURIComponent(id)}`);
}

export async function listTokens(api: Api): Promise<ApiToken[]> {
  return (await api.request<{ tokens: ApiToken[] }>("GET", "/admin/v1/tokens")).tokens;
}

export function createToken(api: Api, name: string, role: ApiToken["role"], environments: string[]): Promise<ApiToken & { token: string }> {
  return api.request("POST", "/admin/v1/tokens", { name, role, environments });
}

export function revokeToken(api: Api, id: string): Promise<unknown> {
  return api.request("DELETE", `/admin/v1/tokens/${encodeURIComponent(id)}`);
}

/** The flag in another environment, or null when it has none (404). */
export async function getFlagOrNull(api: Api, env: string, key: string): Promise<FlagView | null> {
  try {
    return await getFlag(api, env, key);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}
