/**
 * The dashboard's files through the Worker (src/http/ui.ts and the ASSETS binding): index.html for
 * every client route, the bundles by name, the strict CSP and nosniff on each, and the API around
 * it unchanged (assets are reachable only under /ui/).
 */
import { describe, expect, it } from "vitest";
import { call } from "./helpers.js";

describe("GET /ui/…", () => {
  it("serves index.html for /ui/ and client routes, the bundles by name, each with the strict CSP", async () => {
    for (const [path, type] of [
      ["/ui/", "text/html"],
      ["/ui/production/flags", "text/html"],
      ["/ui/app.js", "javascript"],
      ["/ui/app.css", "text/css"],
    ] as const) {
      const res = await call(path);
      const body = await res.text();
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toContain(type);
      expect(res.headers.get("content-security-policy"), path).toContain("script-src 'self'");
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      if (type === "text/html") expect(body, path).toContain('src="/ui/app.js"');
    }
  });

  it("redirects /ui to /ui/ and keeps the built files off every other path", async () => {
    const bare = await call("/ui", { redirect: "manual" });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("/ui/");
    expect((await call("/app.js")).status).toBe(404);
    expect((await call("/index.html")).status).toBe(404);
    expect((await call("/health")).headers.get("content-type")).toContain("application/json");
  });
});
