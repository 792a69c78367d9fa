/**
 * Scheduled changes under `npm run dev` (the wrangler dev of global-setup.ts): a schedule a few
 * seconds ahead is applied by the Environment Durable Object's alarm — no cron tick is sent — and
 * OFREP then serves the change from the published snapshot. Uses its own flag in `staging`, so
 * the files that read `development` are not disturbed.
 */
import { describe, expect, inject, it } from "vitest";
import { ADMIN_HEADERS, adminClient } from "./support/admin.js";

const baseUrl = inject("baseUrl");
const admin = adminClient(baseUrl);
const ENV = "staging";

interface Schedule { id: string; state: string; at: string; appliedAt: string | null; createdBy: string; flagVersion: number | null; failure: string | null }
interface Evaluation { value?: unknown; reason?: string }

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
    const flag = `e2e_schedule_${Date.now().toString(36)}`;
    await admin("PUT", `/envs/${ENV}/flags/${flag}`, {
      key: flag, type: "boolean", variants: { on: true, off: false }, offVariant: "off", enabled: true, fallthrough: { variant: "on" },
    });
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

    const res = await fetch(`${baseUrl}/admin/v1/envs/${ENV}/audit?flag=${flag}&limit=10`, { headers: ADMIN_HEADERS });
    const audit = (await res.json()) as { entries: { action: string; actor: string; reason: string | null }[] };
    const actions = audit.entries.map((e) => e.action).reverse();
    expect(actions).toEqual(["flag.created", "schedule.created", "flag.disabled", "schedule.applied"]);
    const disabled = audit.entries.find((e) => e.action === "flag.disabled");
    expect(disabled).toMatchObject({ actor: created.createdBy, reason: "e2e: end of promotion" });
  });
});
