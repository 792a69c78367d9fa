/** Helpers for admin API tests: authenticated JSON calls through the real Worker. */
import { call } from "./helpers.js";

export const ADMIN = "test-admin-token-0123456789abcdef";

export async function admin(method: string, path: string, body?: unknown, token = ADMIN, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${token}`, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["Content-Type"] ??= "application/json";
  }
  return call(`/admin/v1${path}`, init);
}

export async function adminJson<T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = ADMIN, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await admin(method, path, body, token, headers);
  const text = await res.text();
  return { status: res.status, body: (text === "" ? {} : JSON.parse(text)) as T, headers: res.headers };
}

export async function createToken(role: "viewer" | "operator" | "admin", environments: string[] = ["*"]): Promise<string> {
  const res = await adminJson<{ token: string }>("POST", "/tokens", { name: `${role}-${environments.join("+")}-${Math.random()}`, role, environments });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

// The admin tests' flag bodies come from the shared fixture; re-exported so they import one module.
export { booleanFlag } from "../support/flags.js";
