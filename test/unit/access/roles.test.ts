/**
 * Admin roles and grants: viewer < operator < admin, each bound to named environments or to all
 * (`"*"`), and the token-environments schema that admits only those two shapes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allows, Role, roleAtLeast, TokenEnvironments, type Principal } from "../../../src/access/roles.js";

const ROLES = ["viewer", "operator", "admin"] as const;
const principal = (role: Role, environments: readonly string[]): Principal => ({ actor: `token:${role}`, role, environments });

describe("roleAtLeast", () => {
  it("orders viewer < operator < admin", () => {
    const table = ROLES.map((have) => ROLES.map((need) => roleAtLeast(have, need)));
    expect(table).toEqual([
      // need: viewer, operator, admin
      [true, false, false], // have viewer
      [true, true, false], // have operator
      [true, true, true], // have admin
    ]);
  });

  it("property: is a total order (reflexive, transitive, antisymmetric)", () => {
    const role = fc.constantFrom(...ROLES);
    fc.assert(
      fc.property(role, role, role, (a, b, c) => {
        expect(roleAtLeast(a, a)).toBe(true);
        expect(roleAtLeast(a, b) || roleAtLeast(b, a)).toBe(true);
        if (roleAtLeast(a, b) && roleAtLeast(b, a)) expect(a).toBe(b);
        if (roleAtLeast(a, b) && roleAtLeast(b, c)) expect(roleAtLeast(a, c)).toBe(true);
      }),
    );
  });
});

describe("allows", () => {
  it("a grant on all environments covers any named environment and the unnamed (global) case", () => {
    const p = principal("operator", ["*"]);
    expect(allows(p, "operator", "production")).toBe(true);
    expect(allows(p, "viewer", "anything-else")).toBe(true);
    expect(allows(p, "operator")).toBe(true);
  });

  it("a scoped grant covers only its environments, and never the global case", () => {
    const p = principal("admin", ["staging", "development"]);
    expect(allows(p, "admin", "staging")).toBe(true);
    expect(allows(p, "viewer", "development")).toBe(true);
    expect(allows(p, "viewer", "production")).toBe(false);
    expect(allows(p, "viewer")).toBe(false);
  });

  it("environment names match exactly (no prefixes, no case folding)", () => {
    const p = principal("admin", ["staging"]);
    expect(allows(p, "viewer", "staging-2")).toBe(false);
    expect(allows(p, "viewer", "stag")).toBe(false);
    expect(allows(p, "viewer", "Staging")).toBe(false);
  });

  it("too low a role is refused even where the environment is granted", () => {
    expect(allows(principal("viewer", ["*"]), "operator", "production")).toBe(false);
    expect(allows(principal("operator", ["production"]), "admin", "production")).toBe(false);
  });

  it("property: allowed exactly when the role suffices and the environment is granted", () => {
    const env = fc.constantFrom("production", "staging", "development", "qa");
    const grants: fc.Arbitrary<readonly string[]> = fc.oneof(fc.constant(["*"]), fc.uniqueArray(env, { minLength: 1 }));
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.constantFrom(...ROLES), grants, fc.option(env, { nil: undefined }), (have, need, envs, target) => {
        const granted = envs.includes("*") || (target !== undefined && envs.includes(target));
        expect(allows(principal(have, envs), need, target)).toBe(roleAtLeast(have, need) && granted);
      }),
      { numRuns: 300 },
    );
  });
});

describe("Role and TokenEnvironments schemas", () => {
  it("Role admits exactly the three roles", () => {
    for (const r of ROLES) expect(Role.parse(r)).toBe(r);
    for (const bad of ["root", "Admin", "", "owner"]) expect(Role.safeParse(bad).success).toBe(false);
  });

  it("TokenEnvironments is either [\"*\"] or 1-64 environment names", () => {
    expect(TokenEnvironments.parse(["*"])).toEqual(["*"]);
    expect(TokenEnvironments.parse(["production", "staging"])).toEqual(["production", "staging"]);
    const names = Array.from({ length: 64 }, (_, i) => `env-${i}`);
    expect(TokenEnvironments.safeParse(names).success).toBe(true);
    expect(TokenEnvironments.safeParse([...names, "one-too-many"]).success).toBe(false);
    expect(TokenEnvironments.safeParse([]).success).toBe(false);
    // "*" cannot be mixed with names: a grant is either everything or a list.
    expect(TokenEnvironments.safeParse(["*", "production"]).success).toBe(false);
    expect(TokenEnvironments.safeParse(["Production"]).success).toBe(false);
    expect(TokenEnvironments.safeParse(["prod*"]).success).toBe(false);
  });
});
