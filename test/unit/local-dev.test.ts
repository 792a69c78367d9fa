/** The local-development switch and the bootstrap-token strength rule that keys on it. */
import { describe, expect, it } from "vitest";
import { adminTokenWeakness, isLocalDev, MIN_ADMIN_TOKEN_LENGTH } from "../../src/local-dev.js";

describe("isLocalDev", () => {
  it('is on only for "true" (any case, trimmed)', () => {
    for (const on of ["true", "TRUE", " true "]) expect(isLocalDev({ LOCAL_DEV: on }), on).toBe(true);
    for (const off of [undefined, "", "false", "1", "yes"]) expect(isLocalDev({ LOCAL_DEV: off }), String(off)).toBe(false);
  });
});

describe("adminTokenWeakness", () => {
  it("refuses a short bootstrap token outside local development, and never echoes it", () => {
    const short = "x".repeat(MIN_ADMIN_TOKEN_LENGTH - 1);
    const weakness = adminTokenWeakness({ ADMIN_TOKEN: short });
    expect(weakness).toBe("ADMIN_TOKEN is shorter than 32 characters");
    expect(weakness).not.toContain(short);
  });

  it("accepts 32 characters or more, an unset token, and anything in local development", () => {
    expect(adminTokenWeakness({ ADMIN_TOKEN: "x".repeat(MIN_ADMIN_TOKEN_LENGTH) })).toBeNull();
    expect(adminTokenWeakness({})).toBeNull();
    expect(adminTokenWeakness({ ADMIN_TOKEN: "" })).toBeNull();
    expect(adminTokenWeakness({ ADMIN_TOKEN: "dev-admin-token", LOCAL_DEV: "true" })).toBeNull();
  });
});
