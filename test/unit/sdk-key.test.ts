import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSdkKey, parseSdkKey } from "../../src/domain/sdk-key.js";
import { EnvironmentName } from "../../src/domain/snapshot.js";

const SECRET = "A".repeat(16) + "b".repeat(8) + "0123456789"; // 34 chars of [A-Za-z0-9]
const envName = fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/);
const secret = fc.stringMatching(/^[A-Za-z0-9]{32,64}$/);
const kind = fc.constantFrom("client" as const, "server" as const);

describe("formatSdkKey / parseSdkKey", () => {
  it("formats ef<c|s>_<env>_<secret>", () => {
    expect(formatSdkKey("server", "production", SECRET)).toBe(`efs_production_${SECRET}`);
    expect(formatSdkKey("client", "staging", SECRET)).toBe(`efc_staging_${SECRET}`);
  });

  it("parses kind and environment", () => {
    expect(parseSdkKey(`efs_production_${SECRET}`)).toEqual({ kind: "server", env: "production" });
    expect(parseSdkKey(`efc_dev-eu-1_${SECRET}`)).toEqual({ kind: "client", env: "dev-eu-1" });
  });

  it("property: round trip for every valid kind, environment and secret", () => {
    fc.assert(
      fc.property(kind, envName, secret, (k, env, s) => {
        expect(EnvironmentName.safeParse(env).success).toBe(true);
        expect(parseSdkKey(formatSdkKey(k, env, s))).toEqual({ kind: k, env });
      }),
      { numRuns: 1000 },
    );
  });

  it("accepts secrets of 32 and 64 characters, environments of 1 and 32", () => {
    expect(parseSdkKey(`efs_a_${"x".repeat(32)}`)).toEqual({ kind: "server", env: "a" });
    expect(parseSdkKey(`efs_${"a".repeat(32)}_${"x".repeat(64)}`)).toEqual({ kind: "server", env: "a".repeat(32) });
  });

  it.each([
    ["empty", ""],
    ["wrong prefix", `efx_production_${SECRET}`],
    ["no kind", `ef_production_${SECRET}`],
    ["upper-case prefix", `EFS_production_${SECRET}`],
    ["missing env", `efs__${SECRET}`],
    ["upper-case env", `efs_Production_${SECRET}`],
    ["env starting with a digit", `efs_1prod_${SECRET}`],
    ["env with underscore", `efs_prod_eu_${SECRET}`],
    ["env too long", `efs_${"a".repeat(33)}_${SECRET}`],
    ["secret too short", `efs_production_${"x".repeat(31)}`],
    ["secret too long", `efs_production_${"x".repeat(65)}`],
    ["secret with symbols", `efs_production_${"x".repeat(31)}-`],
    ["secret with unicode", `efs_production_${"x".repeat(31)}é`],
    ["no secret", "efs_production_"],
    ["leading space", ` efs_production_${SECRET}`],
    ["trailing newline", `efs_production_${SECRET}\n`],
    ["Bearer prefix kept", `Bearer efs_production_${SECRET}`],
    ["admin-looking token", "test-admin-token"],
  ])("rejects %s", (_label, key) => {
    expect(parseSdkKey(key)).toBeUndefined();
  });

  it("property: never throws, and anything it accepts re-formats to itself", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.tuple(kind, envName, secret).map(([k, e, s]) => formatSdkKey(k, e, s))), (key) => {
        const parsed = parseSdkKey(key);
        if (parsed) {
          const secretPart = key.slice(key.indexOf("_", 4) + 1);
          expect(formatSdkKey(parsed.kind, parsed.env, secretPart)).toBe(key);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
