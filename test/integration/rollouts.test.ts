import { describe, expect, it } from "vitest";
import { adminJson } from "./admin-helpers.js";
import { postJson } from "./helpers.js";
import { MIN, postMinute, rollout, simulate, tickAt, type RolloutView } from "./rollout-helpers.js";
import { DAY, SimClock } from "../support/sim-clock.js";

/** Every tick ticks every environment: the tests of this file share one clock that only moves forward. */
const clock = new SimClock();

const healthy = { requests: 2_000, errors: 4, slow500: 20, slow1000: 2 };

async function start(envName: string, flag: string, body: Record<string, unknown>): Promise<RolloutView> {
  const res = await adminJson<{ rollout: RolloutView }>("POST", `/envs/${envName}/rollouts`, { flag, variant: "on", ...body });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.rollout;
}

async function evaluate(envName: string, flag: string, targetingKey: string): Promise<unknown> {
  const res = await postJson(`/ofrep/v1/evaluate/flags/${flag}?consistency=strong`, { context: { targetingKey } }, { Authorization: `Bearer ${await serverKey(envName)}` });
  return ((await res.json()) as { value?: unknown }).value;
}

const keys = new Map<string, string>();
async function serverKey(envName: string): Promise<string> {
  let key = keys.get(envName);
  if (!key) {
    const res = await adminJson<{ key: string }>("POST", `/envs/${envName}/sdk-keys`, { name: "rollout-tests", kind: "server" });
    key = res.body.key;
    keys.set(envName, key);
    // The edge learns new keys from the published snapshot.
    for (let i = 0; i < 30; i++) {
      const probe = await postJson("/ofrep/v1/evaluate/flags", {}, { Authorization: `Bearer ${key}` });
      await probe.body?.cancel();
      if (probe.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return key;
}

describe("rollouts on a simulated clock, through the real Worker", () => {
  it("a FAST rollout with healthy metrics advances stage by stage to COMPLETED", async () => {
    const t0 = clock.now;
    await tickAt(t0);
    const created = await start("staging", "phase_4_deployment", { strategy: "fast", minStageDurationSeconds: 300, finalBakeSeconds: 300 });
    expect(created).toMatchObject({ state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 25 });
    const { view, minutes, history } = await simulate({
      env: "staging", flag: "phase_4_deployment", variant: "on", id: created.id, from: t0, maxMinutes: 40,
      metrics: () => healthy,
      until: (v) => v.state === "COMPLETED" || v.state === "ROLLED_BACK",
    });
    expect(view.state).toBe("COMPLETED");
    expect(minutes).toBeLessThanOrEqual(20);
    const percentages = history.map((h) => h.percentage);
    expect(percentages).toEqual([...percentages].sort((a, b) => a - b));
    expect(new Set(percentages)).toEqual(new Set([25, 50, 100]));
    expect(await evaluate("staging", "phase_4_deployment", "anyone")).toBe(true);
    const audit = await adminJson<{ entries: { action: string }[] }>("GET", "/envs/staging/audit?flag=phase_4_deployment");
    // The flag's history starts with its seeding (a flag.created by system:seed).
    expect(audit.body.entries.map((e) => e.action).reverse()).toEqual([
      "flag.created", "rollout.created", "rollout.started", "stage.advanced", "stage.advanced", "rollout.completed",
    ]);
  });

  it("a step to 2 % errors at 25 % rolls back within 10 minutes; the edge serves the baseline", async () => {
    const t0 = clock.skip(DAY);
    await tickAt(t0);
    const created = await start("production", "aatc_system_enabled", { strategy: "fast" });
    expect(created.percentage).toBe(25);
    const { view, minutes } = await simulate({
      env: "production", flag: "aatc_system_enabled", variant: "on", id: created.id, from: t0, maxMinutes: 15,
      metrics: () => ({ requests: 1_000, errors: 20 }),
      until: (v) => v.state === "ROLLED_BACK",
    });
    expect(view.state).toBe("ROLLED_BACK");
    expect(minutes).toBeLessThanOrEqual(10);
    expect(view.outcome).toMatchObject({ trigger: "GUARD" });
    expect(view.outcome?.reason).toMatch(/errorRate/);
    for (const user of ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]) expect(await evaluate("production", "aatc_system_enabled", user)).toBe(false);
    const audit = await adminJson<{ entries: { action: string; actor: string; after: { evidence?: unknown } }[] }>("GET", "/envs/production/audit?flag=aatc_system_enabled&action=rollout.rolled_back");
    expect(audit.body.entries[0]).toMatchObject({ actor: "system:guard" });
    expect(audit.body.entries[0]?.after.evidence).toBeTruthy();
  });

  it("dry run returns the plan with times and changes nothing", async () => {
    const startAt = clock.now + 30 * DAY;
    const res = await adminJson<{ rollout: null; plan: { steps: { percentage: number; startsAt: string; endsAt: string }[]; completesAt: string } }>(
      "POST", "/envs/development/rollouts", { flag: "phase_4_deployment", variant: "on", strategy: "safe", dryRun: true, startAt: new Date(startAt).toISOString() },
    );
    expect(res.status).toBe(200);
    expect(res.body.plan.steps.map((s) => s.percentage)).toEqual([5, 10, 25, 50, 75, 100]);
    expect(res.body.plan.steps[0]?.startsAt).toBe(new Date(startAt).toISOString());
    // 5 stages × 24 h, then the 24 h final bake at 100 %.
    expect(res.body.plan.steps[5]?.startsAt).toBe(new Date(startAt + 5 * DAY).toISOString());
    expect(res.body.plan.completesAt).toBe(new Date(startAt + 6 * DAY).toISOString());
    const list = await adminJson<{ rollouts: unknown[] }>("GET", "/envs/development/rollouts?flag=phase_4_deployment");
    expect(list.body.rollouts).toEqual([]);
  });

  it("promote needs the current stage (a double submit never skips two stages); pause/rollback are idempotent", async () => {
    const created = await start("development", "aatc_system_enabled", { strategy: "safe" });
    const first = await adminJson<{ rollout: RolloutView; changed: boolean }>("POST", `/envs/development/rollouts/${created.id}/promote`, { expectedStage: 0 });
    const second = await adminJson<{ error: { code: string } }>("POST", `/envs/development/rollouts/${created.id}/promote`, { expectedStage: 0 });
    expect(first.status).toBe(200);
    expect(first.body.rollout).toMatchObject({ stageIndex: 1, percentage: 10 });
    expect(second.status).toBe(409);
    const missing = await adminJson<{ error: { details: { path: string }[] } }>("POST", `/envs/development/rollouts/${created.id}/promote`, {});
    expect(missing.status).toBe(422);
    const p1 = await adminJson<{ changed: boolean; rollout: RolloutView }>("POST", `/envs/development/rollouts/${created.id}/pause`, { reason: "look" });
    const p2 = await adminJson<{ changed: boolean }>("POST", `/envs/development/rollouts/${created.id}/pause`);
    expect([p1.body.changed, p2.body.changed]).toEqual([true, false]);
    expect(p1.body.rollout.state).toBe("PAUSED");
    const resumed = await adminJson<{ rollout: RolloutView }>("POST", `/envs/development/rollouts/${created.id}/resume`, { expectedStage: 1 });
    expect(resumed.body.rollout.state).toBe("RUNNING");
    // promote racing rollback: either order ends ROLLED_BACK, with a consistent audit trail
    const [promoted, rolledBack] = await Promise.all([
      adminJson("POST", `/envs/development/rollouts/${created.id}/promote`, { expectedStage: 1 }),
      adminJson("POST", `/envs/development/rollouts/${created.id}/rollback`, { reason: "race" }),
    ]);
    expect(rolledBack.status).toBe(200);
    expect([200, 409]).toContain(promoted.status);
    expect((await rollout("development", created.id)).state).toBe("ROLLED_BACK");
    const again = await adminJson<{ changed: boolean }>("POST", `/envs/development/rollouts/${created.id}/rollback`);
    expect(again.body.changed).toBe(false);
    const afterTerminal = await adminJson("POST", `/envs/development/rollouts/${created.id}/resume`, { expectedStage: 1 });
    expect(afterTerminal.status).toBe(409);
    const audit = await adminJson<{ entries: { action: string }[] }>("GET", "/envs/development/audit?flag=aatc_system_enabled");
    const actions = audit.body.entries.map((e) => e.action);
    expect(actions.filter((a) => a === "rollout.rolled_back")).toHaveLength(1);
    expect(await evaluate("development", "aatc_system_enabled", "u1")).toBe(false);
  });

  it("refuses bad rollouts with the field at fault", async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ flag: "nope_flag", variant: "on", strategy: "fast" }, 404, "flag"],
      [{ flag: "otel_enabled", variant: "on", strategy: "fast" }, 422, "variant"], // fallthrough already serves "on"
      [{ flag: "demo_banner_color", variant: "red", strategy: "fast" }, 422, "flag"], // a split fallthrough
      [{ flag: "phase_4_deployment", variant: "maybe", strategy: "fast" }, 422, "variant"],
      [{ flag: "phase_4_deployment", variant: "on", strategy: "custom" }, 422, "body.stages"],
      [{ flag: "phase_4_deployment", variant: "on", strategy: "fast", stages: [{ percentage: 10, durationSeconds: 60 }] }, 422, "body.stages"],
      [{ flag: "phase_4_deployment", variant: "on", strategy: "warp" }, 422, "body.strategy"],
      [{ flag: "phase_4_deployment", variant: "on", strategy: "fast", healthChecks: [{ url: "ftp://x" }] }, 422, "body.healthChecks.0.url"],
    ];
    for (const [body, status, path] of cases) {
      const res = await adminJson<{ error: { details: { path: string }[] } }>("POST", "/envs/development/rollouts", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.details.map((d) => d.path), JSON.stringify(body)).toContain(path);
    }
  });

  it("validates metrics: window against the environment's clock, shapes, and credentials", async () => {
    const now = clock.skip(DAY);
    await tickAt(now); // the environment's clock is now the later of this and the wall clock
    const ahead = await postMinute("development", "phase_4_deployment", "on", now + 10 * MIN, { requests: 1, errors: 0 });
    expect(ahead.status).toBe(422);
    expect(await ahead.json()).toMatchObject({ error: { details: [{ path: "samples.0.minute" }] } });
    const old = await postMinute("development", "phase_4_deployment", "on", now - 3 * 3600_000, { requests: 1, errors: 0 });
    expect(old.status).toBe(422);
    const tooManyErrors = await postMinute("development", "phase_4_deployment", "on", now, { requests: 1, errors: 5 });
    expect(tooManyErrors.status).toBe(422);
    const ok = await postMinute("development", "phase_4_deployment", "on", now, { requests: 10, errors: 1 });
    expect(ok.status).toBe(202);
    // Well-formed, but no rollout of that flag is active in development: accepted and dropped.
    expect(await ok.json()).toEqual({ environment: "development", buckets: 0, dropped: 1 });
    const noAuth = await postJson("/v1/metrics", { samples: [] });
    expect(noAuth.status).toBe(401);
    const clientKey = await adminJson<{ key: string }>("POST", "/envs/development/sdk-keys", { name: "c", kind: "client" });
    const client = await postJson("/v1/metrics", { samples: [] }, { Authorization: `Bearer ${clientKey.body.key}` });
    expect([401, 403]).toContain(client.status);
  });
});
