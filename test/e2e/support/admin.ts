/** The admin credential of the local `wrangler dev` (`.dev.vars`: ADMIN_TOKEN), for e2e tests. */

export const ADMIN_TOKEN = "dev-admin-token";

/** Headers of an admin API call with a JSON body. */
export const ADMIN_HEADERS = { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" };

/**
 * An admin API client for `baseUrl`: `admin<T>(method, path, body?)` sends JSON with the admin token
 * and returns the parsed body, throwing with the status and the body's start on anything but 2xx.
 */
export function adminClient(baseUrl: string): <T>(method: string, path: string, body?: unknown) => Promise<T> {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const init: RequestInit = { method, headers: ADMIN_HEADERS };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${baseUrl}/admin/v1${path}`, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  };
}
