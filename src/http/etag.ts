/**
 * ETags over the evaluated response body (so a context change changes the ETag, DESIGN §3), and
 * the weak `If-None-Match` comparison OFREP needs: Cloudflare may weaken our strong ETag to W/"…".
 */
import { murmur3Bytes } from "../domain/murmur3.js";

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
