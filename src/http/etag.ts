/**
 * ETags over the evaluated response body (so a context change changes the ETag; docs/ofrep.md, "ETag and 304"), the
 * weak `If-None-Match` comparison OFREP needs (Cloudflare may weaken our strong ETag to W/"…"),
 * and the conditional JSON answer built on them, shared by OFREP bulk evaluation and GET /v1/flags.
 * A large body is streamed (`streamedConditional`): its ETag is hashed chunk by chunk in a first
 * pass, so it is known before the first byte is sent, and equals `etagOf` of the whole body.
 */
import type { Context, Env as HonoEnv } from "hono";
import { murmur3Bytes } from "../domain/murmur3.js";
import { Murmur3Stream } from "./murmur3-stream.js";

/** Evaluations depend on the caller's context: private, and revalidated on every use. */
const CACHE_CONTROL = "private, no-cache";

const SEED_A = 0x9747b28c;
const SEED_B = 0x5bd1e995;
const encoder = new TextEncoder();
const hex = (h: number): string => h.toString(16).padStart(8, "0");

/** A quoted 64-bit ETag: two murmur3 seeds over the body. Collisions only cost a missed refresh. */
export function etagOf(body: string): string {
  const bytes = encoder.encode(body);
  return `"${hex(murmur3Bytes(bytes, SEED_A))}${hex(murmur3Bytes(bytes, SEED_B))}"`;
}

/** `etagOf` of the concatenation of `parts`, hashed part by part (no whole body in memory). */
export function etagOfParts(parts: Iterable<string>): string {
  const a = new Murmur3Stream(SEED_A);
  const b = new Murmur3Stream(SEED_B);
  for (const part of parts) {
    const bytes = encoder.encode(part);
    a.update(bytes);
    b.update(bytes);
  }
  return `"${hex(a.digest())}${hex(b.digest())}"`;
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

/**
 * `conditional` for a body made of parts, with bounded memory: `parts()` is walked twice, once to
 * hash the ETag (a 304 ends there) and once, pulled by the client's reads, to send the body. It
 * must yield the same parts both times (evaluation is pure for a fixed `now`).
 */
export function streamedConditional<E extends HonoEnv>(c: Context<E>, parts: () => Iterable<string>): Response {
  const etag = etagOfParts(parts());
  if (ifNoneMatchHits(c.req.header("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": CACHE_CONTROL } });
  }
  const iterator = parts()[Symbol.iterator]();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      iterator.return?.();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": CACHE_CONTROL, ETag: etag } });
}

/** A 200 JSON answer from text already serialised (so the ETag hashes exactly what is sent). */
export function jsonBody(text: string, etag?: string): Response {
  const headers: Record<string, string> = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": CACHE_CONTROL };
  if (etag !== undefined) headers["ETag"] = etag;
  return new Response(text, { status: 200, headers });
}
