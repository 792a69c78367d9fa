/**
 * Keeps every audit row small enough for D1 (which refuses rows over 2,000,000 bytes): a
 * `before_json`/`after_json` over MAX_AUDIT_JSON_BYTES is stored as a small stand-in,
 * `{"truncated":true,"bytes":N,"sha256":"…"}` (N and the hash are of the original JSON text), so
 * one oversized value can never wedge an environment's audit flush. Flags are capped far below
 * this (src/domain/limits.ts); this is the backstop for every other audited value.
 */
import { sha256Hex } from "../crypto.js";
import { utf8Bytes } from "../domain/limits.js";

/** Two values at this size plus the other columns stay well under D1's 2,000,000-byte row limit. */
export const MAX_AUDIT_JSON_BYTES = 512 * 1024;

export interface AuditJsonStandIn {
  readonly truncated: true;
  readonly bytes: number;
  readonly sha256: string;
}

/** The JSON text as stored: itself when it fits, else its stand-in. Deterministic in its input. */
export async function fitAuditJson(json: string | null): Promise<string | null> {
  if (json === null) return null;
  const bytes = utf8Bytes(json);
  if (bytes <= MAX_AUDIT_JSON_BYTES) return json;
  const standIn: AuditJsonStandIn = { truncated: true, bytes, sha256: await sha256Hex(json) };
  return JSON.stringify(standIn);
}
