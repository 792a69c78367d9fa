/**
 * One structured log line per refused credential (every 401 and 403, admin and public, whichever
 * route answered it): `{ level, event: "auth.denied", status, method, route, reason, credential,
 * requestId }`. The credential appears only as its public prefix (`efs_staging_`, `eft_`) and a
 * short SHA-256 fingerprint, so repeated attempts correlate without the secret reaching the log.
 */
import type { MiddlewareHandler } from "hono";
import { TOKEN_PREFIX } from "../access/token.js";
import { sha256Hex } from "../crypto.js";
import { parseSdkKey } from "../domain/sdk-key.js";

const FINGERPRINT_HEX = 12;

/** What a log line may say about the credential sent (undefined: none sent). */
export async function credentialHint(request: Request): Promise<{ prefix: string; fingerprint: string } | undefined> {
  const authorization = request.headers.get("authorization");
  const credential = authorization !== null ? (/^\S+\s+(\S+)/.exec(authorization)?.[1] ?? authorization) : request.headers.get("x-api-key");
  if (credential === null || credential.length === 0) return undefined;
  const sdkKey = parseSdkKey(credential);
  const prefix = sdkKey ? `ef${sdkKey.kind === "client" ? "c" : "s"}_${sdkKey.env}_` : credential.startsWith(TOKEN_PREFIX) ? TOKEN_PREFIX : "other";
  return { prefix, fingerprint: (await sha256Hex(credential)).slice(0, FINGERPRINT_HEX) };
}

/** The refusal's reason: the envelope's message, or OFREP's `WWW-Authenticate` description. */
async function reasonOf(res: Response): Promise<string | undefined> {
  const described = /error_description="([^"]*)"/.exec(res.headers.get("www-authenticate") ?? "")?.[1];
  if (described !== undefined) return described;
  try {
    const body = (await res.clone().json()) as { error?: { message?: unknown } };
    return typeof body.error?.message === "string" ? body.error.message : undefined;
  } catch {
    return undefined;
  }
}

export const logAuthDenials: MiddlewareHandler = async (c, next) => {
  await next();
  const status = c.res.status;
  if (status !== 401 && status !== 403) return;
  const line = {
    level: "warn",
    event: "auth.denied",
    status,
    method: c.req.method,
    route: new URL(c.req.url).pathname,
    reason: await reasonOf(c.res),
    credential: await credentialHint(c.req.raw),
    requestId: c.get("requestId") as string | undefined,
  };
  console.warn(JSON.stringify(line));
};
