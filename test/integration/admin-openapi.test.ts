/**
 * The admin OpenAPI document declares what the API enforces: every operation needs the bearer
 * token, so a client generated from the document sends it on every call.
 */
import { describe, expect, it } from "vitest";
import { call } from "./helpers.js";

type SecurityRequirement = Record<string, string[]>;
interface OpenApiDocument {
  security?: SecurityRequirement[];
  paths: Record<string, Record<string, { security?: SecurityRequirement[] }>>;
  components?: { securitySchemes?: Record<string, { type?: string; scheme?: string }> };
}

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);

describe("admin OpenAPI document", () => {
  it("covers every operation with a bearer security requirement", async () => {
    const res = await call("/admin/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument;
    const schemes = doc.components?.securitySchemes ?? {};
    const bearerSchemes = Object.keys(schemes).filter((name) => schemes[name]?.type === "http" && schemes[name]?.scheme?.toLowerCase() === "bearer");
    expect(bearerSchemes.length).toBeGreaterThan(0);

    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).filter(([method]) => METHODS.has(method)).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
    );
    expect(operations.length).toBeGreaterThan(20);
    for (const { where, op } of operations) {
      // An operation's own `security` replaces the document's; `[]` or `{}` inside it would mean "no auth".
      const requirements = op.security ?? doc.security ?? [];
      expect(requirements.length, where).toBeGreaterThan(0);
      for (const requirement of requirements) {
        expect(Object.keys(requirement).some((name) => bearerSchemes.includes(name)), `${where}: ${JSON.stringify(requirement)}`).toBe(true);
      }
    }
  });
});
