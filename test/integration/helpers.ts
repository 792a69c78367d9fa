/** Helpers for integration tests that drive the real Worker (fetch/scheduled) inside workerd. */
import { env, exports } from "cloudflare:workers";
import { environmentStub } from "../../src/environment/api.js";
import type { CreatedSdkKey } from "../../src/environment/types.js";

/** Who test changes are attributed to in the audit log. */
export const TEST_META = { actor: "test" };

export const BASE = "https://flags.test";

export function worker(): { fetch(request: Request): Promise<Response> } {
  return (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
}

export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return worker().fetch(new Request(`${BASE}${path}`, init));
}

export async function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function environment(name: string) {
  return environmentStub(env, name);
}

export async function createKey(envName: string, kind: "client" | "server", name = `${kind}-key`): Promise<CreatedSdkKey> {
  const result = await environment(envName).createSdkKey({ name, kind }, TEST_META);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result;
}

export function bearer(key: string): Record<string, string> {
  return { Authorization: `Bearer ${key}` };
}

/**
 * Wait until the environment's current version is in KV. Publishing is debounced to one KV write
 * per second (KV's per-key limit), so back-to-back changes reach KV through the DO alarm.
 */
export async function published(envName: string, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await environment(envName).status();
    if (status.publishedVersion === status.version) return status.version;
    if (Date.now() > deadline) throw new Error(`environment ${envName} not published: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
