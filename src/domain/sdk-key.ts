/**
 * SDK key format: `ef<kind>_<environment>_<secret>`, e.g. `efs_production_3kT…` for a server key
 * and `efc_production_…` for a client (browser) key. The environment is in the key so the edge
 * knows which snapshot to read before it checks the key's hash against that snapshot (one KV read).
 */
import { z } from "zod";
import { ENVIRONMENT_NAME_PATTERN, SdkKeyKind } from "./snapshot.js";
import { plainText } from "./text.js";

/** What an operator sends to create a key. */
export const CreateSdkKeyInput = z.object({ name: plainText(128), kind: SdkKeyKind });
export type CreateSdkKeyInput = z.infer<typeof CreateSdkKeyInput>;

/** A stored key as the admin API lists it (never the secret, never its hash). */
export const SdkKeyRecord = z.object({
  id: z.string(),
  name: z.string(),
  kind: SdkKeyKind,
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type SdkKeyRecord = z.infer<typeof SdkKeyRecord>;

const SDK_KEY = new RegExp(`^ef([cs])_(${ENVIRONMENT_NAME_PATTERN.source.slice(1, -1)})_([A-Za-z0-9]{32,64})$`);

export interface ParsedSdkKey {
  readonly kind: SdkKeyKind;
  readonly env: string;
}

export function parseSdkKey(key: string): ParsedSdkKey | undefined {
  const m = SDK_KEY.exec(key);
  if (!m) return undefined;
  return { kind: m[1] === "c" ? "client" : "server", env: m[2] as string };
}

export function formatSdkKey(kind: SdkKeyKind, env: string, secret: string): string {
  return `ef${kind === "client" ? "c" : "s"}_${env}_${secret}`;
}
