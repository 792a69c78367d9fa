/**
 * Admin authentication: `Authorization: Bearer <token>` is either the bootstrap `ADMIN_TOKEN`
 * secret (compared in constant time; role admin on every environment) or an API token created
 * through `/admin/v1/tokens` (looked up by its SHA-256 hash; revocation is immediate).
 */
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { accessStub } from "../../access/api.js";
import { TOKEN_PREFIX } from "../../access/token.js";
import type { Principal } from "../../access/roles.js";
import { sha256Hex } from "../../crypto.js";
import type { Env } from "../../env.js";
import { errorResponse } from "../errors.js";
import type { AdminEnv } from "./support.js";

const BOOTSTRAP: Principal = { actor: "admin:bootstrap", role: "admin", environments: ["*"] };

/** The principal of an admin credential (bootstrap token or API token), or null. */
export async function principalOf(token: string, env: Env): Promise<Principal | null> {
  const bootstrap = env.ADMIN_TOKEN;
  if (bootstrap !== undefined && bootstrap.length > 0 && (await timingSafeEqual(token, bootstrap))) return BOOTSTRAP;
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  return accessStub(env).principalFor(await sha256Hex(token));
}

export const adminAuth = createMiddleware<AdminEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  const principal = match ? await principalOf(match[1] as string, c.env) : null;
  if (!principal) {
    const message = header === undefined ? "an admin token is required (Authorization: Bearer <token>)" : "invalid or revoked admin token";
    const res = errorResponse(c, 401, "UNAUTHORIZED", message);
    res.headers.set("WWW-Authenticate", 'Bearer realm="edgeflags-admin"');
    return res;
  }
  c.set("principal", principal);
  await next();
});
