/**
 * Stream tokens: the credential an OFREP event-stream URL carries, because EventSource cannot send
 * headers. A token is `base64url(JSON claims) + "." + hex HMAC-SHA-256(claims)` under the
 * environment's stream key (published in its snapshot), binding environment, SDK key id and
 * visibility — never the SDK key itself.
 *
 * `exp` is rounded up to a 10-minute boundary and the token is accepted until then + 10 minutes,
 * so one key gets the same token (and so the same bulk body and ETag) for ten minutes at a time.
 * The lifetime limits opening a stream, not an open one. Pure apart from Web Crypto: `now` is an
 * argument.
 */
import { z } from "zod";
import { hmacSha256Hex } from "../crypto.js";

/** Tokens are minted per 10-minute window, so bulk bodies stay byte-identical within one. */
export const STREAM_TOKEN_WINDOW_MS = 10 * 60_000;

export const StreamClaims = z.object({
  env: z.string(),
  keyId: z.string(),
  visibility: z.enum(["client", "server"]),
  /** Epoch seconds: the end of the minting window; the token is accepted until exp + one window. */
  exp: z.number().int(),
});
export type StreamClaims = z.infer<typeof StreamClaims>;

export type VerifiedToken = { readonly ok: true; readonly claims: StreamClaims } | { readonly ok: false; readonly reason: string };

/** The end of the window `now` falls in (epoch seconds): the `exp` of every token minted in it. */
export function streamTokenExpiry(now: number): number {
  return (Math.floor(now / STREAM_TOKEN_WINDOW_MS) + 1) * (STREAM_TOKEN_WINDOW_MS / 1000);
}

export async function signStreamToken(secret: string, claims: Omit<StreamClaims, "exp">, now: number): Promise<string> {
  return signClaims(secret, { env: claims.env, keyId: claims.keyId, visibility: claims.visibility, exp: streamTokenExpiry(now) });
}

/** Signs claims as given (tests forge expired tokens with it). */
export async function signClaims(secret: string, claims: StreamClaims): Promise<string> {
  const payload = base64url(JSON.stringify(claims));
  return `${payload}.${await hmacSha256Hex(secret, payload)}`;
}

/** The claims without checking anything: only to learn which environment's key verifies the token. */
export function peekStreamClaims(token: string): StreamClaims | undefined {
  const payload = token.split(".")[0] ?? "";
  try {
    const parsed = StreamClaims.safeParse(JSON.parse(fromBase64url(payload)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function verifyStreamToken(secret: string, token: string, env: string, now: number): Promise<VerifiedToken> {
  const parts = token.split(".");
  if (parts.length !== 2) return { ok: false, reason: "malformed stream token" };
  const [payload, signature] = parts as [string, string];
  if (!constantTimeEqual(await hmacSha256Hex(secret, payload), signature)) return { ok: false, reason: "bad stream token signature" };
  const claims = peekStreamClaims(token);
  if (!claims) return { ok: false, reason: "malformed stream token" };
  if (claims.env !== env) return { ok: false, reason: "stream token is for another environment" };
  if (now >= (claims.exp * 1000) + STREAM_TOKEN_WINDOW_MS) return { ok: false, reason: "stream token expired" };
  return { ok: true, claims };
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function base64url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): string {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
}
