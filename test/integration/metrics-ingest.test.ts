/**
 * POST /v1/metrics keeps only what a rollout guard can use: the buckets of an active rollout's new
 * variant or baseline. Everything else answers 202 and is counted as `dropped`, with nothing
 * written; requests and the environment's stored buckets are capped. Rows are counted straight in
 * the Environment Durable Object's `metric_buckets`.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_STORED_BUCKETS } from "../../src/domain/rollout/metrics-scope.js";
import { ADMIN, adminJson, booleanFlag } from "./admin-helpers.js";
import { call } from "./helpers.js";
import { MIN, postMinute, tickAt } from "./rollout-helpers.js";
import { DAY, SimClock } from "../support/sim-clock.js";

const ENV = "production";
const FLAG = "ingest_scope";
const clock = new SimClock();
let rolloutId = "";

interface Accepted { environment: string; buckets: number; dropped: number }

async function postMetrics(body: Record<string, unknown>): Promise<Response> {
  return call("/v1/metrics", {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ env: ENV, ...body }),
  });
}

/** Runs SQL inside the environment's Durable Object. */
async function inObject<T>(fn: (sql: SqlStorage) => T): Promise<T> {
  return runInDurableObject(env.ENVIRONMENT.getByName(ENV), (_instance, state) => fn(state.storage.sql));
}

const rowCount = (where = "1 = 1", ...params: (string | number)[]) =>
  inObject((sql) => sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM metric_buckets WHERE ${where}`, ...params).one().n);

const requestsIn = (flag: string, variant: string, minute: number) =>
  inObject((sql) => sql.exec<{ requests: number }>("SELECT requests FROM metric_buckets WHERE flag = ? AND variant = ? AND minute = ?", flag, variant, minute).toArray()[0]?.requests ?? null);

beforeAll(async () => {
  await tickAt(clock.now); // the environment's clock is now `clock`
  // Variants on/off, serving a 0 % rollout of "on" over the baseline "off"; a third variant no rollout watches.
  const flag = booleanFlag(FLAG, { type: "string", variants: { on: "on", off: "off", other: "other" }, fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 0 } } });
  const put = await adminJson("PUT", `/envs/${ENV}/flags/${FLAG}`, flag);
  expect([200, 201]).toContain(put.status);
  // SCHEDULED a day ahead: not started, yet active, so its metrics are kept (history for its guards).
  const created = await adminJson<{ rollout: { id: string; state: string } }>("POST", `/envs/${ENV}/rollouts`, { flag: FLAG, variant: "on", strategy: "fast", startAt: clock.now + DAY });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.rollout.state).toBe("SCHEDULED");
  rolloutId = created.body.rollout.id;
});

afterAll(async () => {
  await adminJson("POST", `/envs/${ENV}/rollouts/${rolloutId}/cancel`, { reason: "test over" });
});

describe("POST /v1/metrics keeps only the metrics of active rollouts", () => {
  it("answers 202 for a flag no rollout watches, counts every bucket as dropped, and stores nothing", async () => {
    const before = await rowCount();
    const minute = clock.now - 5 * MIN;
    const res = await postMetrics({
      samples: [0, 1, 2].map((i) => ({ flag: "no_such_flag", variant: "on", minute: minute + i * MIN, requests: 10, errors: 0 })),
      // A real flag without a rollout, and a made-up variant of it.
      events: [{ flag: "phase_4_deployment", variant: "on", at: minute, error: false }, { flag: "phase_4_deployment", variant: "made_up", at: minute, error: true }],
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ environment: ENV, buckets: 0, dropped: 5 });
    expect(await rowCount()).toBe(before);
    expect(await rowCount("flag IN ('no_such_flag', 'phase_4_deployment')")).toBe(0);
  });

  it("keeps an active rollout's variant and baseline, and drops a variant the rollout does not use", async () => {
    const minute = clock.now - 10 * MIN;
    const res = await postMetrics({
      samples: ["on", "off", "other"].map((variant) => ({ flag: FLAG, variant, minute, requests: 100, errors: 1 })),
      events: [{ flag: FLAG, variant: "on", at: minute + 1_000, error: true, latencyMs: 700 }, { flag: FLAG, variant: "other", at: minute, error: false }],
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ environment: ENV, buckets: 2, dropped: 1 });
    expect(await requestsIn(FLAG, "on", minute)).toBe(101);
    expect(await requestsIn(FLAG, "off", minute)).toBe(100);
    expect(await requestsIn(FLAG, "other", minute)).toBeNull();
  });

  it("refuses a request over the per-request caps with 422 naming the field", async () => {
    const at = clock.now - MIN;
    const tooManyEvents = await postMetrics({ events: Array.from({ length: 1_001 }, () => ({ flag: FLAG, variant: "on", at, error: false })) });
    expect(tooManyEvents.status).toBe(422);
    const events = (await tooManyEvents.json()) as { error: { code: string; details: { path: string }[] } };
    expect(events.error.code).toBe("VALIDATION_FAILED");
    expect(events.error.details.map((d) => d.path)).toEqual(["events"]);
    const tooManySamples = await postMinuteBatch(1_001, at);
    expect(tooManySamples.status).toBe(422);
    expect(((await tooManySamples.json()) as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toEqual(["samples"]);
    expect(await requestsIn(FLAG, "on", at - (at % MIN))).toBeNull();
  });

  it("drops new buckets once the environment stores MAX_STORED_BUCKETS, still adds into existing ones, and keeps again after space frees", async () => {
    const stored = clock.now - 10 * MIN; // the bucket the previous test stored for (FLAG, on)
    const fresh = clock.now - 2 * MIN;
    // Fill the table to the cap with rows no rollout reads; a tick then recounts it.
    const filler = MAX_STORED_BUCKETS - (await rowCount());
    await inObject((sql) =>
      sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO metric_buckets (flag, variant, minute, requests, errors, slower) SELECT 'filler', 'v' || i, ?, 0, 0, '{}' FROM n`,
        filler, clock.now,
      ),
    );
    await tickAt(clock.now);
    expect(await rowCount()).toBe(MAX_STORED_BUCKETS);

    const full = await postMinute(ENV, FLAG, "on", fresh, { requests: 5, errors: 0 });
    expect(full.status).toBe(202);
    expect(await full.json()).toMatchObject({ buckets: 0, dropped: 1 });
    expect(await requestsIn(FLAG, "on", fresh)).toBeNull();
    const existing = await postMinute(ENV, FLAG, "on", stored, { requests: 5, errors: 0 });
    expect(await existing.json()).toMatchObject({ buckets: 1, dropped: 0 });
    expect(await requestsIn(FLAG, "on", stored)).toBe(106);
    expect(await rowCount()).toBe(MAX_STORED_BUCKETS);

    await inObject((sql) => sql.exec("DELETE FROM metric_buckets WHERE flag = 'filler'"));
    await tickAt(clock.advance(MIN));
    const freed = await postMinute(ENV, FLAG, "on", fresh, { requests: 5, errors: 0 });
    expect(await freed.json()).toMatchObject({ buckets: 1, dropped: 0 });
    expect(await requestsIn(FLAG, "on", fresh)).toBe(5);
  });

  it("drops the metrics of a rollout once it has ended", async () => {
    const cancelled = await adminJson("POST", `/envs/${ENV}/rollouts/${rolloutId}/cancel`, { reason: "ended" });
    expect(cancelled.status).toBe(200);
    const minute = clock.now - 7 * MIN; // a minute no earlier test stored
    const res = await postMinute(ENV, FLAG, "on", minute, { requests: 5, errors: 0 });
    expect(await res.json()).toEqual({ environment: ENV, buckets: 0, dropped: 1 });
    expect(await requestsIn(FLAG, "on", minute)).toBeNull();
  });
});

function postMinuteBatch(n: number, minute: number): Promise<Response> {
  return postMetrics({ samples: Array.from({ length: n }, (_, i) => ({ flag: FLAG, variant: "on", minute: minute - (i % 30) * MIN, requests: 1, errors: 0 })) });
}
