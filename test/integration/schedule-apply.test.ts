/**
 * Applying scheduled changes, through the real Worker and Durable Object: by the alarm a few
 * seconds ahead (and re-armed for the next), at once when `at` is at or before the environment
 * clock, by the cron tick that advances the clock, in order of `at` (ties by id), audited as the
 * creator's, and FAILED — with nothing else written — when the change no longer applies.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_ENVIRONMENT_FLAG_BYTES } from "../../src/domain/limits.js";
import type { Schedule } from "../../src/domain/schedule.js";
import type { Env } from "../../src/env.js";
import worker from "../../src/index.js";
import { adminJson, booleanFlag, createToken } from "./admin-helpers.js";
import { bearer, createKey, environment, postJson } from "./helpers.js";
import { MINUTE, SECOND } from "../support/sim-clock.js";

let serial = 0;

async function newFlag(envName: string, prefix: string): Promise<string> {
  const key = `${prefix}_${serial++}`;
  const res = await adminJson("PUT", `/envs/${envName}/flags/${key}`, booleanFlag(key, { variants: { on: true, off: false, blue: false }, description: "before" }));
  expect(res.status).toBe(201);
  return key;
}

const envNow = async (envName: string): Promise<number> => (await environment(envName).status()).clock;
const iso = (ms: number) => new Date(ms).toISOString();

async function schedule(envName: string, body: Record<string, unknown>, token?: string): Promise<Schedule> {
  const res = await adminJson<Schedule>("POST", `/envs/${envName}/schedules`, body, token);
  if (res.status !== 201) throw new Error(`schedule: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const read = async (envName: string, id: string): Promise<Schedule> => (await adminJson<Schedule>("GET", `/envs/${envName}/schedules/${id}`)).body;

interface Entry { action: string; actor: string; reason: string | null; target: { type: string }; before: unknown; after: unknown }
/** The flag's audit trail, oldest first. */
async function trail(envName: string, flag: string): Promise<Entry[]> {
  const res = await adminJson<{ entries: Entry[] }>("GET", `/envs/${envName}/audit?flag=${flag}`);
  return res.body.entries.reverse();
}

/** Waits (real time) until the schedule has left PENDING; the alarm applies it by itself. */
async function settled(envName: string, id: string, timeoutMs = 15_000): Promise<Schedule> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await read(envName, id);
    if (s.state !== "PENDING") return s;
    if (Date.now() > deadline) throw new Error(`schedule ${id} still PENDING`);
    // If the alarm already ran, this does nothing; otherwise it runs the one armed now.
    if (Date.now() > Date.parse(s.at)) await runDurableObjectAlarm(env.ENVIRONMENT.getByName(envName));
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("applied by the Durable Object alarm", () => {
  // development: its clock is never moved by a tick in this file, so it keeps to the wall clock.
  const ENV = "development";

  it("a schedule ~1.5 s ahead is applied by the alarm at its time, and the alarm is re-armed for the next one", async () => {
    const flag = await newFlag(ENV, "alarm");
    const now = await envNow(ENV);
    const first = await schedule(ENV, { at: iso(now + 1_500), flag, action: "disable", reason: "maintenance window" });
    const second = await schedule(ENV, { at: iso(now + 3_000), flag, action: "patch", patch: { description: "after" } });
    expect(first.state).toBe("PENDING");
    const applied = await settled(ENV, first.id);
    expect(applied).toMatchObject({ state: "APPLIED", failure: null });
    expect(Date.parse(applied.appliedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(first.at));
    expect((await environment(ENV).getFlag(flag))?.enabled).toBe(false);
    expect(applied.flagVersion).toBe((await environment(ENV).getFlag(flag))?.version);
    // The second one needs the alarm re-armed from inside the first alarm: no runDurableObjectAlarm here.
    const deadline = Date.now() + 15_000;
    let later = await read(ENV, second.id);
    while (later.state === "PENDING" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      later = await read(ENV, second.id);
    }
    expect(later.state).toBe("APPLIED");
    expect((await environment(ENV).getFlag(flag))?.description).toBe("after");
    // The edge serves the change (strong read of the DO's state, and the published snapshot).
    const key = await createKey(ENV, "server", "schedule-alarm");
    const res = await postJson(`/ofrep/v1/evaluate/flags/${flag}?consistency=strong`, { context: { targetingKey: "u1" } }, bearer(key.key));
    expect(await res.json()).toMatchObject({ value: false, reason: "DISABLED" });
  });

  it("`at` at or before the environment clock applies at creation: 201 APPLIED, audited as the creator's with the reason", async () => {
    const flag = await newFlag(ENV, "at_once");
    const token = await createToken("operator", [ENV]);
    const created = await schedule(ENV, { at: iso((await envNow(ENV)) - MINUTE), flag, action: "disable", reason: "incident 42" }, token);
    expect(created).toMatchObject({ state: "APPLIED", failure: null });
    expect(created.appliedAt).not.toBeNull();
    const stored = await environment(ENV).getFlag(flag);
    expect(stored?.enabled).toBe(false);
    expect(created.flagVersion).toBe(stored?.version);
    const entries = await trail(ENV, flag);
    expect(entries.map((e) => e.action)).toEqual(["flag.created", "schedule.created", "flag.disabled", "schedule.applied"]);
    for (const e of entries.slice(1)) expect(e).toMatchObject({ actor: created.createdBy, reason: "incident 42" });
    expect(entries[2]).toMatchObject({ target: { type: "flag" }, before: { enabled: true }, after: { enabled: false } });
    expect(entries[3]).toMatchObject({ target: { type: "schedule" }, after: { id: created.id, state: "APPLIED", changed: true } });
  });

  it("a change that is already in place applies without a new flag version or flag event", async () => {
    const flag = await newFlag(ENV, "noop");
    const version = (await environment(ENV).getFlag(flag))?.version;
    const created = await schedule(ENV, { at: iso(await envNow(ENV)), flag, action: "enable" });
    expect(created).toMatchObject({ state: "APPLIED", flagVersion: version });
    expect((await trail(ENV, flag)).map((e) => e.action)).toEqual(["flag.created", "schedule.created", "schedule.applied"]);
  });
});

describe("FAILED when the change no longer applies, with nothing written", () => {
  const ENV = "development";

  it("a patch made invalid by a later change of the flag", async () => {
    const flag = await newFlag(ENV, "fail_patch");
    const s = await schedule(ENV, { at: iso((await envNow(ENV)) + 1_000), flag, action: "patch", patch: { fallthrough: { variant: "blue" }, description: "after" } });
    // Meanwhile the variant the patch serves is removed.
    expect((await adminJson("PUT", `/envs/${ENV}/flags/${flag}`, booleanFlag(flag, { description: "meanwhile" }))).status).toBe(200);
    const before = await environment(ENV).getFlag(flag);
    const failed = await settled(ENV, s.id);
    expect(failed.state).toBe("FAILED");
    expect(failed.failure).toMatch(/fallthrough\.variant/);
    expect(failed.flagVersion).toBeNull();
    // No partial write: the flag is exactly as it was.
    expect(await environment(ENV).getFlag(flag)).toEqual(before);
    const entries = await trail(ENV, flag);
    expect(entries.map((e) => e.action)).toEqual(["flag.created", "schedule.created", "flag.updated", "schedule.failed"]);
    expect(entries[3]).toMatchObject({ actor: s.createdBy, after: { state: "FAILED", failure: failed.failure } });
  });

  it("a flag archived since", async () => {
    const flag = await newFlag(ENV, "fail_gone");
    const s = await schedule(ENV, { at: iso((await envNow(ENV)) + 1_000), flag, action: "enable" });
    expect((await adminJson("DELETE", `/envs/${ENV}/flags/${flag}`)).status).toBe(200);
    const failed = await settled(ENV, s.id);
    expect(failed).toMatchObject({ state: "FAILED", failure: `flag "${flag}" does not exist` });
    expect(await environment(ENV).getFlag(flag)).toBeNull();
  });
});

describe("applied by the cron tick that advances the environment clock", () => {
  // production: the ticks here move its clock ahead of the wall clock.
  const ENV = "production";

  it("due schedules apply in order of `at`, ties by id, each in its own commit; later ones wait", async () => {
    const flag = await newFlag(ENV, "order");
    const now = await envNow(ENV);
    const t1 = now + 10 * MINUTE;
    const a = await schedule(ENV, { at: iso(t1), flag, action: "patch", patch: { description: "a" } });
    const b = await schedule(ENV, { at: iso(t1), flag, action: "patch", patch: { description: "b" } });
    const first = await schedule(ENV, { at: iso(t1 - SECOND), flag, action: "disable" });
    const later = await schedule(ENV, { at: iso(t1 + MINUTE), flag, action: "enable" });
    const versionBefore = (await environment(ENV).status()).version;
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: new Date(t1), cron: "* * * * *" }), env as Env, ctx);
    await waitOnExecutionContext(ctx);
    const tied = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1));
    const entries = (await trail(ENV, flag)).filter((e) => e.action === "schedule.applied");
    expect(entries.map((e) => (e.after as { id: string }).id)).toEqual([first.id, ...tied.map((s) => s.id)]);
    const stored = await environment(ENV).getFlag(flag);
    expect(stored).toMatchObject({ enabled: false, description: tied[1]?.patch?.["description"] });
    // One commit each: three new environment versions.
    expect((await environment(ENV).status()).version).toBe(versionBefore + 3);
    expect((await read(ENV, later.id)).state).toBe("PENDING");
    await environment(ENV).tick(t1 + MINUTE);
    expect((await read(ENV, later.id)).state).toBe("APPLIED");
    expect((await environment(ENV).getFlag(flag))?.enabled).toBe(true);
  });

  it("the creator stays the actor of the change however late it applies", async () => {
    const flag = await newFlag(ENV, "actor");
    const token = await createToken("operator", [ENV]);
    const now = await envNow(ENV);
    const s = await schedule(ENV, { at: iso(now + 5 * MINUTE), flag, action: "disable" }, token);
    await environment(ENV).tick(now + 6 * MINUTE);
    const entries = await trail(ENV, flag);
    const change = entries.find((e) => e.action === "flag.disabled");
    expect(change).toMatchObject({ actor: s.createdBy, reason: `scheduled change ${s.id}` });
    expect(s.createdBy).not.toBe("admin:bootstrap");
  });
});

describe("FAILED over the environment budget", () => {
  it("a patch that would take the environment over its bytes budget fails and writes nothing", async () => {
    // An environment of its own (reached over RPC), brought to 500 bytes under its budget by
    // ballast rows written straight into the table (a row may hold at most 2 MB).
    const stub = environment("schedule-budget");
    const put = await stub.putFlag("grow", booleanFlag("grow"), {}, { actor: "test" });
    expect(put.ok).toBe(true);
    await runInDurableObject(env.ENVIRONMENT.getByName("schedule-budget"), (_instance, state) => {
      const rows = Math.ceil((MAX_ENVIRONMENT_FLAG_BYTES - 500) / 1_900_000);
      const each = Math.floor((MAX_ENVIRONMENT_FLAG_BYTES - 500) / rows);
      for (let i = 0; i < rows; i++) {
        const key = `ballast_${String(i).padStart(2, "0")}`;
        const overhead = JSON.stringify({ ...booleanFlag(key), description: "" }).length;
        const body = JSON.stringify({ ...booleanFlag(key), description: "x".repeat(each - overhead) });
        state.storage.sql.exec("INSERT INTO flags (key, body, version, updated_at, archived_at) VALUES (?, ?, 1, ?, NULL)", key, body, new Date().toISOString());
      }
    });
    const before = await stub.getFlag("grow");
    const created = await stub.createSchedule({ at: iso(await envNow("schedule-budget")), flag: "grow", action: "patch", patch: { description: "y".repeat(1_000) } }, { actor: "token:budget#tok_1" });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.schedule.state).toBe("FAILED");
    expect(created.schedule.failure).toMatch(/^over the environment budget: /);
    expect(await stub.getFlag("grow")).toEqual(before);
    // The kill switch is never refused for size.
    const disabled = await stub.createSchedule({ at: iso(await envNow("schedule-budget")), flag: "grow", action: "disable" }, { actor: "token:budget#tok_1" });
    expect(disabled.ok && disabled.schedule.state).toBe("APPLIED");
  });
});
