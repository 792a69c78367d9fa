/**
 * Audit text is safe to print: reasons, names, descriptions, tags and owners refuse control
 * characters and bidirectional overrides with a 422 naming the field, and nothing is written.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminJson, booleanFlag } from "./admin-helpers.js";

type ErrorBody = { error: { code: string; message: string; details: { path: string; message: string }[] } };
type AuditBody = { entries: { action: string; reason: string | null }[] };

/** The 422's field paths, and asserts the message says what is wrong. */
function refusedPaths(res: { status: number; body: unknown }): string[] {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  const body = res.body as ErrorBody;
  expect(body.error.code).toBe("VALIDATION_FAILED");
  for (const d of body.error.details) expect(d.message).toMatch(/must not contain/);
  return body.error.details.map((d) => d.path);
}

describe("control characters in audit text", () => {
  it("a kill switch with an escape sequence in its reason is refused, naming reason, and not flipped", async () => {
    await adminJson("PUT", "/envs/staging/flags/text_kill", booleanFlag("text_kill", { enabled: false }));
    const res = await adminJson("POST", "/envs/staging/flags/text_kill/enable", { reason: "fixed \u001b[2J\u001b[Hall clear" });
    expect(refusedPaths(res)).toEqual(["body.reason"]);
    expect((res.body as ErrorBody).error.details[0]?.message).toContain("U+001B");
    // The same reason in the query string, a C1 CSI, and a bidi override: refused too.
    const query = await adminJson("POST", `/envs/staging/flags/text_kill/enable?reason=${encodeURIComponent("ok\u009b2J")}`);
    expect(refusedPaths(query)).toEqual(["query.reason"]);
    const bidi = await adminJson("POST", "/envs/staging/flags/text_kill/enable", { reason: "approved \u202edegnahc\u202c" });
    expect(refusedPaths(bidi)).toEqual(["body.reason"]);
    expect((bidi.body as ErrorBody).error.details[0]?.message).toContain("bidirectional override");
    const flag = await adminJson<{ flag: { enabled: boolean } }>("GET", "/envs/staging/flags/text_kill");
    expect(flag.body.flag.enabled).toBe(false);
    const audit = await adminJson<AuditBody>("GET", "/envs/staging/audit?flag=text_kill");
    expect(audit.body.entries.map((e) => e.action)).not.toContain("flag.enabled");
    // A clean reason still works.
    expect((await adminJson("POST", "/envs/staging/flags/text_kill/enable", { reason: "incident 7 resolved" })).status).toBe(200);
  });

  it("rollout commands and creation refuse a reason with a newline", async () => {
    await adminJson("PUT", "/envs/staging/flags/text_rollout", booleanFlag("text_rollout", { fallthrough: { variant: "off" } }));
    const create = await adminJson("POST", "/envs/staging/rollouts", { flag: "text_rollout", variant: "on", strategy: "fast", reason: "go\nINFO: fake log line" });
    expect(refusedPaths(create)).toEqual(["body.reason"]);
    const command = await adminJson("POST", "/envs/staging/rollouts/nope/pause", { reason: "\u0007bell" });
    expect(refusedPaths(command)).toEqual(["body.reason"]);
  });

  it("token and SDK key names refuse control characters; nothing is created", async () => {
    const token = await adminJson("POST", "/tokens", { name: "ci\u001b]0;pwned\u0007", role: "viewer", environments: ["staging"] });
    expect(refusedPaths(token)).toEqual(["body.name"]);
    const tokens = await adminJson<{ tokens: { name: string }[] }>("GET", "/tokens");
    expect(tokens.body.tokens.some((t) => t.name.startsWith("ci\u001b"))).toBe(false);
    const key = await adminJson("POST", "/envs/staging/sdk-keys", { name: "web\r\nserver", kind: "server" });
    expect(refusedPaths(key)).toEqual(["body.name"]);
  });

  it("a flag description may keep \\n but not \\t or \\r; tags and owner take one line", async () => {
    const tab = await adminJson("PUT", "/envs/staging/flags/text_desc", booleanFlag("text_desc", { description: "col1\tcol2" }));
    expect(refusedPaths(tab).some((p) => p.endsWith("description"))).toBe(true);
    expect((await adminJson("GET", "/envs/staging/flags/text_desc")).status).toBe(404);
    const cr = await adminJson("PUT", "/envs/staging/flags/text_desc", booleanFlag("text_desc", { description: "line\r\nline" }));
    expect(refusedPaths(cr).some((p) => p.endsWith("description"))).toBe(true);
    const tag = await adminJson("PUT", "/envs/staging/flags/text_desc", booleanFlag("text_desc", { tags: ["ok", "bad\ntag"] }));
    expect(refusedPaths(tag).some((p) => p.endsWith("tags.1"))).toBe(true);
    const owner = await adminJson("PUT", "/envs/staging/flags/text_desc", booleanFlag("text_desc", { owner: "team\u0085x" }));
    expect(refusedPaths(owner).some((p) => p.endsWith("owner"))).toBe(true);
    const patched = await adminJson("PATCH", "/envs/staging/flags/text_kill", { description: "a\u0000b" });
    expect(refusedPaths(patched).some((p) => p.endsWith("description"))).toBe(true);

    const ok = await adminJson<{ flag: { description: string } }>("PUT", "/envs/staging/flags/text_desc", booleanFlag("text_desc", { description: "first line\nsecond line" }));
    expect(ok.status).toBe(201);
    expect(ok.body.flag.description).toBe("first line\nsecond line");
  });

  it("a flag stored before the rule (a tab in its description) still reads, lists and publishes", async () => {
    await adminJson("PUT", "/envs/staging/flags/text_legacy", booleanFlag("text_legacy", { description: "clean" }));
    // What an older version accepted, written as it stored it.
    await runInDurableObject(env.ENVIRONMENT.getByName("staging"), (_instance, state) => {
      const row = state.storage.sql.exec<{ body: string }>("SELECT body FROM flags WHERE key = ?", "text_legacy").one();
      const body = { ...(JSON.parse(row.body) as Record<string, unknown>), description: "col1\tcol2" };
      state.storage.sql.exec("UPDATE flags SET body = ? WHERE key = ?", JSON.stringify(body), "text_legacy");
    });
    const read = await adminJson<{ flag: { description: string } }>("GET", "/envs/staging/flags/text_legacy");
    expect(read.status).toBe(200);
    expect(read.body.flag.description).toBe("col1\tcol2");
    const list = await adminJson<{ flags: { flag: { key: string } }[] }>("GET", "/envs/staging/flags");
    expect(list.status).toBe(200);
    expect(list.body.flags.map((f) => f.flag.key)).toContain("text_legacy");
    // Other flags still change and publish; changing the legacy flag asks for its description to be fixed.
    expect((await adminJson("PUT", "/envs/staging/flags/text_other", booleanFlag("text_other"))).status).toBe(201);
    const patch = await adminJson("PATCH", "/envs/staging/flags/text_legacy", { enabled: false });
    expect(refusedPaths(patch).some((p) => p.endsWith("description"))).toBe(true);
    expect((await adminJson("PATCH", "/envs/staging/flags/text_legacy", { enabled: false, description: "col1 col2" })).status).toBe(200);
  });
});
