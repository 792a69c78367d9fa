/**
 * The scheduled-change routes through the real Worker: create, list, get and cancel, each with its
 * happy path, its errors (422 naming the field, 404, 409) and its security (role, environment
 * scope). Applying them (alarm, cron tick, FAILED) is in schedule-apply.test.ts.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_PENDING_SCHEDULES, type Schedule } from "../../src/domain/schedule.js";
import { adminJson, booleanFlag, createToken } from "./admin-helpers.js";
import { environment } from "./helpers.js";
import { DAY, HOUR, MINUTE } from "../support/sim-clock.js";

const ENV = "staging";
let serial = 0;

/** A new flag in ENV, through the admin API. */
async function newFlag(prefix: string): Promise<string> {
  const key = `${prefix}_${serial++}`;
  const res = await adminJson("PUT", `/envs/${ENV}/flags/${key}`, booleanFlag(key, { variants: { on: true, off: false }, description: "before" }));
  expect(res.status).toBe(201);
  return key;
}

/** The environment clock now (never behind the wall clock). */
const envNow = async (): Promise<number> => (await environment(ENV).status()).clock;
const iso = (ms: number) => new Date(ms).toISOString();

async function auditOf(flag: string): Promise<{ action: string; actor: string; reason: string | null; after: unknown }[]> {
  const res = await adminJson<{ entries: { action: string; actor: string; reason: string | null; after: unknown }[] }>("GET", `/envs/${ENV}/audit?flag=${flag}`);
  expect(res.status).toBe(200);
  return res.body.entries;
}

let viewer: string;
let operator: string;
let elsewhere: string;
beforeAll(async () => {
  viewer = await createToken("viewer");
  operator = await createToken("operator", [ENV]);
  elsewhere = await createToken("admin", ["production"]);
});

describe("POST /envs/{env}/schedules", () => {
  it("creates a PENDING schedule: 201 with the whole record, audited as schedule.created by its creator", async () => {
    const flag = await newFlag("sched_create");
    const at = iso((await envNow()) + HOUR);
    const res = await adminJson<Schedule>("POST", `/envs/${ENV}/schedules`, { at, flag, action: "patch", patch: { description: "after" }, reason: "launch at noon" }, operator);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      state: "PENDING", at, flag, action: "patch", patch: { description: "after" }, reason: "launch at noon",
      appliedAt: null, failure: null, flagVersion: null, cancelledAt: null, cancelledBy: null,
    });
    expect(res.body.id).toMatch(/^sch_[A-Za-z0-9]{16}$/);
    expect(res.body.createdBy).toMatch(/^token:/);
    expect(Date.parse(res.body.createdAt)).toBeGreaterThan(0);
    // Nothing changed yet.
    expect((await environment(ENV).getFlag(flag))?.description).toBe("before");
    const [created] = await auditOf(flag);
    expect(created).toMatchObject({ action: "schedule.created", actor: res.body.createdBy, reason: "launch at noon", after: { id: res.body.id, state: "PENDING" } });
  });

  it("normalizes `at` with an offset to UTC", async () => {
    const flag = await newFlag("sched_offset");
    const when = (await envNow()) + DAY;
    const withOffset = new Date(when + 2 * HOUR).toISOString().replace("Z", "+02:00");
    const res = await adminJson<Schedule>("POST", `/envs/${ENV}/schedules`, { at: withOffset, flag, action: "disable" });
    expect(res.status).toBe(201);
    expect(res.body.at).toBe(iso(when));
  });

  it("422 naming the field: bad at, missing/extra patch, unknown action, unknown fields, bad reason", async () => {
    const flag = await newFlag("sched_invalid");
    const at = iso((await envNow()) + HOUR);
    const cases: [unknown, string][] = [
      [{ at: "tomorrow", flag, action: "enable" }, "body.at"],
      [{ at: "2020-01-01T00:00:00", flag, action: "enable" }, "body.at"],
      [{ flag, action: "enable" }, "body.at"],
      [{ at, flag, action: "patch" }, "body.patch"],
      [{ at, flag, action: "enable", patch: { enabled: false } }, "body.patch"],
      [{ at, flag, action: "patch", patch: [1] }, "body.patch"],
      [{ at, flag, action: "archive" }, "body.action"],
      [{ at, flag: "bad key", action: "enable" }, "body.flag"],
      [{ at, flag, action: "enable", when: at }, "body"],
      [{ at, flag, action: "enable", reason: "two\nlines" }, "body.reason"],
    ];
    for (const [body, path] of cases) {
      const res = await adminJson<{ error: { code: string; details: { path: string }[] } }>("POST", `/envs/${ENV}/schedules`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.details.map((d) => d.path), JSON.stringify(body)).toContain(path);
    }
  });

  it("422: a patch that would make the flag invalid (paths into the patch), or change its key", async () => {
    const flag = await newFlag("sched_badpatch");
    const at = iso((await envNow()) + HOUR);
    const bad = await adminJson<{ error: { details: { path: string }[] } }>("POST", `/envs/${ENV}/schedules`, { at, flag, action: "patch", patch: { variants: { on: "yes" }, fallthrough: { variant: "blue" } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining(["patch.variants.on", "patch.fallthrough.variant"]));
    const rekey = await adminJson<{ error: { details: { path: string }[] } }>("POST", `/envs/${ENV}/schedules`, { at, flag, action: "patch", patch: { key: "other" } });
    expect(rekey.status).toBe(422);
    expect(rekey.body.error.details.map((d) => d.path)).toEqual(["patch.key"]);
  });

  it("422 when `at` is more than a year ahead of the environment clock", async () => {
    const flag = await newFlag("sched_far");
    const now = await envNow();
    const far = await adminJson<{ error: { details: { path: string }[] } }>("POST", `/envs/${ENV}/schedules`, { at: iso(now + 366 * DAY), flag, action: "enable" });
    expect(far.status).toBe(422);
    expect(far.body.error.details[0]?.path).toBe("at");
    expect((await adminJson("POST", `/envs/${ENV}/schedules`, { at: iso(now + 364 * DAY), flag, action: "enable" })).status).toBe(201);
  });

  it("422 once the environment holds 1,000 pending schedules; a cancel makes room", async () => {
    // production, so the 1,000 rows stay out of the other tests' lists.
    const flag = `sched_full_${serial++}`;
    expect((await adminJson("PUT", `/envs/production/flags/${flag}`, booleanFlag(flag))).status).toBe(201);
    const at = iso((await environment("production").status()).clock + DAY);
    const first = (await adminJson<Schedule>("POST", "/envs/production/schedules", { at, flag, action: "disable" })).body;
    // The other 999 straight into the table (as the store writes them), which is what the limit counts.
    await runInDurableObject(env.ENVIRONMENT.getByName("production"), (_instance, state) => {
      for (let i = 1; i < MAX_PENDING_SCHEDULES; i++) {
        const row = { ...first, id: `sch_fill${String(i).padStart(12, "0")}` };
        state.storage.sql.exec("INSERT INTO schedules (id, flag, state, at, body, created_at) VALUES (?, ?, 'PENDING', ?, ?, ?)", row.id, flag, Date.parse(at), JSON.stringify(row), Date.parse(row.createdAt));
      }
    });
    const full = await adminJson<{ error: { message: string; details: { path: string; message: string }[] } }>("POST", "/envs/production/schedules", { at, flag, action: "enable" });
    expect(full.status).toBe(422);
    expect(full.body.error.details[0]?.message).toMatch(/1000 pending/);
    expect((await adminJson("DELETE", `/envs/production/schedules/${first.id}`)).status).toBe(200);
    expect((await adminJson("POST", "/envs/production/schedules", { at, flag, action: "enable" })).status).toBe(201);
  });

  it("404 for a flag that does not exist (or is archived) and for an unknown environment; nothing is stored", async () => {
    const at = iso((await envNow()) + HOUR);
    const before = (await adminJson<{ schedules: Schedule[] }>("GET", `/envs/${ENV}/schedules`)).body.schedules.length;
    const missing = await adminJson<{ error: { code: string; details: { path: string }[] } }>("POST", `/envs/${ENV}/schedules`, { at, flag: "no_such_flag", action: "enable" });
    expect(missing.status).toBe(404);
    expect(missing.body.error.details[0]?.path).toBe("flag");
    const archived = await newFlag("sched_archived");
    expect((await adminJson("DELETE", `/envs/${ENV}/flags/${archived}`)).status).toBe(200);
    expect((await adminJson("POST", `/envs/${ENV}/schedules`, { at, flag: archived, action: "enable" })).status).toBe(404);
    expect((await adminJson("POST", "/envs/qa/schedules", { at, flag: "x", action: "enable" })).status).toBe(404);
    expect((await adminJson<{ schedules: Schedule[] }>("GET", `/envs/${ENV}/schedules`)).body.schedules.length).toBe(before);
  });

  it("security: a viewer → 403; an operator of this environment → 201; a token of another environment → 403", async () => {
    const flag = await newFlag("sched_authz");
    const body = { at: iso((await envNow()) + HOUR), flag, action: "enable" };
    expect((await adminJson("POST", `/envs/${ENV}/schedules`, body, viewer)).status).toBe(403);
    expect((await adminJson("POST", `/envs/${ENV}/schedules`, body, elsewhere)).status).toBe(403);
    expect((await adminJson("POST", `/envs/${ENV}/schedules`, body, "not-a-token")).status).toBe(401);
    expect((await adminJson("POST", `/envs/${ENV}/schedules`, body, operator)).status).toBe(201);
  });
});

describe("GET /envs/{env}/schedules[/{id}]", () => {
  it("lists (latest `at` first, filtered by state and flag) and reads one; a viewer may; another environment's token may not", async () => {
    const flag = await newFlag("sched_list");
    const now = await envNow();
    const early = (await adminJson<Schedule>("POST", `/envs/${ENV}/schedules`, { at: iso(now + HOUR), flag, action: "disable" })).body;
    const late = (await adminJson<Schedule>("POST", `/envs/${ENV}/schedules`, { at: iso(now + 2 * HOUR), flag, action: "enable" })).body;
    const list = await adminJson<{ schedules: Schedule[] }>("GET", `/envs/${ENV}/schedules?flag=${flag}`, undefined, viewer);
    expect(list.status).toBe(200);
    expect(list.body.schedules.map((s) => s.id)).toEqual([late.id, early.id]);
    expect((await adminJson("DELETE", `/envs/${ENV}/schedules/${early.id}`)).status).toBe(200);
    const pending = await adminJson<{ schedules: Schedule[] }>("GET", `/envs/${ENV}/schedules?flag=${flag}&state=PENDING`, undefined, viewer);
    expect(pending.body.schedules.map((s) => s.id)).toEqual([late.id]);
    const cancelled = await adminJson<{ schedules: Schedule[] }>("GET", `/envs/${ENV}/schedules?state=CANCELLED&flag=${flag}`);
    expect(cancelled.body.schedules.map((s) => s.id)).toEqual([early.id]);
    const one = await adminJson<Schedule>("GET", `/envs/${ENV}/schedules/${late.id}`, undefined, viewer);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(late);
    expect((await adminJson("GET", `/envs/${ENV}/schedules`, undefined, elsewhere)).status).toBe(403);
    expect((await adminJson("GET", `/envs/${ENV}/schedules/${late.id}`, undefined, elsewhere)).status).toBe(403);
  });

  it("errors: an unknown id → 404, a bad state filter → 422, an unknown environment → 404", async () => {
    expect((await adminJson("GET", `/envs/${ENV}/schedules/sch_missing`)).status).toBe(404);
    const bad = await adminJson<{ error: { details: { path: string }[] } }>("GET", `/envs/${ENV}/schedules?state=DONE`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]?.path).toBe("query.state");
    expect((await adminJson("GET", "/envs/qa/schedules")).status).toBe(404);
  });
});

describe("DELETE /envs/{env}/schedules/{id}", () => {
  it("cancels a PENDING schedule (audited as the canceller's, reason kept); again → 409; it never applies", async () => {
    const flag = await newFlag("sched_cancel");
    const now = await envNow();
    const schedule = (await adminJson<Schedule>("POST", `/envs/${ENV}/schedules`, { at: iso(now + MINUTE), flag, action: "disable" })).body;
    expect((await adminJson("DELETE", `/envs/${ENV}/schedules/${schedule.id}`, undefined, viewer)).status).toBe(403);
    expect((await adminJson("DELETE", `/envs/${ENV}/schedules/${schedule.id}`, undefined, elsewhere)).status).toBe(403);
    const res = await adminJson<Schedule>("DELETE", `/envs/${ENV}/schedules/${schedule.id}?reason=not%20today`, undefined, operator);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: schedule.id, state: "CANCELLED", appliedAt: null });
    expect(res.body.cancelledBy).toMatch(/^token:/);
    expect(res.body.cancelledBy).not.toBe(schedule.createdBy);
    const again = await adminJson<{ error: { code: string } }>("DELETE", `/envs/${ENV}/schedules/${schedule.id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("VERSION_CONFLICT");
    const [cancelled] = await auditOf(flag);
    expect(cancelled).toMatchObject({ action: "schedule.cancelled", actor: res.body.cancelledBy, reason: "not today" });
    // Past its time, the cancelled schedule stays cancelled and the flag untouched.
    await environment(ENV).tick(now + 2 * MINUTE);
    expect((await adminJson<Schedule>("GET", `/envs/${ENV}/schedules/${schedule.id}`)).body.state).toBe("CANCELLED");
    expect((await environment(ENV).getFlag(flag))?.enabled).toBe(true);
  });

  it("an APPLIED schedule cannot be cancelled (409); an unknown id → 404; a bad reason → 422", async () => {
    const flag = await newFlag("sched_cancel_applied");
    const applied = (await adminJson<Schedule>("POST", `/envs/${ENV}/schedules`, { at: iso((await envNow()) - MINUTE), flag, action: "disable" })).body;
    expect(applied.state).toBe("APPLIED");
    expect((await adminJson("DELETE", `/envs/${ENV}/schedules/${applied.id}`)).status).toBe(409);
    expect((await adminJson("DELETE", `/envs/${ENV}/schedules/sch_missing`)).status).toBe(404);
    expect((await adminJson("DELETE", `/envs/${ENV}/schedules/${applied.id}?reason=${encodeURIComponent("a\u0007b")}`)).status).toBe(422);
  });
});
