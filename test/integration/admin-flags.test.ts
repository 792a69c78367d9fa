import { describe, expect, it } from "vitest";
import { admin, adminJson, booleanFlag, createToken } from "./admin-helpers.js";
import { postJson, published } from "./helpers.js";

type FlagBody = { flag: { key: string; version: number; enabled: boolean; tags: string[] }; created: boolean; changed: boolean; environmentVersion: number; published: boolean };
type ErrorBody = { error: { code: string; message: string; details: { path: string; message: string }[] } };

describe("admin flags", () => {
  it("creates (201), replaces (200) and reads a flag with its version as ETag", async () => {
    const created = await adminJson<FlagBody>("PUT", "/envs/staging/flags/new_checkout", booleanFlag("new_checkout"));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ created: true, changed: true, published: true, flag: { key: "new_checkout", version: 1 } });
    expect(created.headers.get("etag")).toBe('"1"');
    const replaced = await adminJson<FlagBody>("PUT", "/envs/staging/flags/new_checkout", booleanFlag("new_checkout", { enabled: false }));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ created: false, changed: true, flag: { version: 2, enabled: false } });
    expect(replaced.body.environmentVersion).toBeGreaterThan(created.body.environmentVersion);
    const same = await adminJson<FlagBody>("PUT", "/envs/staging/flags/new_checkout", booleanFlag("new_checkout", { enabled: false }));
    expect(same.body).toMatchObject({ changed: false, flag: { version: 2 } });
    const read = await adminJson<{ flag: { version: number }; override: null }>("GET", "/envs/staging/flags/new_checkout");
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ flag: { version: 2 }, override: null });
    expect(read.headers.get("etag")).toBe('"2"');
  });

  it("answers 409 on a stale If-Match or expectedVersion, and accepts the current one", async () => {
    await adminJson("PUT", "/envs/staging/flags/occ_flag", booleanFlag("occ_flag"));
    const stale = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/occ_flag", booleanFlag("occ_flag", { enabled: false }), undefined, { "If-Match": '"7"' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("VERSION_CONFLICT");
    const staleQuery = await adminJson<ErrorBody>("PATCH", "/envs/staging/flags/occ_flag?expectedVersion=3", { enabled: false });
    expect(staleQuery.status).toBe(409);
    const fresh = await adminJson<FlagBody>("PATCH", "/envs/staging/flags/occ_flag", { enabled: false }, undefined, { "If-Match": 'W/"1"' });
    expect(fresh.status).toBe(200);
    expect(fresh.body.flag).toMatchObject({ version: 2, enabled: false });
    // expectedVersion 0 means "create only": it conflicts with an existing flag.
    const createOnly = await adminJson("PUT", "/envs/staging/flags/occ_flag?expectedVersion=0", booleanFlag("occ_flag"));
    expect(createOnly.status).toBe(409);
  });

  it("patches with JSON Merge Patch and validates the result", async () => {
    await adminJson("PUT", "/envs/staging/flags/patch_me", booleanFlag("patch_me", { tags: ["a"], description: "x" }));
    const patched = await adminJson<FlagBody & { flag: { description?: string } }>("PATCH", "/envs/staging/flags/patch_me", { tags: ["b"], description: null });
    expect(patched.status).toBe(200);
    expect(patched.body.flag.tags).toEqual(["b"]);
    expect(patched.body.flag).not.toHaveProperty("description");
    const invalid = await adminJson<ErrorBody>("PATCH", "/envs/staging/flags/patch_me", { offVariant: "nope" });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details[0]?.path).toBe("offVariant");
    const rename = await adminJson<ErrorBody>("PATCH", "/envs/staging/flags/patch_me", { key: "other" });
    expect(rename.status).toBe(422);
    const missing = await adminJson<ErrorBody>("PATCH", "/envs/staging/flags/nope_missing", { enabled: true });
    expect(missing.status).toBe(404);
  });

  it("flips a kill switch in one call, audited with the reason, and the edge serves it", async () => {
    const res = await adminJson<FlagBody>("POST", "/envs/production/flags/emergency_shutdown/enable", { reason: "incident 42" });
    expect(res.status).toBe(200);
    expect(res.body.flag.enabled).toBe(true);
    const strong = await postJson("/ofrep/v1/evaluate/flags/emergency_shutdown?consistency=strong", { context: {} }, { "X-API-Key": await serverKey() });
    expect(await strong.json()).toMatchObject({ value: true, reason: "STATIC" });
    const audit = await adminJson<{ entries: { action: string; reason: string; actor: string }[] }>("GET", "/envs/production/audit?flag=emergency_shutdown");
    expect(audit.body.entries[0]).toMatchObject({ action: "flag.enabled", reason: "incident 42", actor: "admin:bootstrap" });
    const off = await adminJson<FlagBody>("POST", "/envs/production/flags/emergency_shutdown/disable");
    expect(off.status).toBe(200);
    expect(off.body.flag.enabled).toBe(false);
  });

  it("archives a flag: it leaves the edge and the list, and is audited", async () => {
    await adminJson("PUT", "/envs/staging/flags/to_archive", booleanFlag("to_archive"));
    const res = await adminJson<{ environmentVersion: number }>("DELETE", "/envs/staging/flags/to_archive?reason=cleanup");
    expect(res.status).toBe(200);
    expect((await adminJson("GET", "/envs/staging/flags/to_archive")).status).toBe(404);
    const list = await adminJson<{ flags: { flag: { key: string } }[] }>("GET", "/envs/staging/flags");
    expect(list.body.flags.map((f) => f.flag.key)).not.toContain("to_archive");
    expect((await adminJson("DELETE", "/envs/staging/flags/to_archive")).status).toBe(404);
    // Re-creating it continues its version history.
    const again = await adminJson<FlagBody>("PUT", "/envs/staging/flags/to_archive", booleanFlag("to_archive"));
    expect(again.body.flag.version).toBe(3);
  });

  it("lists with filters and reports configuration overrides", async () => {
    const all = await adminJson<{ flags: { flag: { key: string; category: string }; override: unknown }[] }>("GET", "/envs/staging/flags?category=safety");
    expect(all.body.flags.map((f) => f.flag.key).sort()).toEqual(["emergency_shutdown", "maintenance_mode", "read_only_mode"]);
    expect(all.body.flags.find((f) => f.flag.key === "maintenance_mode")?.override).toEqual({ variant: "on", source: "FLAG_OVERRIDES" });
    const disabled = await adminJson<{ flags: { flag: { enabled: boolean } }[] }>("GET", "/envs/staging/flags?enabled=false");
    expect(disabled.body.flags.every((f) => !f.flag.enabled)).toBe(true);
    const tagged = await adminJson<{ flags: unknown[] }>("GET", "/envs/staging/flags?tag=demo");
    expect(tagged.body.flags.length).toBe(4);
    const bad = await adminJson<ErrorBody>("GET", "/envs/staging/flags?enabled=maybe");
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]?.path).toBe("query.enabled");
  });

  it("exports, dry-runs an import with a diff, imports, and promotes", async () => {
    const exported = await adminJson<{ flags: { key: string }[] }>("GET", "/envs/development/export");
    expect(exported.status).toBe(200);
    const changedSet = { flags: [...exported.body.flags.filter((f) => f.key !== "otel_enabled"), booleanFlag("imported_new")] };
    const dry = await adminJson<{ dryRun: boolean; diff: { added: string[]; removed: string[]; changed: string[] } }>(
      "POST", "/envs/development/import?mode=replace&dryRun=true", changedSet,
    );
    expect(dry.body).toMatchObject({ dryRun: true, diff: { added: ["imported_new"], removed: ["otel_enabled"], changed: [] } });
    expect((await adminJson("GET", "/envs/development/flags/otel_enabled")).status).toBe(200);
    const applied = await adminJson<{ environmentVersion: number }>("POST", "/envs/development/import?mode=replace", changedSet);
    expect(applied.status).toBe(200);
    expect((await adminJson("GET", "/envs/development/flags/otel_enabled")).status).toBe(404);
    const promoted = await adminJson<{ diff: { added: string[] } }>("POST", "/envs/development/promote", { to: "production", flags: ["imported_new"] });
    expect(promoted.status).toBe(200);
    expect(promoted.body.diff.added).toEqual(["imported_new"]);
    expect((await adminJson("GET", "/envs/production/flags/imported_new")).status).toBe(200);
    const missing = await adminJson<ErrorBody>("POST", "/envs/development/promote", { to: "production", flags: ["ghost"] });
    expect(missing.status).toBe(404);
  });

  it("rejects bad input with the envelope: 400 malformed JSON, 415, 422 with the field, 404 unknown env, 413", async () => {
    const malformed = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/x1", "{nope");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("INVALID_JSON");
    const wrongType = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/x1", "key=x1", undefined, { "Content-Type": "text/plain" });
    expect(wrongType.status).toBe(415);
    const invalid = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/x1", booleanFlag("x1", { variants: { on: "yes", off: false } }));
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details.map((d) => d.path)).toContain("body.variants.on");
    const mismatch = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/x1", booleanFlag("x2"));
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error.details[0]?.path).toBe("key");
    const badKey = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/bad%20key", booleanFlag("bad key"));
    expect(badKey.status).toBe(422);
    expect(badKey.body.error.details[0]?.path).toBe("path.key");
    const unknownEnv = await adminJson<ErrorBody>("GET", "/envs/qa/flags");
    expect(unknownEnv.status).toBe(404);
    const huge = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/x1", booleanFlag("x1", { description: "x".repeat(300_000) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await adminJson("GET", "/envs/staging/flags/x1")).status).toBe(404);
  });
});

describe("admin auth and roles", () => {
  it("answers 401 without or with a wrong token, with the envelope", async () => {
    const none = await fetchNoAuth("/admin/v1/envs/staging/flags");
    expect(none.status).toBe(401);
    expect(((await none.json()) as ErrorBody).error.code).toBe("UNAUTHORIZED");
    for (const token of ["wrong", "eft_" + "x".repeat(40), "test-admin-token-but-longer"]) {
      expect((await admin("GET", "/envs/staging/flags", undefined, token)).status, token).toBe(401);
    }
  });

  it("enforces viewer < operator < admin, per environment", async () => {
    const viewer = await createToken("viewer");
    const stagingOperator = await createToken("operator", ["staging"]);
    expect((await admin("GET", "/envs/production/flags", undefined, viewer)).status).toBe(200);
    expect((await admin("POST", "/envs/production/flags/read_only_mode/enable", {}, viewer)).status).toBe(403);
    expect((await admin("POST", "/envs/staging/flags/read_only_mode/enable", {}, stagingOperator)).status).toBe(200);
    expect((await admin("POST", "/envs/production/flags/read_only_mode/enable", {}, stagingOperator)).status).toBe(403);
    expect((await admin("GET", "/envs/production/flags", undefined, stagingOperator)).status).toBe(403);
    expect((await admin("POST", "/envs/staging/sdk-keys", { name: "k", kind: "server" }, stagingOperator)).status).toBe(403);
    expect((await admin("POST", "/tokens", { name: "t", role: "viewer", environments: ["*"] }, stagingOperator)).status).toBe(403);
    // Promotion needs operator on the target too.
    expect((await admin("POST", "/envs/staging/promote", { to: "production" }, stagingOperator)).status).toBe(403);
  });

  it("records the token as the actor: its name and id", async () => {
    const res = await adminJson<{ token: string; name: string; id: string }>("POST", "/tokens", { name: "ci-bot", role: "operator", environments: ["staging"] });
    await admin("POST", "/envs/staging/flags/read_only_mode/disable", { reason: "bot" }, res.body.token);
    await admin("POST", "/envs/staging/flags/read_only_mode/enable", { reason: "bot" }, res.body.token);
    const actor = `token:ci-bot#${res.body.id}`;
    const audit = await adminJson<{ entries: { actor: string }[] }>("GET", `/envs/staging/audit?actor=${encodeURIComponent(actor)}`);
    expect(audit.body.entries.length).toBe(2);
    expect(audit.body.entries.every((e) => e.actor === actor)).toBe(true);
  });

  it("creates tokens shown once, lists them without secrets, and revokes them at once", async () => {
    const created = await adminJson<{ id: string; token: string; role: string }>("POST", "/tokens", { name: "temp", role: "viewer", environments: ["staging"] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^eft_[A-Za-z0-9]{40}$/);
    const list = await adminJson<{ tokens: Record<string, unknown>[] }>("GET", "/tokens");
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(list.body.tokens.find((t) => t["id"] === created.body.id)).toMatchObject({ name: "temp", role: "viewer", environments: ["staging"], revokedAt: null });
    expect((await admin("GET", "/envs/staging/flags", undefined, created.body.token)).status).toBe(200);
    expect((await admin("DELETE", `/tokens/${created.body.id}`)).status).toBe(200);
    expect((await admin("GET", "/envs/staging/flags", undefined, created.body.token)).status).toBe(401);
    expect((await admin("DELETE", `/tokens/${created.body.id}`)).status).toBe(404);
    const bad = await adminJson<ErrorBody>("POST", "/tokens", { name: "x", role: "root", environments: [] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining(["body.role"]));
    const access = await adminJson<{ entries: { action: string }[] }>("GET", "/audit");
    expect(access.body.entries.map((e) => e.action)).toEqual(expect.arrayContaining(["token.created", "token.revoked"]));
  });

  it("manages SDK keys through the API; the edge accepts a new key and refuses a revoked one", async () => {
    const created = await adminJson<{ id: string; key: string; published: boolean }>("POST", "/envs/production/sdk-keys", { name: "web", kind: "client" });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^efc_production_/);
    await published("production");
    const ok = await postJson("/ofrep/v1/evaluate/flags", { context: {} }, { Authorization: `Bearer ${created.body.key}` });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    const list = await adminJson<{ keys: { id: string }[] }>("GET", "/envs/production/sdk-keys");
    expect(list.body.keys.map((k) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect((await admin("DELETE", `/envs/production/sdk-keys/${created.body.id}`)).status).toBe(200);
    await published("production");
    const denied = await postJson("/ofrep/v1/evaluate/flags", { context: {} }, { Authorization: `Bearer ${created.body.key}` });
    expect(denied.status).toBe(401);
  });

  it("serves an OpenAPI 3.1 document generated from the schemas", async () => {
    const res = await fetchNoAuth("/admin/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    for (const path of ["/envs/{env}/flags", "/envs/{env}/flags/{key}", "/envs/{env}/flags/{key}/enable", "/envs/{env}/import", "/envs/{env}/audit", "/envs/{env}/audit/verify", "/tokens", "/envs/{env}/sdk-keys"]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(Object.keys(doc.paths["/envs/{env}/flags/{key}"] ?? {})).toEqual(expect.arrayContaining(["get", "put", "patch", "delete"]));
  });
});

async function serverKey(): Promise<string> {
  const created = await adminJson<{ key: string }>("POST", "/envs/production/sdk-keys", { name: "server", kind: "server" });
  await published("production");
  return created.body.key;
}

async function fetchNoAuth(path: string): Promise<Response> {
  const { call } = await import("./helpers.js");
  return call(path);
}
