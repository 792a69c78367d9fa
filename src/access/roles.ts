/**
 * Admin roles and grants (docs/admin-api.md, "Tokens and roles"): `viewer` < `operator` < `admin`, each bound to a set of
 * environments (`"*"` = all). Pure: no I/O.
 */
import { z } from "zod";
import { EnvironmentName } from "../domain/snapshot.js";

export const Role = z.enum(["viewer", "operator", "admin"]);
export type Role = z.infer<typeof Role>;

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export const TokenEnvironments = z.union([z.tuple([z.literal("*")]), z.array(EnvironmentName).min(1).max(64)]);
export type TokenEnvironments = z.infer<typeof TokenEnvironments>;

/** Who is calling the admin API. `actor` is what the audit log records. */
export interface Principal {
  readonly actor: string;
  readonly role: Role;
  readonly environments: readonly string[];
}

export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** True when the principal has at least `need` on `environment` (or on all, when omitted). */
export function allows(principal: Principal, need: Role, environment?: string): boolean {
  if (!roleAtLeast(principal.role, need)) return false;
  if (principal.environments.includes("*")) return true;
  return environment !== undefined && principal.environments.includes(environment);
}
