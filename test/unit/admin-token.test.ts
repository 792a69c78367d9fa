/** The bootstrap-token strength rule, and that local development relaxes it. */
import { describe, expect, it } from "vitest";
import { adminTokenWeakness, MIN_ADMIN_TOKEN_LENGTH } from "../../src/admin-token.js";
import { loadConfig } from "../../src/config.js";
import type { Env } from "../../src/env.js";

describe("adminTokenWeakness", () => {
  it("refuses a short bootstrap token outside local development, and never echoes it", () => {
    const short = "x".repeat(MIN_ADMIN_TOKEN_LENGTH - 1);
    const weakness = adminTokenWeakness(short, false);
    expect(weakness).toBe("ADMIN_TOKEN is shorter than 32 characters");
    expect(weakness).not.toContain(short);
  });

  it("accepts 32 characters or more, an unset token, and anything in local development", () => {
    expect(adminTokenWeakness("x".repeat(MIN_ADMIN_TOKEN_LENGTH), false)).toBeNull();
    expect(adminTokenWeakness(undefined, false)).toBeNull();
    expect(adminTokenWeakness("", false)).toBeNull();
    expect(adminTokenWeakness("dev-admin-token", true)).toBeNull();
  });
});

describe("LOCAL_DEV", () => {
  const config = (LOCAL_DEV: string | undefined) => loadConfig({ LOCAL_DEV } as unknown as Env);
  it('is on only for "true" (any case, trimmed), off when unset or "false"', () => {
    for (const on of ["true", "TRUE", " true "]) {
      const c = config(on);
      expect(c.ok && c.config.localDev, on).toBe(true);
    }
    for (const off of [undefined, "", "false"]) {
      const c = config(off);
      expect(c.ok && c.config.localDev, String(off)).toBe(false);
    }
  });

  it("any other value is a configuration error naming LOCAL_DEV", () => {
    const c = config("yes");
    expect(c.ok).toBe(false);
    expect(c.ok ? [] : c.issues.join(" ")).toContain("LOCAL_DEV");
  });
});
