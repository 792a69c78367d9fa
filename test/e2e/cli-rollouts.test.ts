/**
 * flagctl rollouts end to end: `deploy` (plan, dry run, production confirmation through stdin,
 * --wait), `status` (one-shot, list, --watch and its exit codes), and `pause`, `resume`, `promote`,
 * `rollback`, `cancel` — `node cli/flagctl.ts …` as a child process against the real
 * `wrangler dev` of global-setup.ts.
 *
 * Rollouts move on a simulated clock: metrics through POST /v1/metrics and the cron through
 * /cdn-cgi/handler/scheduled?time=… (every tick ticks every environment, and an environment's
 * clock is the later of the wall clock and the latest tick). So this file's tests run in order,
 * simulated time only moves forward from a base far in the future, each test uses its own flags,
 * and every rollout ends in a terminal state (afterAll rolls back any a failed test left running).
 *
 * These tests create no flags: they borrow seeded boolean flags of
 * staging and production, set their fallthrough to "off" (a rollout's starting point) and put them
 * back as they were afterwards.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DAY, nextWholeMinute, SimClock } from "../support/sim-clock.js";
import { ADMIN_HEADERS } from "./support/admin.js";
import { expectFailure, flagctl, json, start } from "./support/flagctl.js";

const baseUrl = inject("baseUrl");

// ── the simulated clock, metrics, flags ─────────────────────────────────────────────────────

const MIN = 60_000;
/**
 * The latest tick's time; it only moves forward. It starts at the real clock, or after the
 * environments' clocks when another clock-driven file of the `node-serial` project (they run one
 * after another on their own wrangler dev) already moved them ahead.
 */
let clock = new SimClock().now;

beforeAll(async () => {
  const res = await fetch(`${baseUrl}/admin/v1/status`, { headers: ADMIN_HEADERS });
  expect(res.status).toBe(200);
  const status = (await res.json()) as { environments: { clock?: number }[] };
  clock = new SimClock(nextWholeMinute(Math.max(0, ...status.environments.map((e) => e.clock ?? 0)))).now;
});

/** Runs the cron at `ms` (every environment ticks with now = ms). */
async function tick(ms: number): Promise<void> {
  const res = await fetch(`${baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${ms}`);
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/** Moves the clock to the next minute boundary well after the last one, and ticks there. */
async function nextScene(): Promise<void> {
  clock += 30 * MIN;
  await tick(clock);
}

interface Minute {
  requests: number;
  errors: number;
  slow500: number;
  slow1000: number;
}
/** Well inside every guard. */
const healthy: Minute = { requests: 2_000, errors: 3, slow500: 20, slow1000: 2 };
/** 2 % errors: the error guard breaches every minute. */
const erroring: Minute = { requests: 2_000, errors: 40, slow500: 20, slow1000: 2 };

/** For each minute: post its metrics for (flag, "on"), then tick at its end. */
async function simulate(env: string, flag: string, minutes: number, shape: Minute): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    const res = await fetch(`${baseUrl}/v1/metrics`, {
      method: "POST",
      headers: ADMIN_HEADERS,
      body: JSON.stringify({
        env,
        samples: [{ flag, variant: "on", minute: clock, requests: shape.requests, errors: shape.errors, slowerThanMs: { "500": shape.slow500, "1000": shape.slow1000 } }],
      }),
    });
    expect(res.status, await res.text()).toBe(202);
    clock += MIN;
    await tick(clock);
  }
}

interface FlagJson {
  key: string;
  version: number;
  updatedAt?: string;
  [field: string]: unknown;
}
/** Seeded flags a test changed, as they were: put back after the file. */
const borrowed: { env: string; flag: FlagJson }[] = [];

/**
 * A seeded boolean flag (variants on/off) whose fallthrough now serves "off" to everyone, so that
 * `deploy` rolls out "on"; each test borrows its own.
 */
async function baselineFlag(env: string, key: string): Promise<string> {
  const res = await fetch(`${baseUrl}/admin/v1/envs/${env}/flags/${key}`, { headers: ADMIN_HEADERS });
  expect(res.status).toBe(200);
  const { flag } = (await res.json()) as { flag: FlagJson };
  expect(Object.keys(flag.variants as object).sort()).toEqual(["off", "on"]);
  if (!borrowed.some((b) => b.env === env && b.flag.key === key)) borrowed.push({ env, flag });
  const patch = await fetch(`${baseUrl}/admin/v1/envs/${env}/flags/${key}`, { method: "PATCH", headers: ADMIN_HEADERS, body: JSON.stringify({ fallthrough: { variant: "off" } }) });
  expect(patch.status, await patch.text()).toBe(200);
  return key;
}

interface Rollout {
  id: string;
  state: string;
  phase: string | null;
  stageIndex: number;
  stage: string;
  percentage: number;
  pauseReasons: { reason: string; message?: string }[];
  outcome: { trigger: string; reason: string } | null;
}

async function rollouts(env: string, flag: string): Promise<Rollout[]> {
  const res = await fetch(`${baseUrl}/admin/v1/envs/${env}/rollouts?flag=${flag}`, { headers: ADMIN_HEADERS });
  expect(res.status).toBe(200);
  return ((await res.json()) as { rollouts: Rollout[] }).rollouts;
}

afterAll(async () => {
  for (const { env, flag } of borrowed) {
    for (const r of await rollouts(env, flag.key)) {
      if (!["COMPLETED", "ROLLED_BACK", "CANCELLED"].includes(r.state)) {
        await fetch(`${baseUrl}/admin/v1/envs/${env}/rollouts/${r.id}/rollback`, { method: "POST", headers: ADMIN_HEADERS, body: JSON.stringify({ reason: "test cleanup" }) });
      }
    }
    const { version: _version, updatedAt: _updatedAt, ...writable } = flag;
    await fetch(`${baseUrl}/admin/v1/envs/${env}/flags/${flag.key}`, { method: "PUT", headers: ADMIN_HEADERS, body: JSON.stringify(writable) });
  }
});

// ── tests ───────────────────────────────────────────────────────────────────────────────────

describe("flagctl deploy", () => {
  it("--dry-run prints the plan (stage, percentage, start and end, guards) and changes nothing", async () => {
    await nextScene();
    const flag = await baselineFlag("staging", "phase_1_complete");
    const start = new Date(clock);
    const at = (minutes: number) => new Date(start.getTime() + minutes * MIN).toISOString().replace("T", " ").replace(".000Z", "Z");
    const [human, machine] = await Promise.all([
      flagctl(["deploy", flag, "--env", "staging", "--strategy", "safe", "--min-stage-duration", "300", "--dry-run"]),
      flagctl(["deploy", flag, "--env", "staging", "--strategy", "safe", "--dry-run", "--json"]),
    ]);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.split("\n");
    expect(lines[0]).toBe(`plan: ${flag} in staging: off → on (safe)`);
    expect(lines[1]).toMatch(/^ {2}stage +percentage +phase +starts +ends$/);
    expect(lines.slice(2, 8).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ["1/6", "5 %", "BAKING", at(0), at(5)],
      ["2/6", "10 %", "BAKING", at(5), at(10)],
      ["3/6", "25 %", "BAKING", at(10), at(15)],
      ["4/6", "50 %", "BAKING", at(15), at(20)],
      ["5/6", "75 %", "BAKING", at(20), at(25)],
      ["6/6", "100 %", "FINAL_BAKE", at(25), at(25 + 24 * 60)],
    ]);
    expect(human.stdout).toMatch(/^ {2}errorRate +> 1 % of requests fail +judged from 100 requests\/minute/m);
    expect(human.stdout).toMatch(/^ {2}p95 +> 5 % of requests slower than 500 ms/m);
    expect(human.stdout).toMatch(/^ {2}p99 +> 1 % of requests slower than 1000 ms/m);
    expect(human.stdout).toMatch(/^dry run: nothing changed$/m);
    const plan = json<{ rollout: null; plan: { steps: { percentage: number; phase: string }[]; completesAt: string } }>(machine);
    expect(plan.rollout).toBeNull();
    expect(plan.plan.steps.map((s) => s.percentage)).toEqual([5, 10, 25, 50, 75, 100]);
    expect(plan.plan.completesAt).toBe(new Date(clock + 6 * 86_400_000).toISOString());

    expect(await rollouts("staging", flag)).toEqual([]);
    expectFailure(await flagctl(["status", flag, "--env", "staging"]), 1, new RegExp(`no rollout of flag ${flag} in staging`));
  });

  it("bad arguments exit 2; API refusals exit 1 with the field at fault", async () => {
    const flag = await baselineFlag("staging", "phase_2_complete");
    const cases: [string[], 1 | 2, RegExp][] = [
      [["deploy", flag, "--env", "staging"], 2, /required option '--strategy <strategy>' not specified/],
      [["deploy", flag, "--env", "staging", "--strategy", "yolo"], 2, /argument 'yolo' is invalid\. Allowed choices are safe, fast, instant/],
      [["deploy", "--env", "staging", "--strategy", "safe"], 2, /missing required argument 'flag'/],
      [["deploy", flag, "--env", "staging", "--strategy", "safe", "--wait", "soon"], 2, /invalid --wait "soon": must be a number of seconds/],
      [["deploy", flag, "--env", "staging", "--strategy", "safe", "--final-bake", "-5"], 2, /invalid --final-bake "-5": must not be negative/],
      [["deploy", flag, "--env", "staging", "--strategy", "safe", "--start-at", "tomorrow"], 2, /invalid --start-at "tomorrow": expected an ISO-8601 time/],
      [["status", "--env", "staging", "--watch"], 2, /--watch follows one rollout: name the flag/],
      [["status", flag, "--env", "staging", "--timeout", "5"], 2, /--timeout and --interval go with --watch/],
      [["status", flag, "--env", "staging", "--watch", "--timeout", "0"], 2, /invalid --timeout "0": must be more than 0/],
      [["pause", "--env", "staging"], 2, /missing required argument 'flag'/],
      [["deploy", flag, "--env", "staging", "--strategy", "fast", "--variant", "maybe"], 1, /^flagctl: 422 VALIDATION_FAILED: the rollout cannot start from this flag — variant: flag "phase_2_complete" has no variant "maybe"\n$/],
      [["deploy", "no-such-flag", "--env", "staging", "--strategy", "fast"], 1, /^flagctl: 404 NOT_FOUND: flag "no-such-flag" does not exist\n$/],
      [["pause", flag, "--env", "staging"], 1, new RegExp(`^flagctl: no rollout of flag ${flag} in staging`)],
    ];
    const runs = await Promise.all(cases.map(([args]) => flagctl(args)));
    runs.forEach((run, i) => {
      const [args, code, message] = cases[i] as [string[], 1 | 2, RegExp];
      expect(run.code, `${args.join(" ")}\n${run.stderr}`).toBe(code);
      expect(run.stderr, args.join(" ")).toMatch(message);
    });
    // A flag whose fallthrough does not serve one variant needs --variant; its split is not a baseline.
    const split = await flagctl(["flags", "set", flag, "--env", "staging", "--patch", "--data", '{"fallthrough":{"variant":null,"split":{"on":50,"off":50}}}']);
    expect(split.code, split.stderr).toBe(0);
    expectFailure(await flagctl(["deploy", flag, "--env", "staging", "--strategy", "fast"]), 2, /choose the variant to roll out with --variant/);
    expectFailure(
      await flagctl(["deploy", flag, "--env", "staging", "--strategy", "fast", "--variant", "on"]),
      1,
      /422 VALIDATION_FAILED: .* — flag: the fallthrough of .* does not serve one variant to everyone/,
    );
    expect(await rollouts("staging", flag)).toEqual([]);
  });

  it("to production asks for confirmation: no and end of input abort (exit 1) and change nothing; yes starts it", async () => {
    await nextScene();
    const flag = await baselineFlag("production", "phase_1_complete");
    const args = ["deploy", flag, "--env", "production", "--strategy", "fast"];

    const [no, eof, eofJson] = await Promise.all([flagctl(args, { stdin: "no\n" }), flagctl(args), flagctl([...args, "--json"])]);
    for (const run of [no, eof, eofJson]) {
      expectFailure(run, 1, /Roll out phase_1_complete → on in production\? Type "yes" to continue: \nflagctl: aborted: nothing was changed/);
      expect(run.stderr).toMatch(/^ {2}1\/3 +25 % +BAKING/m); // the plan is shown before the question
    }
    expect(no.stdout).toBe("");
    expect(JSON.parse(eofJson.stdout)).toEqual({ error: { code: "ABORTED", message: "not confirmed; nothing was changed", details: [] } });
    expect(await rollouts("production", flag)).toEqual([]);
    const audit = json<{ entries: { action: string }[] }>(await flagctl(["audit", "--env", "production", "--flag", flag, "--json"]));
    expect(audit.entries.filter((e) => !e.action.startsWith("flag."))).toEqual([]);

    const yes = await flagctl(args, { stdin: "yes\n" });
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(new RegExp(`^started rollout ro_\\w+: ${flag} → on in production, now at 25 % \\(stage 1/3\\)$`, "m"));
    const [started] = await rollouts("production", flag);
    expect(started).toMatchObject({ state: "RUNNING", percentage: 25 });

    // --yes skips the question (and --json prints the created rollout with its plan).
    const rolledBack = await flagctl(["rollback", flag, "--env", "production", "--reason", "cli e2e"]);
    expect(rolledBack.stdout).toMatch(/^rolled back: .* now ROLLED_BACK at 0 %/);
    const again = json<{ rollout: Rollout; plan: { steps: unknown[] } }>(await flagctl([...args, "--yes", "--json"]));
    expect(again.rollout).toMatchObject({ state: "RUNNING", percentage: 25, stage: "1/3" });
    expect(again.plan.steps).toHaveLength(3);
    const afterRollback = await flagctl(["rollback", flag, "--env", "production", "--json"]);
    expect(json(afterRollback)).toMatchObject({ changed: true, rollout: { state: "ROLLED_BACK", percentage: 0 } });
  });
});

describe("flagctl pause, resume, promote, rollback, cancel", () => {
  it("move a rollout; resume/promote send the stage just read; rollback is idempotent; audit shows each step", async () => {
    await nextScene();
    const flag = await baselineFlag("staging", "phase_3_complete");
    const deployed = await flagctl(["deploy", flag, "--env", "staging", "--strategy", "safe", "--min-stage-duration", "300", "--reason", "ship it"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toMatch(/now at 5 % \(stage 1\/6\)/);
    expect(deployed.stdout).toContain(`follow it with: flagctl status ${flag} --env staging --watch`);

    const promoted = await flagctl(["promote", flag, "--env", "staging", "--reason", "looks good"]);
    expect(promoted.stdout).toMatch(new RegExp(`^promoted: ${flag} in staging: off → on \\(safe, rollout ro_\\w+\\) — now RUNNING BAKING at 10 %, stage 2/6$`, "m"));

    const paused = await flagctl(["pause", flag, "--env", "staging", "--reason", "checking dashboards"]);
    expect(paused.stdout).toMatch(/now PAUSED BAKING at 10 %, stage 2\/6/);
    const pausedAgain = await flagctl(["pause", flag, "--env", "staging"]);
    expect(pausedAgain.code).toBe(0);
    expect(pausedAgain.stdout).toMatch(/^no change: .* is already PAUSED/);

    const [status, statusJson, list, listJson] = await Promise.all([
      flagctl(["status", flag, "--env", "staging"]),
      flagctl(["status", flag, "--env", "staging", "--json"]),
      flagctl(["status", "--env", "staging"]),
      flagctl(["status", "--env", "staging", "--json"]),
    ]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^state: PAUSED BAKING · stage 2\/6$/m);
    expect(status.stdout).toMatch(/^\[█{3}░{27}\] 10 % → next 25 % · 5m left in stage$/m);
    expect(status.stdout).toMatch(/^ {2}guard +status +streak +last minutes/m);
    expect(status.stdout).toMatch(/^ {2}errorRate +OK +0/m);
    expect(status.stdout).toMatch(/^paused: MANUAL by admin:bootstrap at .* — checking dashboards$/m);
    expect(json(statusJson)).toMatchObject({ flag, state: "PAUSED", stageIndex: 1, percentage: 10, pauseReasons: [{ reason: "MANUAL", message: "checking dashboards" }] });
    expect(list.stdout).toMatch(new RegExp(`^${flag} +PAUSED/BAKING +2/6 +10 % +25 % +5m +ok +ro_\\w+$`, "m"));
    expect(json<{ rollouts: { flag: string }[] }>(listJson).rollouts.map((r) => r.flag)).toContain(flag);

    const resumed = await flagctl(["resume", flag, "--env", "staging"]);
    expect(resumed.stdout).toMatch(/^resumed: .* now RUNNING BAKING at 10 %, stage 2\/6$/m);
    const promotedJson = json<{ changed: boolean; rollout: Rollout }>(await flagctl(["promote", flag, "--env", "staging", "--json"]));
    expect(promotedJson).toMatchObject({ changed: true, rollout: { stageIndex: 2, percentage: 25 } });

    const rolledBack = await flagctl(["rollback", flag, "--env", "staging", "--reason", "error budget"]);
    expect(rolledBack.stdout).toMatch(/^rolled back: .* now ROLLED_BACK at 0 %/m);
    const again = await flagctl(["rollback", flag, "--env", "staging"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^no change: .* is already ROLLED_BACK/);
    expectFailure(await flagctl(["resume", flag, "--env", "staging"]), 1, /^flagctl: 409 VERSION_CONFLICT: the rollout is ROLLED_BACK\n$/);
    expect(json(await flagctl(["flags", "get", flag, "--env", "staging", "--json"]))).toMatchObject({ flag: { fallthrough: { variant: "off" } } });

    const audit = json<{ entries: { action: string; reason: string | null }[] }>(await flagctl(["audit", "--env", "staging", "--flag", flag, "--json"]));
    const entries = audit.entries.filter((e) => /^(rollout|stage)\./.test(e.action)).reverse();
    expect(entries.map((e) => e.action)).toEqual([
      "rollout.created",
      "rollout.started",
      "stage.promoted",
      "rollout.paused",
      "rollout.resumed",
      "stage.promoted",
      "rollout.rolled_back",
    ]);
    expect([entries[0]?.reason, entries[2]?.reason, entries[3]?.reason, entries[6]?.reason]).toEqual(["ship it", "looks good", "checking dashboards", "error budget"]);
  });

  it("cancel ends a scheduled rollout; status --watch on it exits 1", async () => {
    const flag = await baselineFlag("staging", "llm_integration_enabled");
    const startAt = new Date(clock + 365 * DAY).toISOString(); // a whole minute, a year ahead
    const scheduled = json<{ rollout: Rollout & { startAt: string } }>(
      await flagctl(["deploy", flag, "--env", "staging", "--strategy", "instant", "--start-at", startAt, "--json"]),
    );
    expect(scheduled.rollout).toMatchObject({ state: "SCHEDULED", startAt });
    const status = await flagctl(["status", flag, "--env", "staging"]);
    expect(status.stdout).toMatch(new RegExp(`^starts at ${startAt.slice(0, 10)} ${startAt.slice(11, 19)}Z$`, "m"));
    const cancelled = await flagctl(["cancel", flag, "--env", "staging", "--reason", "not this year"]);
    expect(cancelled.stdout).toMatch(/^cancelled: .* now CANCELLED at 0 %/);
    const watch = await flagctl(["status", flag, "--env", "staging", "--watch", "--interval", "0.1"]);
    expect(watch.code).toBe(1);
    expect(watch.stdout).toMatch(/^cancelled: .*not this year/m);
  });
});

describe("flagctl status --watch", () => {
  it("exits 0 when the rollout completes, showing the progress bar and the guard table on the way", async () => {
    await nextScene();
    const flag = await baselineFlag("staging", "reward_learning_enabled");
    const deployed = await flagctl(["deploy", flag, "--env", "staging", "--strategy", "instant", "--final-bake", "120"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const watching = start(["status", flag, "--env", "staging", "--watch", "--interval", "0.2", "--timeout", "60"]);
    await watching.waitFor(/^\[█{30}\] 100 % · 2m left in stage$/m);
    await simulate("staging", flag, 1, healthy);
    await watching.waitFor(/^\[█{30}\] 100 % · 1m left in stage$/m);
    await simulate("staging", flag, 2, healthy);
    const watch = await watching.done;
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).toMatch(/^state: RUNNING FINAL_BAKE · stage 1\/1$/m);
    expect(watch.stdout).toMatch(/^ {2}errorRate +OK +0 +✓$/m); // the first judged minute, while baking
    expect(watch.stdout).toMatch(/^state: COMPLETED · stage 1\/1$/m);
    expect(watch.stdout).toMatch(/^completed at .* \(COMPLETED\): final bake passed$/m);
    expect(watch.stdout.trimEnd().split("\n").at(-1)).toBe(`completed: ${flag} serves on in staging`);

    // Settled already: the watch answers at once, with the status as JSON.
    expect(json(await flagctl(["status", flag, "--env", "staging", "--watch", "--json"]))).toMatchObject({ state: "COMPLETED", percentage: 100 });
    expect(json(await flagctl(["flags", "get", flag, "--env", "staging", "--json"]))).toMatchObject({ flag: { fallthrough: { variant: "on" } } });
  });

  it("exits 1 when the guards roll it back after 5 breaching minutes", async () => {
    await nextScene();
    const flag = await baselineFlag("staging", "performance_optimizations_enabled");
    expect((await flagctl(["deploy", flag, "--env", "staging", "--strategy", "fast", "--min-stage-duration", "600"])).code).toBe(0);
    const watching = start(["status", flag, "--env", "staging", "--watch", "--interval", "0.2", "--timeout", "60"]);
    await watching.waitFor(/^state: RUNNING BAKING/m);
    await simulate("staging", flag, 1, erroring);
    await watching.waitFor(/^ {2}errorRate +PENDING +1 +✗$/m); // a breach that does not roll back yet
    await simulate("staging", flag, 4, erroring);
    const watch = await watching.done;
    expect(watch.code, watch.stderr).toBe(1);
    expect(watch.stdout).toMatch(/^state: ROLLED_BACK · stage 1\/3$/m);
    expect(watch.stdout.trimEnd().split("\n").at(-1)).toBe("rolled back: errorRate breached for 5 of the last 5 minutes");
    const [rollout] = await rollouts("staging", flag);
    expect(rollout).toMatchObject({ state: "ROLLED_BACK", percentage: 0, outcome: { trigger: "GUARD" } });
  });

  it("exits 2 when the rollout is paused, and when it times out (also deploy --wait)", async () => {
    await nextScene();
    const flag = await baselineFlag("staging", "otel_enabled");
    const waited = await flagctl(["deploy", flag, "--env", "staging", "--strategy", "fast", "--min-stage-duration", "600", "--wait", "1", "--interval", "0.2"]);
    expect(waited.code, waited.stderr).toBe(2);
    expect(waited.stdout).toMatch(/^started rollout ro_\w+/);
    expect(waited.stdout.trimEnd().split("\n").at(-1)).toBe("timed out after 1 s: still RUNNING at 25 %, stage 1/3");

    const timedOut = await flagctl(["status", flag, "--env", "staging", "--watch", "--interval", "0.2", "--timeout", "1", "--json"]);
    expect(timedOut.code).toBe(2);
    expect(JSON.parse(timedOut.stdout)).toMatchObject({ state: "RUNNING", percentage: 25 });

    // No --interval: the pause reaches the watch through the admin event stream (the fallback
    // poll is 30 s, 5 s without a stream), so it ends within a few seconds of the pause.
    const watching = start(["status", flag, "--env", "staging", "--watch", "--timeout", "60"]);
    await watching.waitFor(/^state: RUNNING BAKING/m);
    const pausedAt = Date.now();
    expect((await flagctl(["pause", flag, "--env", "staging", "--reason", "hold on"])).code).toBe(0);
    const watch = await watching.done;
    expect(Date.now() - pausedAt).toBeLessThan(4_000);
    expect(watch.code, watch.stderr).toBe(2);
    expect(watch.stdout).toMatch(/^state: RUNNING BAKING · stage 1\/3$/m);
    expect(watch.stdout).toMatch(/^paused: MANUAL by admin:bootstrap at .* — hold on$/m);
    expect(watch.stdout.trimEnd().split("\n").at(-1)).toBe("paused: MANUAL (hold on)");
    expect((await flagctl(["rollback", flag, "--env", "staging"])).code).toBe(0);
  });
});
