/**
 * SDK key format: `ef<kind>_<environment>_<secret>`, e.g. `efs_production_3kT…` for a server key
 * and `efc_production_…` for a client (browser) key. The environment is in the key so the edge
 * knows which snapshot to read before it checks the key's hash against that snapshot (one KV read).
 */
import type { SdkKeyKind } from "./snapshot.js";

const SDK_KEY = /^ef([cs])_([a-z][a-z0-9-]{0,31})_([A-Za-z0-9]{32,64})$/;

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
