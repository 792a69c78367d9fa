/**
 * Local development (`LOCAL_DEV=true`, set by .dev.vars.example and never in a deployed
 * environment): the one place that decides it, so every relaxation keys on the same setting.
 */
import type { Env } from "./env.js";

export function isLocalDev(env: Pick<Env, "LOCAL_DEV">): boolean {
  return env.LOCAL_DEV?.trim().toLowerCase() === "true";
}

/** The bootstrap token's minimum length outside local development. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/** Why the configured ADMIN_TOKEN is too weak to deploy, or null when it is fine (or unset). */
export function adminTokenWeakness(env: Pick<Env, "ADMIN_TOKEN" | "LOCAL_DEV">): string | null {
  const token = env.ADMIN_TOKEN;
  if (token === undefined || token.length === 0 || isLocalDev(env)) return null;
  return token.length < MIN_ADMIN_TOKEN_LENGTH ? `ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters` : null;
}
