/**
 * A flag's history through the real Worker: GET …/flags/{key}/versions, POST …/flags/{key}/restore
 * and POST …/explain with `at`, all rebuilt from a real audit history — several changes at distinct
 * environment times, the later ones made while D1 is down, so they are still in the Durable
 * Object's outbox and must be seen at once all the same. Happy paths, errors and access.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvironmentDurableObject } from "../../src/environment/durable-object.js";
import { adminJson, booleanFlag, createToken } from "./admin-helpers.js";
import { environment } from "./helpers.js";
import { tickAt } from "./rollout-helpers.js";
import { MINUTE, SimClock } from "../support/sim-clock.js";

const ENV = "production";
const KEY = "history_subject";
const clock = new SimClock();

interface Version { version: number; at: string; actor: string; action: string; reason: string | null; flag: { version: number; enabled: boolean; fallthrough: unknown; description?: string } }
interface Page { versions: Version[]; nextCursor: number | null }
interface Explained { variant?: string; value?: unknown; reason: string; decidedBy: string; flagVersion: number; evaluatedAt: string }
type ErrorBody = { error: { code: string; message: string; details: { path: string; message: string }[] } };

/** While true, the environment's D1 writes fail: its audit rows stay in the outbox. */
let d1Down = false;

/** The instants just after each change (the environment clock, moved by cron ticks). */
const times: number[] = [];

async function changeAt(ms: number, method: string, path: string, body: unknown): Promise<void> {
  await tickAt(ms);
  const res = await adminJson(method, `/envs/${ENV}/flags/${KEY}${path}`, body);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  times.push(ms);
}

beforeAll(async () => {
  const stub = env.ENVIRONMENT.getByName(ENV) as unknown as DurableObjectStub<EnvironmentDurableObject>;
  await runInDurableObject(stub, (instance: EnvironmentDurableObject) => {
    const real = instance.auditDatabase;
    // A test-only wrapper over the real binding: batch() (the flush's insert) fails while d1Down.
    instance.auditDatabase = new Proxy(real, {
      get(target, prop) {
        if (prop === "batch" && d1Down) return async () => Promise.reject(new Error("D1 is down (injected)"));
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  });
  // v1 serves off, v2 serves on (both flushed to D1); then D1 goes down: v3 disabled, v4 described.
  await changeAt(clock.skip(MINUTE), "PUT", "", booleanFlag(KEY, { fallthrough: { variant: "off" } }));
  await changeAt(clock.skip(MINUTE), "PATCH", "", { fallthrough: { variant: "on" } });
  d1Down = true;
  await changeAt(clock.skip(MINUTE), "POST", "/disable", { reason: "incident" });
  await changeAt(clock.skip(MINUTE), "PATCH", "", { description: "while D1 was down" });
});

afterAll(async () => {
  d1Down = false;
  await environment(ENV).flushAudit();
});

describe("GET /envs/{env}/flags/{key}/versions", () => {
  it("lists every version newest first with the whole flag, the ones still in the outbox too", async () => {
    expect((await environment(ENV).status()).audit.pending).toBeGreaterThan(0);
    const res = await adminJson<Page>("GET", `/envs/${ENV}/flags/${KEY}/versions`);
    expect(res.status).toBe(200);
    expect(res.body.versions.map((v) => [v.version, v.action])).toEqual([[4, "flag.updated"], [3, "flag.disabled"], [2, "flag.updated"], [1, "flag.created"]]);
    const [v4, v3, v2, v1] = res.body.versions as [Version, Version, Version, Version];
    expect(v1.flag).toMatchObject({ version: 1, enabled: true, fallthrough: { variant: "off" } });
    expect(v2.flag).toMatchObject({ version: 2, fallthrough: { variant: "on" } });
    expect(v3).toMatchObject({ actor: "admin:bootstrap", reason: "incident", flag: { enabled: false } });
    expect(v4.flag.description).toBe("while D1 was down");
    expect(res.body.versions.map((v) => Date.parse(v.at))).toEqual([...times].reverse());
    // The rebuilt latest version is the stored flag.
    const stored = await adminJson<{ flag: unknown }>("GET", `/envs/${ENV}/flags/${KEY}`);
    expect(v4.flag).toEqual(stored.body.flag);
  });

  it("pages with limit and before", async () => {
    const first = await adminJson<Page>("GET", `/envs/${ENV}/flags/${KEY}/versions?limit=3`);
    expect(first.body.versions.map((v) => v.version)).toEqual([4, 3, 2]);
    expect(first.body.nextCursor).toBe(2);
    const rest = await adminJson<Page>("GET", `/envs/${ENV}/flags/${KEY}/versions?limit=3&before=2`);
    expect(rest.body).toEqual({ versions: [expect.objectContaining({ version: 1 })], nextCursor: null });
  });

  it("a seeded flag's history starts with its creation by system:seed", async () => {
    const res = await adminJson<Page>("GET", `/envs/${ENV}/flags/otel_enabled/versions`);
    expect(res.status).toBe(200);
    expect(res.body.versions.at(-1)).toMatchObject({ version: 1, actor: "system:seed", action: "flag.created", flag: { version: 1 } });
  });

  it("404 for a flag never written, 422 for bad paging", async () => {
    const missing = await adminJson<ErrorBody>("GET", `/envs/${ENV}/flags/never_written/versions`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/no history/);
    const bad = await adminJson<ErrorBody>("GET", `/envs/${ENV}/flags/${KEY}/versions?limit=0&before=x`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d) => d.path).sort()).toEqual(["query.before", "query.limit"]);
  });
});

describe("POST /envs/{env}/flags/{key}/explain with at", () => {
  const explainAt = (at: number | string, context: Record<string, unknown> = { targetingKey: "u1" }) =>
    adminJson<Explained & ErrorBody>("POST", `/envs/${ENV}/flags/${KEY}/explain`, { context, at: typeof at === "number" ? new Date(at).toISOString() : at });

  it("answers from the flag as it was at each instant, evaluated then", async () => {
    const [t1, t2, t3, t4] = times as [number, number, number, number];
    const expected: [number, Partial<Explained>][] = [
      [t1, { flagVersion: 1, variant: "off", decidedBy: "fallthrough" }],
      [t2 - 1, { flagVersion: 1, variant: "off" }],
      [t2, { flagVersion: 2, variant: "on", value: true }],
      [t3 + 30_000, { flagVersion: 3, decidedBy: "disabled", reason: "DISABLED" }],
      [t4, { flagVersion: 4, decidedBy: "disabled" }],
    ];
    for (const [at, want] of expected) {
      const res = await explainAt(at);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ ...want, evaluatedAt: new Date(at).toISOString() });
    }
    // An offset is accepted and means the same instant.
    const offset = new Date(t2 + 2 * 3_600_000).toISOString().replace("Z", "+02:00");
    expect((await explainAt(offset)).body.flagVersion).toBe(2);
  });

  it("applies FLAG_OVERRIDES as recorded then: not before the tick that first saw them", async () => {
    // The test configuration forces staging's maintenance_mode to "on"; the first tick (in
    // beforeAll, at times[0]) recorded that as overrides.changed. The seed came before it.
    const explain = (at: number) => adminJson<Explained & { override: string | null }>("POST", "/envs/staging/flags/maintenance_mode/explain", { context: {}, at: new Date(at).toISOString() });
    expect((await explain(times[0] as number)).body).toMatchObject({ decidedBy: "override", override: "on", variant: "on" });
    expect((await explain((times[0] as number) - 1)).body).toMatchObject({ decidedBy: "disabled", override: null });
  });

  it("404 before the flag existed, with a clear message; 422 for a bad at", async () => {
    const before = await explainAt((times[0] as number) - MINUTE);
    expect(before.status).toBe(404);
    expect(before.body.error.message).toMatch(/did not exist at .*not yet created, or archived/);
    expect(before.body.error.details[0]?.path).toBe("body.at");
    const bad = await explainAt("yesterday");
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d) => d.path)).toContain("body.at");
  });
});

describe("POST /envs/{env}/flags/{key}/restore", () => {
  it("writes the version's content as the next version, audited as flag.restored, while D1 is still down", async () => {
    const res = await adminJson<{ flag: { version: number; enabled: boolean; fallthrough: unknown; description?: string }; changed: boolean }>(
      "POST", `/envs/${ENV}/flags/${KEY}/restore`, { version: 1 }, undefined, { "If-Match": '"4"' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("ETag")).toBe('"5"');
    expect(res.body).toMatchObject({ changed: true, flag: { version: 5, enabled: true, fallthrough: { variant: "off" } } });
    expect(res.body.flag.description).toBeUndefined();
    const versions = await adminJson<Page>("GET", `/envs/${ENV}/flags/${KEY}/versions?limit=1`);
    expect(versions.body.versions[0]).toMatchObject({ version: 5, action: "flag.restored", reason: "restored version 1", actor: "admin:bootstrap" });
    // D1 is still down: the audit event waits in the outbox, with the flag before and after.
    const pending = (await environment(ENV).pendingAudit([KEY])).filter((e) => e.action === "flag.restored");
    expect(pending).toEqual([expect.objectContaining({ before: expect.objectContaining({ version: 4 }), after: expect.objectContaining({ version: 5 }) })]);
    // Restoring what is already there changes nothing.
    const again = await adminJson<{ changed: boolean; flag: { version: number } }>("POST", `/envs/${ENV}/flags/${KEY}/restore`, { version: 5, reason: "no-op" });
    expect(again.body).toMatchObject({ changed: false, flag: { version: 5 } });
  });

  it("brings back an archived flag", async () => {
    const key = "history_archived";
    expect((await adminJson("PUT", `/envs/${ENV}/flags/${key}`, booleanFlag(key))).status).toBe(201);
    expect((await adminJson("DELETE", `/envs/${ENV}/flags/${key}`)).status).toBe(200);
    const res = await adminJson<{ flag: { version: number } }>("POST", `/envs/${ENV}/flags/${key}/restore`, { version: 1, reason: "un-archive" });
    expect(res.status).toBe(200);
    expect(res.body.flag.version).toBe(3); // the archive took version 2
    expect((await adminJson("GET", `/envs/${ENV}/flags/${key}`)).status).toBe(200);
  });

  it("404 for an unknown version or flag, 409 for a stale If-Match, 422 for a bad body", async () => {
    const unknown = await adminJson<ErrorBody>("POST", `/envs/${ENV}/flags/${KEY}/restore`, { version: 99 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "NOT_FOUND", message: `flag "${KEY}" has no version 99` });
    expect((await adminJson("POST", `/envs/${ENV}/flags/never_written/restore`, { version: 1 })).status).toBe(404);
    const stale = await adminJson<ErrorBody>("POST", `/envs/${ENV}/flags/${KEY}/restore`, { version: 2 }, undefined, { "If-Match": '"1"' });
    expect(stale.status).toBe(409);
    for (const body of [{}, { version: 0 }, { version: "2" }, { version: 1, reason: "a\nb" }]) {
      const bad = await adminJson<ErrorBody>("POST", `/envs/${ENV}/flags/${KEY}/restore`, body);
      expect(bad.status, JSON.stringify(body)).toBe(422);
    }
  });
});

describe("history: access", () => {
  it("viewers read versions and explain at a time; restoring needs operator; tokens of other environments are refused", async () => {
    const viewer = await createToken("viewer", [ENV]);
    const operator = await createToken("operator", [ENV]);
    const elsewhere = await createToken("admin", ["staging"]);
    const at = new Date(times[1] as number).toISOString();
    expect((await adminJson("GET", `/envs/${ENV}/flags/${KEY}/versions`, undefined, viewer)).status).toBe(200);
    expect((await adminJson("POST", `/envs/${ENV}/flags/${KEY}/explain`, { context: {}, at }, viewer)).status).toBe(200);
    const refused = await adminJson<ErrorBody>("POST", `/envs/${ENV}/flags/${KEY}/restore`, { version: 2 }, viewer);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("FORBIDDEN");
    expect((await adminJson("POST", `/envs/${ENV}/flags/${KEY}/restore`, { version: 2 }, operator)).status).toBe(200);
    expect((await adminJson("GET", `/envs/${ENV}/flags/${KEY}/versions`, undefined, elsewhere)).status).toBe(403);
    expect((await adminJson("POST", `/envs/${ENV}/flags/${KEY}/restore`, { version: 2 }, elsewhere)).status).toBe(403);
    expect((await adminJson("POST", `/envs/${ENV}/flags/${KEY}/explain`, { context: {}, at }, elsewhere)).status).toBe(403);
    expect((await adminJson("GET", `/envs/${ENV}/flags/${KEY}/versions`, undefined, "eft_nope")).status).toBe(401);
  });
});

describe("history: rollout steps", () => {
  it("a rollout's steps are versions of its flag, with the fallthrough they served", async () => {
    const key = "history_rolled";
    expect((await adminJson("PUT", `/envs/${ENV}/flags/${key}`, booleanFlag(key, { fallthrough: { variant: "off" } }))).status).toBe(201);
    const created = await adminJson<{ rollout: { id: string } }>("POST", `/envs/${ENV}/rollouts`, { flag: key, variant: "on", strategy: "fast" });
    expect(created.status).toBe(201);
    expect((await adminJson("POST", `/envs/${ENV}/rollouts/${created.body.rollout.id}/rollback`, { reason: "history test" })).status).toBe(200);
    const res = await adminJson<Page>("GET", `/envs/${ENV}/flags/${key}/versions`);
    const stored = await adminJson<{ flag: unknown }>("GET", `/envs/${ENV}/flags/${key}`);
    expect(res.body.versions[0]?.flag).toEqual(stored.body.flag);
    expect(res.body.versions.map((v) => v.action)).toEqual(["rollout.rolled_back", "rollout.started", "flag.created"]);
    expect(res.body.versions[1]?.flag.fallthrough).toMatchObject({ rollout: { variant: "on", baseline: "off" } });
    expect(res.body.versions[0]?.flag.fallthrough).toEqual({ variant: "off" });
  });
});
