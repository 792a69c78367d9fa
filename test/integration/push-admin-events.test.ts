/** The admin event stream: audit events as they commit, authenticated like the rest of the admin API. */
import { afterEach, describe, expect, it } from "vitest";
import { admin, adminJson, booleanFlag, createToken } from "./admin-helpers.js";
import { SseReader } from "./sse-reader.js";

const open: SseReader[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

describe("GET /admin/v1/envs/{env}/events", () => {
  it("a viewer sees the current version at once, then each write's audit event (id = seq) and the new version", async () => {
    const viewer = await createToken("viewer", ["production"]);
    const res = await admin("GET", "/envs/production/events", undefined, viewer);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = new SseReader(res);
    open.push(reader);
    const hello = await reader.until((e) => e.event === "change");
    const before = (JSON.parse(hello.data) as { version: number }).version;
    const put = await adminJson<{ environmentVersion: number }>("PUT", "/envs/production/flags/push_admin_flag", booleanFlag("push_admin_flag"), undefined, { "X-Change-Reason": "push admin test" });
    expect(put.status).toBe(201);
    const audit = await reader.until((e) => e.event === "audit" && e.data.includes("push_admin_flag"));
    const entry = JSON.parse(audit.data) as { seq: number; action: string; target: { type: string; id: string }; actor: string };
    expect(entry).toMatchObject({ action: "flag.created", target: { type: "flag", id: "push_admin_flag" }, actor: "admin:bootstrap" });
    expect(Number(audit.id)).toBe(entry.seq);
    const change = await reader.until((e) => e.event === "change");
    expect(JSON.parse(change.data)).toEqual({ version: put.body.environmentVersion, lastModified: expect.any(Number) });
    expect(put.body.environmentVersion).toBeGreaterThan(before);
  });

  it("refuses without a token (401), without the role on that environment (403), and an unknown environment (404)", async () => {
    const res = await admin("GET", "/envs/production/events", undefined, "nope");
    expect(res.status).toBe(401);
    const stagingViewer = await createToken("viewer", ["staging"]);
    expect((await admin("GET", "/envs/production/events", undefined, stagingViewer)).status).toBe(403);
    expect((await admin("GET", "/envs/nowhere/events")).status).toBe(404);
  });
});
