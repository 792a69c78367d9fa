/**
 * Rollout scenarios through the real Worker on a simulated clock (docs/rollouts.md): cron ticks with a
 * chosen scheduledTime, metrics over POST /v1/metrics, state from the admin API, and what the edge
 * serves from OFREP.
 *
 * Storage is shared by the tests of this file and every tick ticks every environment, so each
 * scenario uses its own flag, ends its rollout in a terminal state, and simulated time only moves
 * forward through `clock` (the time of the latest tick).
 */
import { afterAll, describe, expect, it } from "vitest";
import { adminJson, booleanFlag } from "./admin-helpers.js";
import { postJson, published } from "./helpers.js";
import { MIN, simulate, tickAt, rollout as rolloutView, type Minute, type RolloutView } from "./rollout-helpers.js";
import { binomial, prng } from "../support/random.js";
import { SimClock } from "../support/sim-clock.js";

// ── the simulated clock and scenario plumbing ───────────────────────────────────────────────

/** The latest tick's time; the next minute to simulate starts here. Starts at the real clock. */
let clock = new SimClock().now;

interface Verdict { minute: string; verdict: string; n: number; x: number | null; lowerBound: number | null }
interface View extends RolloutView {
  version: number;
  stage: string;
  bakedSeconds: number;
  stages: { percentage: number; durationSeconds: number; finalBake?: boolean }[];
  guards: { name: string; status: string; streak: number; needsSamples: number | null; verdicts: Verdict[] }[];
  pauseReasons: { reason: string; by: string; message?: string }[];
  outcome: { trigger: string; reason: string; evidence?: Record<string, unknown> } | null;
}
const view = async (env: string, id: string): Promise<View> => (await rolloutView(env, id)) as View;

/** Every scenario's rollout, so that a failed test can be ended (a live rollout would keep ticking). */
const started: { env: string; id: string }[] = [];

const ZERO_ROLLOUT = { rollout: { variant: "on", baseline: "off", percentage: 0 } };

/** A fresh boolean flag whose fallthrough is a 0 % rollout onto "off" (a valid rollout start). */
async function freshFlag(env: string, key: string): Promise<void> {
  const res = await adminJson("PUT", `/envs/${env}/flags/${key}`, booleanFlag(key, { fallthrough: ZERO_ROLLOUT }));
  if (res.status !== 200 && res.status !== 201) throw new Error(`flag ${key}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function start(env: string, flag: string, body: Record<string, unknown>): Promise<View> {
  await freshFlag(env, flag);
  await tickAt(clock); // the environment's clock is now `clock`: the rollout starts there
  const res = await adminJson<{ rollout: View }>("POST", `/envs/${env}/rollouts`, { flag, variant: "on", ...body });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  started.push({ env, id: res.body.rollout.id });
  return res.body.rollout;
}

/** `simulate` from the current clock; moves the clock to the last tick. */
async function run(env: string, flag: string, id: string, maxMinutes: number, metrics: (i: number, v: View) => Minute | null, until: (v: View) => boolean = terminal) {
  const result = await simulate({ env, flag, variant: "on", id, from: clock, maxMinutes, metrics: (i, v) => metrics(i, v as View), until: (v) => until(v as View) });
  clock += result.minutes * MIN;
  return { view: result.view as View, minutes: result.minutes, history: result.history as View[] };
}

const terminal = (v: { state: string }): boolean => ["COMPLETED", "ROLLED_BACK", "CANCELLED"].includes(v.state);

async function command(env: string, id: string, action: string, body: Record<string, unknown> = {}) {
  return adminJson<{ rollout: View; changed: boolean; error?: { code: string } }>("POST", `/envs/${env}/rollouts/${id}/${action}`, body);
}

afterAll(async () => {
  for (const { env, id } of started) {
    const v = await view(env, id);
    if (!terminal(v)) await command(env, id, "rollback", { reason: "test cleanup" });
  }
});

// ── traffic shapes ─────────────────────────────────────────────────────────────────────────

/** Well inside every guard: 0.2 % errors, 1 % slower than 500 ms, 0.1 % slower than 1 s. */
const healthy: Minute = { requests: 2_000, errors: 4, slow500: 20, slow1000: 2 };
/** A P95 regression: 10 % of requests slower than 500 ms (P99 and errors fine). */
const slowP95: Minute = { requests: 2_000, errors: 4, slow500: 200, slow1000: 10 };
/** 10 % errors. */
const erroring: Minute = { requests: 2_000, errors: 200, slow500: 20, slow1000: 2 };
/** Too little traffic for any metric guard (NODATA). */
const trickle: Minute = { requests: 10, errors: 0, slow500: 0, slow1000: 0 };
/** A heartbeat: telemetry works, no traffic. */
const heartbeat: Minute = { requests: 0, errors: 0, slow500: 0, slow1000: 0 };


// ── what the edge serves ───────────────────────────────────────────────────────────────────

const USERS = ["u-01", "u-02", "u-03", "u-04", "u-05", "u-06", "u-07", "u-08", "u-09", "u-10"];

const serverKeys = new Map<string, string>();
async function serverKey(env: string): Promise<string> {
  let key = serverKeys.get(env);
  if (!key) {
    const res = await adminJson<{ key: string }>("POST", `/envs/${env}/sdk-keys`, { name: "rollout-scenarios", kind: "server" });
    if (res.status !== 201) throw new Error(`sdk key: ${res.status} ${JSON.stringify(res.body)}`);
    key = res.body.key;
    serverKeys.set(env, key);
  }
  return key;
}

/** OFREP evaluation of one user; strong reads come from the Durable Object, eventual ones from KV. */
async function evaluate(env: string, flag: string, targetingKey: string, consistency: "strong" | "eventual"): Promise<{ value: unknown; variant: unknown }> {
  const headers: Record<string, string> = env === "development" ? {} : { Authorization: `Bearer ${await serverKey(env)}` };
  const res = await postJson(`/ofrep/v1/evaluate/flags/${flag}?consistency=${consistency}`, { context: { targetingKey } }, headers);
  const body = (await res.json()) as { value?: unknown; variant?: unknown };
  if (res.status !== 200) throw new Error(`evaluate ${flag} for ${targetingKey}: ${res.status} ${JSON.stringify(body)}`);
  return { value: body.value, variant: body.variant };
}

/** The variant each of USERS gets, from the Durable Object and (once published) from the edge's KV snapshot. */
async function served(env: string, flag: string): Promise<{ strong: unknown[]; edge: unknown[] }> {
  if (env !== "development") await serverKey(env);
  const strong = [];
  for (const user of USERS) strong.push((await evaluate(env, flag, user, "strong")).variant);
  await published(env);
  const edge = [];
  for (const user of USERS) edge.push((await evaluate(env, flag, user, "eventual")).variant);
  return { strong, edge };
}

/**
 * Scenario 9: after a rollback the flag's fallthrough is the snapshot taken at creation again, and
 * every user gets the baseline, from the DO and from the edge.
 */
async function expectBaselineForEveryone(env: string, flag: string): Promise<void> {
  const current = await adminJson<{ flag: { fallthrough: unknown } }>("GET", `/envs/${env}/flags/${flag}`);
  expect(current.body.flag.fallthrough).toEqual(ZERO_ROLLOUT);
  const { strong, edge } = await served(env, flag);
  expect(strong).toEqual(USERS.map(() => "off"));
  expect(edge).toEqual(USERS.map(() => "off"));
}

// ── the audit trail ────────────────────────────────────────────────────────────────────────

interface AuditRow { action: string; actor: string; reason: string | null; before: Record<string, unknown> | null; after: Record<string, unknown> | null }
const positionOf = (p: Record<string, unknown> | null | undefined) => ({ state: p?.["state"], phase: p?.["phase"], stageIndex: p?.["stageIndex"], percentage: p?.["percentage"] });

/**
 * Every transition has exactly one audit event: `rollout.created`, then one event per version
 * step, chained (each event starts where the previous one ended) and ending at the final state.
 * `history` (a view after every tick) must never skip a version: at most one transition per tick.
 */
async function expectAuditTrail(env: string, flag: string, final: View, history: View[] = []): Promise<AuditRow[]> {
  const res = await adminJson<{ entries: AuditRow[] }>("GET", `/envs/${env}/audit?flag=${flag}&limit=500`);
  expect(res.status).toBe(200);
  // Guard warnings are events of the rollout but not transitions (docs/rollouts.md, "Warnings").
  const rows = res.body.entries.filter((e) => (e.after?.["rolloutId"] ?? e.before?.["rolloutId"]) === final.id && e.action !== "rollout.guard_warning").reverse();
  expect(rows[0]?.action).toBe("rollout.created");
  const transitions = rows.slice(1);
  expect(transitions).toHaveLength(final.version);
  expect(transitions.filter((e) => e.action === "rollout.created")).toEqual([]);
  expect(positionOf(transitions[0]?.before)).toEqual({ state: "SCHEDULED", phase: null, stageIndex: 0, percentage: 0 });
  for (let i = 1; i < transitions.length; i++) expect(positionOf(transitions[i]?.before)).toEqual(positionOf(transitions[i - 1]?.after));
  expect(positionOf(transitions[transitions.length - 1]?.after)).toEqual(positionOf(final as unknown as Record<string, unknown>));
  for (let i = 1; i < history.length; i++) {
    const step = (history[i] as View).version - (history[i - 1] as View).version;
    expect(step === 0 || step === 1, `version ${(history[i - 1] as View).version} → ${(history[i] as View).version} in one tick`).toBe(true);
  }
  return rows;
}

/** First appearances, in order. */
const distinct = <T>(xs: readonly T[]): T[] => xs.filter((x, i) => xs.indexOf(x) === i);
const nonDecreasing = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x >= (xs[i - 1] as number));

// ── the scenarios ──────────────────────────────────────────────────────────────────────────

describe("rollout scenarios on a simulated clock, through the real Worker", () => {
  it("1. SAFE with healthy metrics: 5 → 10 → 25 → 50 → 75 → 100 %, COMPLETED, the new variant for everyone", async () => {
    const env = "staging";
    const flag = "scn_safe_healthy";
    const created = await start(env, flag, { strategy: "safe", minStageDurationSeconds: 300, finalBakeSeconds: 300 });
    expect(created).toMatchObject({ state: "RUNNING", phase: "BAKING", stageIndex: 0, percentage: 5 });
    expect(created.stages.map((s) => s.percentage)).toEqual([5, 10, 25, 50, 75, 100]);

    const { view: done, minutes, history } = await run(env, flag, created.id, 60, () => healthy);
    expect(done.state).toBe("COMPLETED");
    expect(done.outcome).toMatchObject({ trigger: "COMPLETED" });
    // 6 dwells of 5 minutes, each stage gate passing at the end of its dwell.
    expect(minutes).toBeGreaterThanOrEqual(30);
    expect(minutes).toBeLessThanOrEqual(36);
    const percentages = history.map((h) => h.percentage);
    expect(nonDecreasing(percentages)).toBe(true);
    expect(distinct(percentages)).toEqual([5, 10, 25, 50, 75, 100]);
    expect(distinct(history.map((h) => h.stageIndex))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(history.filter((h) => h.state !== "RUNNING" && h.state !== "COMPLETED")).toEqual([]);

    const { strong, edge } = await served(env, flag);
    expect(strong).toEqual(USERS.map(() => "on"));
    expect(edge).toEqual(USERS.map(() => "on"));

    const rows = await expectAuditTrail(env, flag, done, history);
    expect(rows.map((r) => r.action)).toEqual([
      "rollout.created", "rollout.started",
      "stage.advanced", "stage.advanced", "stage.advanced", "stage.advanced", "stage.advanced",
      "rollout.completed",
    ]);
    expect(rows.slice(1).map((r) => r.after?.["percentage"])).toEqual([5, 10, 25, 50, 75, 100, 100]);
    expect(rows.slice(1).map((r) => r.actor)).toEqual(["system:cron", ...Array(6).fill("system:cron")]);
    // The transitions seen in the status history are exactly the audited ones.
    const seen = history.filter((h, i) => i > 0 && h.version !== (history[i - 1] as View).version).length;
    expect(seen).toBe(rows.length - 2); // the created and started events happened before the first view
  });

  it("2. INSTANT: 100 % at once, COMPLETED after the final bake", async () => {
    const env = "production";
    const flag = "scn_instant";
    const created = await start(env, flag, { strategy: "instant", finalBakeSeconds: 600 });
    expect(created).toMatchObject({ state: "RUNNING", phase: "FINAL_BAKE", stageIndex: 0, percentage: 100 });
    expect(created.stages).toEqual([{ percentage: 100, durationSeconds: 600, finalBake: true }]);
    // Already 100 % at the edge while it bakes.
    expect((await served(env, flag)).strong).toEqual(USERS.map(() => "on"));

    const { view: done, minutes, history } = await run(env, flag, created.id, 30, () => healthy);
    expect(done.state).toBe("COMPLETED");
    expect(minutes).toBeGreaterThanOrEqual(10);
    expect(minutes).toBeLessThanOrEqual(12);
    expect(history.every((h) => h.percentage === 100)).toBe(true);
    const { strong, edge } = await served(env, flag);
    expect(strong).toEqual(USERS.map(() => "on"));
    expect(edge).toEqual(USERS.map(() => "on"));
    const rows = await expectAuditTrail(env, flag, done, history);
    expect(rows.map((r) => r.action)).toEqual(["rollout.created", "rollout.started", "rollout.completed"]);
  });

  it("3. a P95 regression (10 % of requests > 500 ms at 2,000 req/min) rolls back, naming p95", async () => {
    const env = "production";
    const flag = "scn_p95";
    const created = await start(env, flag, { strategy: "safe" });
    const { view: done, minutes, history } = await run(env, flag, created.id, 15, () => slowP95);
    expect(done.state).toBe("ROLLED_BACK");
    expect(done.percentage).toBe(0);
    // 5 breaching minutes fire the guard: the fifth closed minute's tick.
    expect(minutes).toBe(5);
    expect(done.outcome?.trigger).toBe("GUARD");
    expect(done.outcome?.reason).toMatch(/^p95 breached for 5 /);
    expect(done.outcome?.evidence?.["guard"]).toBe("p95");
    const verdicts = done.outcome?.evidence?.["verdicts"] as Verdict[];
    expect(verdicts.filter((v) => v.verdict === "BREACH")).toHaveLength(5);
    expect(verdicts.every((v) => v.n === 2_000 && v.x === 200)).toBe(true);
    // Before it fired, the status named the pending p95 guard (and only it).
    const before = history[history.length - 2] as View;
    expect(before.guards.filter((g) => g.status !== "OK").map((g) => [g.name, g.status, g.streak])).toEqual([["p95", "PENDING", 4]]);

    await expectBaselineForEveryone(env, flag);
    const rows = await expectAuditTrail(env, flag, done, history);
    expect(rows.map((r) => r.action)).toEqual(["rollout.created", "rollout.started", "rollout.rolled_back"]);
    const rolledBack = rows[2] as AuditRow;
    expect(rolledBack).toMatchObject({ actor: "system:guard" });
    expect(rolledBack.reason).toMatch(/p95/);
    expect((rolledBack.after?.["evidence"] as { guard: string }).guard).toBe("p95");
  });

  it("4. 0.9 % errors at 1,000 req/min (binomial noise) never roll back: 3 simulated hours through the Worker", async () => {
    // The full week runs against the pure state machine (test/unit/rollout/week.test.ts); here a
    // SAFE plan with 30-minute stages and bake, so the 3 hours cover every stage gate and the bake.
    const env = "staging";
    const flag = "scn_noise";
    const random = prng(20_270_301);
    const created = await start(env, flag, { strategy: "safe", minStageDurationSeconds: 1_800, finalBakeSeconds: 1_800 });
    const breaches = new Set<string>();
    let maxStreak = 0;
    const { view: done, minutes, history } = await run(env, flag, created.id, 200, () => ({
      requests: 1_000,
      errors: binomial(random, 1_000, 0.009),
      slow500: binomial(random, 1_000, 0.02),
      slow1000: binomial(random, 1_000, 0.002),
    }), (v) => {
      for (const g of v.guards) {
        maxStreak = Math.max(maxStreak, g.streak);
        for (const verdict of g.verdicts) if (g.name === "errorRate" && verdict.verdict === "BREACH") breaches.add(verdict.minute);
      }
      return terminal(v);
    });
    expect(history.map((h) => h.state)).not.toContain("ROLLED_BACK");
    expect(history.map((h) => h.state)).not.toContain("PAUSED");
    // Single noisy minutes do breach the 1 % guard, never five after an OK.
    expect(breaches.size).toBeGreaterThan(0);
    expect(maxStreak).toBeLessThan(5);
    expect(done.state).toBe("COMPLETED");
    expect(minutes).toBeGreaterThanOrEqual(180);
    expect(minutes).toBeLessThanOrEqual(195);
    expect(distinct(history.map((h) => h.percentage))).toEqual([5, 10, 25, 50, 75, 100]);
    await expectAuditTrail(env, flag, done, history);
  });

  it("5. a 30-minute traffic gap (heartbeats, 0 requests) holds, never rolls back, then advances when traffic returns", async () => {
    const env = "development";
    const flag = "scn_gap";
    // A 15-minute stage; a long hold timeout, so the gap is seen as HOLDING rather than a pause.
    const created = await start(env, flag, { strategy: "safe", minStageDurationSeconds: 900, guards: { holdTimeoutSeconds: 3_600 } });
    const before = await run(env, flag, created.id, 5, () => healthy, () => false);
    expect(before.view).toMatchObject({ state: "RUNNING", phase: "BAKING", stageIndex: 0 });

    const gap = await run(env, flag, created.id, 30, () => heartbeat, () => false);
    const states = gap.history.map((h) => h.state);
    expect(states).not.toContain("ROLLED_BACK");
    expect(states).not.toContain("PAUSED");
    // The dwell ends inside the gap: no samples for the stage gate, so it HOLDs (and stays there).
    expect(distinct(gap.history.map((h) => h.phase))).toEqual(["BAKING", "HOLDING"]);
    expect(gap.view).toMatchObject({ state: "RUNNING", phase: "HOLDING", stageIndex: 0, percentage: 5 });
    // Every metric guard shows NODATA for the gap's minutes (telemetry works, no traffic).
    for (const g of gap.view.guards) {
      expect(g.status).toBe("OK");
      expect(g.verdicts).toHaveLength(10);
      expect(distinct(g.verdicts.map((v) => v.verdict))).toEqual(["NODATA"]);
      expect(g.needsSamples).toBeGreaterThan(0);
    }

    const after = await run(env, flag, created.id, 10, () => healthy, (v) => v.stageIndex === 1 || terminal(v));
    expect(after.view).toMatchObject({ state: "RUNNING", phase: "BAKING", stageIndex: 1, percentage: 10 });
    expect(after.minutes).toBeLessThanOrEqual(2);

    const rows = await expectAuditTrail(env, flag, after.view, [...before.history, ...gap.history.slice(1), ...after.history.slice(1)]);
    expect(rows.map((r) => r.action)).toEqual(["rollout.created", "rollout.started", "stage.holding", "stage.advanced"]);
    expect(rows[2]?.reason).toMatch(/samples/);

    const rolledBack = await command(env, created.id, "rollback", { reason: "end of scenario 5" });
    expect(rolledBack.body.rollout.state).toBe("ROLLED_BACK");
    await expectBaselineForEveryone(env, flag);
  });

  // Regression: at 836ec71 `unknownPauseSeconds` (default 900 s) was compared with the UNKNOWN
  // verdicts of the 10-minute guard window (at most 600 s), so with the default a metrics outage
  // never paused; fixed in 5ec4a34 (no-telemetry minutes counted over their own lookback).
  it("6a. a metrics outage pauses after 15 minutes with the default unknownPauseSeconds (15 min)", async () => {
    const env = "production";
    const flag = "scn_outage_default";
    const created = await start(env, flag, { strategy: "safe", minStageDurationSeconds: 3_600 });
    try {
      await run(env, flag, created.id, 5, () => healthy, () => false);
      const outage = await run(env, flag, created.id, 20, () => null, (v) => v.state !== "RUNNING");
      expect(outage.view.state).toBe("PAUSED");
      expect(outage.view.pauseReasons).toMatchObject([{ reason: "METRICS_UNAVAILABLE", by: "system:guard" }]);
      // Not before 15 minutes without telemetry, and right then.
      expect(outage.minutes).toBe(15);
      expect(outage.history.slice(0, -1).map((h) => h.state)).toEqual(Array(15).fill("RUNNING"));
    } finally {
      const v = await view(env, created.id);
      if (!terminal(v)) await command(env, created.id, "rollback", { reason: "end of scenario 6a" });
      await expectBaselineForEveryone(env, flag);
    }
  });

  it("6b. a metrics outage pauses (METRICS_UNAVAILABLE, unknownPauseSeconds 600); resume with expectedStage works once metrics return", async () => {
    const env = "production";
    const flag = "scn_outage";
    const created = await start(env, flag, { strategy: "safe", minStageDurationSeconds: 3_600, guards: { unknownPauseSeconds: 600 } });
    await run(env, flag, created.id, 5, () => healthy, () => false);

    // No samples at all: every minute is UNKNOWN.
    const outage = await run(env, flag, created.id, 20, () => null, (v) => v.state !== "RUNNING");
    expect(outage.view.state).toBe("PAUSED");
    expect(outage.minutes).toBe(10);
    expect(outage.view.pauseReasons).toMatchObject([{ reason: "METRICS_UNAVAILABLE", by: "system:guard" }]);
    expect(outage.view.guards.find((g) => g.name === "errorRate")?.verdicts.map((v) => v.verdict)).toEqual(Array(10).fill("UNKNOWN"));
    const bakedWhenPaused = outage.view.bakedSeconds;

    // The outage goes on, then metrics return: still PAUSED (only an operator resumes), no dwell accrues.
    const paused = await run(env, flag, created.id, 8, (i) => (i < 5 ? null : healthy), () => false);
    expect(paused.history.map((h) => h.state)).toEqual(Array(9).fill("PAUSED"));
    expect(paused.view.bakedSeconds).toBe(bakedWhenPaused);

    const stale = await command(env, created.id, "resume", { expectedStage: 1 });
    expect(stale.status).toBe(409);
    const missing = await command(env, created.id, "resume", {});
    expect(missing.status).toBe(422);
    const resumed = await command(env, created.id, "resume", { expectedStage: 0, reason: "metrics are back" });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ changed: true, rollout: { state: "RUNNING", stageIndex: 0, percentage: 5, pauseReasons: [] } });

    // Healthy again: it stays RUNNING and bakes on.
    const after = await run(env, flag, created.id, 5, () => healthy, (v) => v.state !== "RUNNING");
    expect(after.history.map((h) => h.state)).toEqual(Array(6).fill("RUNNING"));
    expect(after.view.bakedSeconds).toBe(bakedWhenPaused + 5 * 60);

    const rolledBack = await command(env, created.id, "rollback", { reason: "end of scenario 6b" });
    expect(rolledBack.body.rollout.state).toBe("ROLLED_BACK");
    await expectBaselineForEveryone(env, flag);
    const rows = await expectAuditTrail(env, flag, rolledBack.body.rollout);
    expect(rows.map((r) => r.action)).toEqual(["rollout.created", "rollout.started", "rollout.paused", "rollout.resumed", "rollout.rolled_back"]);
    expect(rows[2]).toMatchObject({ actor: "system:guard" });
    expect(rows[2]?.reason).toMatch(/^METRICS_UNAVAILABLE/);
    expect(rows[3]).toMatchObject({ actor: "admin:bootstrap", reason: "metrics are back" });
  });

  it("7. five failing health probes roll back at low traffic (metric guards NODATA); a passing probe does not", async () => {
    const env = "staging";
    const failing = "scn_health_fail";
    const created = await start(env, failing, { strategy: "safe", minStageDurationSeconds: 3_600, healthChecks: [{ url: "https://health.test/fail" }] });
    const { view: done, minutes, history } = await run(env, failing, created.id, 10, () => trickle);
    expect(done.state).toBe("ROLLED_BACK");
    expect(minutes).toBe(5); // one probe round per tick
    expect(done.outcome?.trigger).toBe("GUARD");
    expect(done.outcome?.reason).toBe("5 consecutive failed health checks");
    expect(done.outcome?.evidence).toMatchObject({ health: { consecutiveFailures: 5 } });
    const last = history[history.length - 2] as View;
    expect(last.guards.find((g) => g.name === "health")).toMatchObject({ status: "PENDING", streak: 4 });
    for (const g of last.guards.filter((g) => g.name !== "health")) {
      expect(distinct(g.verdicts.map((v) => v.verdict))).toEqual(["NODATA"]);
      expect(g.status).toBe("OK");
    }
    await expectBaselineForEveryone(env, failing);
    const rows = await expectAuditTrail(env, failing, done, history);
    expect(rows.map((r) => r.action)).toEqual(["rollout.created", "rollout.started", "rollout.rolled_back"]);

    const passing = "scn_health_ok";
    const ok = await start(env, passing, { strategy: "safe", minStageDurationSeconds: 3_600, healthChecks: [{ url: "https://health.test/ok" }] });
    const fine = await run(env, passing, ok.id, 10, () => trickle);
    expect(fine.minutes).toBe(10);
    expect(fine.history.map((h) => h.state)).toEqual(Array(11).fill("RUNNING"));
    expect(fine.view.guards.find((g) => g.name === "health")).toMatchObject({ status: "OK", streak: 0 });
    const end = await command(env, ok.id, "rollback", { reason: "end of scenario 7" });
    expect(end.body.rollout.state).toBe("ROLLED_BACK");
    await expectBaselineForEveryone(env, passing);
  });

  it("8. guards stay armed while PAUSED: breaching metrics roll a paused rollout back", async () => {
    const env = "production";
    const flag = "scn_paused_guard";
    const created = await start(env, flag, { strategy: "custom", stages: [{ percentage: 50, durationSeconds: 3_600 }], finalBakeSeconds: 3_600 });
    expect(created).toMatchObject({ state: "RUNNING", percentage: 50 });
    // At 50 % both variants are served (so the baseline check below means something).
    const mixed = await served(env, flag);
    expect(mixed.strong).toContain("on");
    expect(mixed.strong).toContain("off");
    await run(env, flag, created.id, 2, () => healthy, () => false);

    const paused = await command(env, created.id, "pause", { reason: "looking at a dashboard" });
    expect(paused.body).toMatchObject({ changed: true, rollout: { state: "PAUSED", pauseReasons: [{ reason: "MANUAL" }] } });

    const { view: done, minutes, history } = await run(env, flag, created.id, 10, () => erroring);
    expect(done.state).toBe("ROLLED_BACK");
    expect(minutes).toBe(5);
    expect(history.slice(0, -1).map((h) => h.state)).toEqual(Array(history.length - 1).fill("PAUSED"));
    expect(done.outcome).toMatchObject({ trigger: "GUARD", evidence: { guard: "errorRate" } });
    expect(done.percentage).toBe(0);

    await expectBaselineForEveryone(env, flag);
    const rows = await expectAuditTrail(env, flag, done, history);
    expect(rows.map((r) => r.action)).toEqual(["rollout.created", "rollout.started", "rollout.paused", "rollout.rolled_back"]);
    expect(positionOf(rows[3]?.before)).toMatchObject({ state: "PAUSED", percentage: 50 });
    expect(positionOf(rows[3]?.after)).toMatchObject({ state: "ROLLED_BACK", percentage: 0 });
  });
});
