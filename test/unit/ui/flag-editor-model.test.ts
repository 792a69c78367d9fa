/** The flag editor's pure logic (ui/src/flag-editor-model.ts): editable JSON, parsing, error lines, access. */
import { describe, expect, it } from "vitest";
import { canManageTokens, editableFlagJson, errorLines, hasRole, ifMatch, parseFlagJson } from "../../../ui/src/flag-editor-model.js";

describe("editableFlagJson", () => {
  it("drops the server-owned version and updatedAt and keeps everything else", () => {
    const text = editableFlagJson({ key: "f", enabled: true, version: 7, updatedAt: "2026-01-01T00:00:00.000Z", rules: [] });
    expect(JSON.parse(text)).toEqual({ key: "f", enabled: true, rules: [] });
    expect(text).toContain('\n  "key": "f"');
  });
});

describe("parseFlagJson", () => {
  it("accepts a JSON object", () => {
    expect(parseFlagJson('{"key":"f"}')).toEqual({ ok: true, value: { key: "f" } });
  });
  it("refuses broken JSON and non-objects with a message", () => {
    const broken = parseFlagJson("{");
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.message).toMatch(/^not valid JSON/);
    expect(parseFlagJson("[1]")).toEqual({ ok: false, message: "the flag must be a JSON object" });
    expect(parseFlagJson("null")).toEqual({ ok: false, message: "the flag must be a JSON object" });
  });
});

describe("errorLines", () => {
  it("shows each detail as 'path: message'", () => {
    expect(errorLines("the request is invalid", [{ path: "body.rules.0.when.0.op", message: "Invalid option" }, { path: "", message: "whole" }])).toEqual([
      "body.rules.0.when.0.op: Invalid option",
      "whole",
    ]);
  });
  it("falls back to the message without details", () => {
    expect(errorLines("flag is archived", [])).toEqual(["flag is archived"]);
  });
});

describe("access", () => {
  it("quotes the version as an ETag for If-Match", () => {
    expect(ifMatch(12)).toBe('"12"');
  });
  it("orders roles and scopes them by environment", () => {
    const op = { role: "operator", environments: ["staging"] };
    expect(hasRole(op, "staging", "operator")).toBe(true);
    expect(hasRole(op, "staging", "admin")).toBe(false);
    expect(hasRole(op, "production", "viewer")).toBe(false);
    expect(hasRole({ role: "viewer", environments: ["*"] }, "production", "viewer")).toBe(true);
    expect(hasRole({ role: "viewer", environments: ["*"] }, "production", "operator")).toBe(false);
  });
  it("lets only an admin on * manage API tokens", () => {
    expect(canManageTokens({ role: "admin", environments: ["*"] })).toBe(true);
    expect(canManageTokens({ role: "admin", environments: ["production"] })).toBe(false);
    expect(canManageTokens({ role: "operator", environments: ["*"] })).toBe(false);
  });
});
