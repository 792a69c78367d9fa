/**
 * How strong the bootstrap `ADMIN_TOKEN` must be: at least 32 characters in every deployed
 * environment; local development (`LOCAL_DEV`, src/config.ts) may use a short one.
 */

/** The bootstrap token's minimum length outside local development. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/** Why the configured ADMIN_TOKEN is too weak to deploy, or null when it is fine (or unset). Never echoes it. */
export function adminTokenWeakness(token: string | undefined, localDev: boolean): string | null {
  if (token === undefined || token.length === 0 || localDev) return null;
  return token.length < MIN_ADMIN_TOKEN_LENGTH ? `ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters` : null;
}
