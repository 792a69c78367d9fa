/**
 * The guards' warning tier through the real Worker on a simulated clock: metrics between the
 * warning level and the breach level raise one `rollout.guard_warning` (in the rollout's status, in
 * the audit log and to a `rollout.*` webhook subscriber), and the rollout keeps running: no pause,
 * no hold, no rollback; the stage advances on time.
 */
import { describe, expect, it } from "vitest";
import { adminJson, booleanFlag } from "./admin-helpers.js";
import { simulate, tickAt } from "./rollout-helpers.js";
import { SimClock } from "../support/sim-clock.js";

type Warning = { guard: string; observed: number; threshold: number; thresholdMs: number | null; since: string; raisedAt: string };

describe("rollout guard warnings", () => {
  it("0.5 % errors (warning 0.1 %, breach 1 %): a warning in the status and one event, and the stage still advances", async () => {
    const clock = new SimClock();
    const env = "production";
    const flag = `warned_${Date.now().toString(36)}`;
    await adminJson("PUT", `/envs/${env}/flags/${flag}`, booleanFlag(flag, { fallthrough: { variant: "off" } }));
    const sub = await adminJson<{ id: string }>("POST", `/envs/${env}/webhooks`, { url: "https://hooks.test/ok/warnings", events: ["rollout.guard_warning"] });
    expect(sub.status).toBe(201);
    await tickAt(clock.now);
    const created = await adminJson<{ rollout: { id: string } }>("POST", `/envs/${env}/rollouts`, {
      flag, variant: "on", strategy: "custom", stages: [{ percentage: 10, durationSeconds: 600 }, { percentage: 50, durationSeconds: 600 }], finalBakeSeconds: 600,
    });
    expect(created.status).toBe(201);
    const id = created.body.rollout.id;

    const run = await simulate({
      env, flag, variant: "on", id, from: clock.now, maxMinutes: 8,
      metrics: () => ({ requests: 10_000, errors: 50 }),
      until: () => false,
    });
    const status = (await adminJson<{ state: string; stageIndex: number; pauseReasons: unknown[]; phase: string | null; warnings: Warning[]; guards: { name: string; status: string }[] }>("GET", `/envs/${env}/rollouts/${id}`)).body;
    expect(status.state).toBe("RUNNING");
    expect(status.phase).toBe("BAKING");
    expect(status.pauseReasons).toEqual([]);
    expect(status.guards.find((g) => g.name === "errorRate")?.status).toBe("OK");
    expect(status.warnings).toEqual([expect.objectContaining({ guard: "errorRate", observed: 0.005, threshold: 0.001, thresholdMs: null, since: new Date(clock.now).toISOString() })]);
    expect(run.history.every((v) => v.state === "RUNNING")).toBe(true);

    // One event for the stage, not one a minute: audited (system:guard), and delivered.
    const audit = await adminJson<{ entries: { actor: string; reason: string | null; after: { rolloutId: string; guard: string } }[] }>("GET", `/envs/${env}/audit?action=rollout.guard_warning&flag=${flag}`);
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({ actor: "system:guard", after: { rolloutId: id, guard: "errorRate" } });
    expect(audit.body.entries[0]?.reason).toContain("errorRate over its warning level");
    const signed = (await (await fetch("https://hooks.test/signed")).json()) as { body: string; path: string }[];
    const delivered = signed.filter((s) => s.path === "/ok/warnings").map((s) => JSON.parse(s.body) as { type: string; rolloutId: string; warning: { guard: string } });
    expect(delivered.filter((d) => d.rolloutId === id).map((d) => [d.type, d.warning.guard])).toEqual([["rollout.guard_warning", "errorRate"]]);

    // The stage's 10 minutes pass: it advances despite the warning.
    const later = await simulate({
      env, flag, variant: "on", id, from: clock.now + 8 * 60_000, maxMinutes: 6,
      metrics: () => ({ requests: 10_000, errors: 50 }),
      until: (v) => v.stageIndex === 1,
    });
    expect(later.view).toMatchObject({ state: "RUNNING", stageIndex: 1, percentage: 50 });
    expect((await adminJson("POST", `/envs/${env}/rollouts/${id}/cancel`, { reason: "test over" })).status).toBe(200);
  });
});
