/**
 * Scheduled changes under `npm run dev` (the wrangler dev of global-setup.ts): a schedule a few
 * seconds ahead is applied by the Environment Durable Object's alarm — no cron tick is sent — and
 * OFREP then serves the change from the published snapshot; and `flagctl schedules`.
 *
 * Storage is shared with the other e2e files, which expect each environment to hold the seeded
 * flags (smoke.test.ts counts them). So this file creates no flags: it changes seeded staging flags
 * that no other file of this project touches (only cli-rollouts.test.ts, which runs on a wrangler
 * dev of its own) and puts them back afterwards.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { ADMIN_HEADERS, adminClient } from "./support/admin.js";
import { expectFailure, flagctl, json } from "./support/flagctl.js";

const baseUrl = inject("baseUrl");
const admin = adminClient(baseUrl);
const ENV = "staging";

interface Schedule { id: string; state: string; at: string; appliedAt: string | null; createdBy: string; flagVersion: number | null; failure: string | null }
interface Evaluation { value?: unknown; reason?: string }

/** Seeded staging flags this file changes, as they were: put back after the file. */
const borrowed = new Map<string, Record<string, unknown>>();
async function borrow(key: string): Promise<string> {
  const { flag } = await admin<{ flag: Record<string, unknown> }>("GET", `/envs/${ENV}/flags/${key}`);
  const { version: _v, updatedAt: _u, ...writable } = flag;
  if (!borrowed.has(key)) borrowed.set(key, writable);
  return key;
}
afterAll(async () => {
  for (const [key, flag] of borrowed) await admin("PUT", `/envs/${ENV}/flags/${key}`, flag);
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds (or gives up after `timeoutMs`, returning the last value). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(250);
    value = await read();
  }
  return value;
}

async function evaluate(key: string, flag: string): Promise<{ status: number; body: Evaluation }> {
  const res = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/${flag}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
    body: JSON.stringify({ context: { targetingKey: "e2e-user" } }),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? {} : (JSON.parse(text) as Evaluation) };
}

describe("scheduled changes under npm run dev", () => {
  it("a schedule ~2.5 s ahead is applied by the alarm, audited as its creator's, and OFREP serves it", async () => {
    const flag = await borrow("reward_learning_enabled");
    await admin("POST", `/envs/${ENV}/flags/${flag}/enable`, { reason: "e2e: schedules start from on" });
    const { key } = await admin<{ key: string }>("POST", `/envs/${ENV}/sdk-keys`, { name: "e2e-schedules", kind: "server" });
    // The edge knows the key (and the flag) once the snapshot carrying them is read.
    const before = await until(() => evaluate(key, flag), (r) => r.status === 200 && r.body.value === true);
    expect(before.body).toMatchObject({ value: true });

    // The environment clock is never behind the wall clock; read it so `at` is ahead of both.
    const status = await admin<{ environments: { env: string; clock: number }[] }>("GET", "/status");
    const clock = status.environments.find((e) => e.env === ENV)?.clock ?? Date.now();
    const at = new Date(Math.max(clock, Date.now()) + 2_500).toISOString();
    const created = await admin<Schedule>("POST", `/envs/${ENV}/schedules`, { at, flag, action: "disable", reason: "e2e: end of promotion" });
    expect(created).toMatchObject({ state: "PENDING", at, flagVersion: null });

    const applied = await until(() => admin<Schedule>("GET", `/envs/${ENV}/schedules/${created.id}`), (s) => s.state !== "PENDING");
    expect(applied).toMatchObject({ state: "APPLIED", failure: null });
    expect(Date.parse(applied.appliedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(at));

    // Served through KV and the edge's snapshot cache, with no strong read.
    const after = await until(() => evaluate(key, flag), (r) => r.body.value === false);
    expect(after).toMatchObject({ status: 200, body: { value: false, reason: "DISABLED" } });

    const res = await fetch(`${baseUrl}/admin/v1/envs/${ENV}/audit?flag=${flag}&limit=3`, { headers: ADMIN_HEADERS });
    const audit = (await res.json()) as { entries: { action: string; actor: string; reason: string | null }[] };
    expect(audit.entries.map((e) => e.action).reverse()).toEqual(["schedule.created", "flag.disabled", "schedule.applied"]);
    const disabled = audit.entries.find((e) => e.action === "flag.disabled");
    expect(disabled).toMatchObject({ actor: created.createdBy, reason: "e2e: end of promotion" });
  });

  it("flagctl schedules create, list and cancel; bad arguments exit 2, API refusals exit 1", async () => {
    const flag = await borrow("performance_optimizations_enabled");
    const created = json<Schedule>(await flagctl(["schedules", "create", flag, "--env", ENV, "--at", "+1h", "--action", "patch", "--patch", '{"description":"scheduled by flagctl"}', "--reason", "e2e", "--json"]));
    expect(created).toMatchObject({ state: "PENDING", flagVersion: null });
    const human = await flagctl(["schedules", "list", "--env", ENV, "--flag", flag, "--state", "PENDING"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`${created.id} .*${flag} .*patch .*PENDING`));
    const listed = json<{ schedules: Schedule[] }>(await flagctl(["schedules", "list", "--env", ENV, "--flag", flag, "--json"]));
    expect(listed.schedules.map((s) => s.id)).toContain(created.id);
    const cancelled = await flagctl(["schedules", "cancel", created.id, "--env", ENV, "--reason", "e2e done"]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`cancelled in ${ENV}: ${created.id}: .* — CANCELLED by `));
    expectFailure(await flagctl(["schedules", "cancel", created.id, "--env", ENV]), 1, /409|CANCELLED/);
    expectFailure(await flagctl(["schedules", "create", flag, "--env", ENV, "--at", "soon", "--action", "enable"]), 2, /--at/);
    expectFailure(await flagctl(["schedules", "create", flag, "--env", ENV, "--at", "+1h", "--action", "patch"]), 2, /--patch/);
    expectFailure(await flagctl(["schedules", "create", "no_such_flag", "--env", ENV, "--at", "+1h", "--action", "enable"]), 1, /does not exist/);
    expectFailure(await flagctl(["schedules", "create", flag, "--env", ENV, "--at", "+1h", "--action", "patch", "--patch", '{"offVariant":"gone"}']), 1, /patch\.offVariant/);
    expect((await admin<{ flag: { description?: string } }>("GET", `/envs/${ENV}/flags/${flag}`)).flag.description).not.toBe("scheduled by flagctl");
  });
});
