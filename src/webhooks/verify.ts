/**
 * Receiver-side verification of edgeflags webhook deliveries (docs/webhooks.md, "Verifying a
 * delivery"). Copy this file into a receiver, or import it: it uses Web Crypto only, so it runs on
 * Workers, Node 18+, Deno and Bun.
 *
 * A delivery carries `X-Edgeflags-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>.<raw body>">`
 * and `X-Edgeflags-Event-Id`. `verifyWebhook` recomputes the HMAC over the raw body exactly as
 * received (parse the JSON only after), compares in constant time, and refuses a timestamp outside
 * the replay window. Within the window, `ReplayGuard` refuses an event id seen before, so a captured
 * delivery cannot be played again. Retries of one event carry the same id: answer 2xx to a replay
 * you already processed, so edgeflags stops retrying.
 */

/** Seconds a delivery's timestamp may be from the receiver's clock, either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type Verification =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: "missing" | "malformed" | "expired" | "mismatch" };

export interface VerifyInput {
  /** The subscription's secret (or WEBHOOK_SECRET for a rollout's `webhooks`). */
  readonly secret: string;
  /** The raw request body, as received. */
  readonly body: string;
  /** The X-Edgeflags-Signature header. */
  readonly signature: string | null | undefined;
  /** The receiver's clock, unix seconds (default: now). */
  readonly now?: number;
  readonly toleranceSeconds?: number;
}

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares two strings in time that depends on their length only, never on where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Checks a delivery's signature and its timestamp against the replay window. */
export async function verifyWebhook(input: VerifyInput): Promise<Verification> {
  if (!input.signature) return { ok: false, reason: "missing" };
  let timestamp: number | undefined;
  const macs: string[] = [];
  for (const part of input.signature.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && value !== undefined && /^[0-9a-f]{64}$/.test(value)) macs.push(value);
  }
  if (timestamp === undefined || macs.length === 0) return { ok: false, reason: "malformed" };
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: "expired" };
  const expected = await hmacHex(input.secret, `${timestamp}.${input.body}`);
  // Every candidate is compared (no early exit), each in constant time.
  let match = false;
  for (const mac of macs) match = timingSafeEqual(mac, expected) || match;
  return match ? { ok: true, timestamp } : { ok: false, reason: "mismatch" };
}

/**
 * Remembers the event ids of verified deliveries for the replay window: `firstSeen(id, t)` is true
 * the first time an id is offered and false on every replay. In memory, per receiver instance; a
 * receiver with many instances keeps the ids in shared storage instead (a KV key per id with a TTL
 * of the window).
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly toleranceSeconds: number;

  // No parameter properties: the file stays runnable by Node's type stripping as it is.
  constructor(toleranceSeconds = DEFAULT_TOLERANCE_SECONDS) {
    this.toleranceSeconds = toleranceSeconds;
  }

  firstSeen(eventId: string, timestamp: number): boolean {
    // Ids whose timestamps left the window can no longer pass verifyWebhook: forget them.
    for (const [id, t] of this.seen) if (t < timestamp - 2 * this.toleranceSeconds) this.seen.delete(id);
    if (this.seen.has(eventId)) return false;
    this.seen.set(eventId, timestamp);
    return true;
  }
}
