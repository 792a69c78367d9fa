/** Compare and promote between environments (ui/src/flag-compare-model.ts). */
import { describe, expect, it } from "vitest";
import { canConfirmPromote, compareTargets, flagContent, promotePlan } from "../../../ui/src/flag-compare-model.js";

const flag = { key: "f", enabled: true, fallthrough: { variant: "on" }, version: 4, updatedAt: "t", future: { x: 1 } };

describe("compareTargets", () => {
  it("offers every other environment the token sees, blocked where it may not write", () => {
    const envs = ["development", "staging", "production"];
    expect(compareTargets({ role: "admin", environments: ["*"] }, envs, "development")).toEqual([
      { env: "staging", blocked: null },
      { env: "production", blocked: null },
    ]);
    const operator = compareTargets({ role: "operator", environments: ["development", "staging"] }, envs, "development");
    expect(operator[0]).toEqual({ env: "staging", blocked: null });
    expect(operator[1]!.blocked).toMatch(/may not change flags in production/);
    expect(compareTargets({ role: "viewer", environments: ["*"] }, envs, "staging").every((t) => t.blocked !== null)).toBe(true);
  });
});

describe("promotePlan", () => {
  it("creates the flag when the target has none, guarded by version 0", () => {
    const plan = promotePlan(flag, null);
    expect(plan).toMatchObject({ creates: true, identical: false, expectedVersion: 0 });
    expect(plan.body).toEqual(flagContent(flag));
    expect(plan.body).not.toHaveProperty("version");
    expect(plan.diff).toEqual([{ path: "", kind: "added", before: undefined, after: plan.body }]);
  });
  it("replaces the target's flag guarded by its version, the diff naming each changed path", () => {
    const target = { ...flag, enabled: false, fallthrough: { variant: "off" }, version: 9, updatedAt: "u" };
    const plan = promotePlan(flag, target);
    expect(plan).toMatchObject({ creates: false, identical: false, expectedVersion: 9 });
    expect(plan.diff.map((d) => d.path)).toEqual(["enabled", "fallthrough.variant"]);
    expect(plan.body.future).toEqual({ x: 1 });
  });
  it("is identical when only version and updatedAt differ", () => {
    expect(promotePlan(flag, { ...flag, version: 1, updatedAt: "other" })).toMatchObject({ identical: true, diff: [] });
  });
});

describe("canConfirmPromote", () => {
  it("needs a reason, and on production the key typed out", () => {
    expect(canConfirmPromote("staging", "f", "ship it", "")).toBe(true);
    expect(canConfirmPromote("staging", "f", " ", "")).toBe(false);
    expect(canConfirmPromote("production", "f", "ship it", "F")).toBe(false);
    expect(canConfirmPromote("production", "f", "ship it", "f")).toBe(true);
  });
});
