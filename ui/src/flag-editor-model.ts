/**
 * The JSON editors' pure logic (the flag editor's and the segment page's): the JSON they edit (the
 * document as the API returns it, without the server-owned `version` and `updatedAt`), parsing what
 * the operator typed, and turning the API's error envelope into the lines shown next to the editor.
 */

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A flag or segment as editable JSON text: server-owned fields removed, two-space indented. */
export function editableJson(doc: Record<string, unknown>): string {
  const { version: _version, updatedAt: _updatedAt, ...rest } = doc;
  return JSON.stringify(rest, null, 2);
}

export const editableFlagJson = editableJson;

export type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** Parses an editor's text, which must be a JSON object (`what` names it in the message: "flag"). */
export function parseJsonObject(text: string, what: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not valid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, message: `the ${what} must be a JSON object` };
  return { ok: true, value: value as Record<string, unknown> };
}

export const parseFlagJson = (text: string): Parsed => parseJsonObject(text, "flag");

/** The lines shown for a refused write: each detail as "path: message", or the message alone. */
export function errorLines(message: string, details: readonly ErrorDetail[]): string[] {
  if (details.length === 0) return [message];
  return details.map((d) => (d.path === "" ? d.message : `${d.path}: ${d.message}`));
}

/** The version a write is guarded by, as the `If-Match` header value (an ETag). */
export function ifMatch(version: number): string {
  return `"${version}"`;
}

/** Whether a principal may write in an environment with at least `role` (roles are ordered). */
export function hasRole(principal: { role: string; environments: readonly string[] }, env: string, role: "viewer" | "operator" | "admin"): boolean {
  const order = ["viewer", "operator", "admin"];
  const onEnv = principal.environments.includes("*") || principal.environments.includes(env);
  return onEnv && order.indexOf(principal.role) >= order.indexOf(role);
}

/** API tokens are global: only an admin on every environment (`*`) may manage them. */
export function canManageTokens(principal: { role: string; environments: readonly string[] }): boolean {
  return principal.role === "admin" && principal.environments.includes("*");
}
