/**
 * ETags over the evaluated response body (so a context change changes the ETag; docs/ofrep.md, "ETag and 304"), the
 * weak `If-None-Match` comparison OFREP needs (Cloudflare may weaken our strong ETag to W/"…"),
 * and the conditional JSON answer built on them, shared by OFREP bulk evaluation and GET /v1/flags.
 */
import type { Context, Env as HonoEnv } from "hono";
import { murmur3Bytes } from "../domain/murmur3.js";

/** Evaluations depend on the caller's context: private, and revalidated on every use. */
const CACHE_CONTROL = "private, no-cache";

/** A quoted 64-bit ETag: two murmur3 seeds over the body. Collisions only cost a missed refresh. */
export function etagOf(body: string): string {
  const bytes = new TextEncoder().encode(body);
  const a = murmur3Bytes(bytes, 0x9747b28c).toString(16).padStart(8, "0");
  const b = murmur3Bytes(bytes, 0x5bd1e995).toString(16).padStart(8, "0");
  return `"${a}${b}"`;
}

/** True when `If-None-Match` lists `etag`, compared weakly (W/ stripped). `*` is ignored. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  for (const candidate of header.split(",")) {
    const tag = candidate.trim().replace(/^W\//, "");
    if (tag === etag) return true;
  }
  return false;
}

/** 200 with a body-hash ETag, or 304 when `If-None-Match` already has it. */
export function conditional<E extends HonoEnv>(c: Context<E>, text: string): Response {
  const etag = etagOf(text);
  if (ifNoneMatchHits(c.req.header("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": CACHE_CONTROL } });
  }
  return jsonBody(text, etag);
}

/** A 200 JSON answer from text already serialised (so the ETag hashes exactly what is sent). */
export function jsonBody(text: string, etag?: string): Response {
  const headers: Record<string, string> = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": CACHE_CONTROL };
  if (etag !== undefined) headers["ETag"] = etag;
  return new Response(text, { status: 200, headers });
}
