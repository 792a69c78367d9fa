/** Driving rollouts through the real Worker on a simulated clock: cron ticks and metrics over HTTP. */
import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index.js";
import type { Env } from "../../src/env.js";
import { ADMIN, adminJson } from "./admin-helpers.js";
import { call } from "./helpers.js";

export const MIN = 60_000;

/** Runs the cron handler with a chosen scheduledTime, as `/cdn-cgi/handler/scheduled?time=` does. */
export async function tickAt(ms: number): Promise<void> {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ scheduledTime: new Date(ms), cron: "* * * * *" }), env as Env, ctx);
  await waitOnExecutionContext(ctx);
}

export interface Minute {
  requests: number;
  errors: number;
  slow500?: number;
  slow1000?: number;
}

/** POST /v1/metrics with the bootstrap admin token: one per-minute sample. */
export async function postMinute(envName: string, flag: string, variant: string, minute: number, m: Minute): Promise<Response> {
  return call("/v1/metrics", {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      env: envName,
      samples: [{ flag, variant, minute: new Date(minute).toISOString(), requests: m.requests, errors: m.errors, slowerThanMs: { "500": m.slow500 ?? 0, "1000": m.slow1000 ?? 0 } }],
    }),
  });
}

export interface RolloutView {
  id: string;
  state: string;
  phase: string | null;
  stageIndex: number;
  percentage: number;
  pauseReasons: { reason: string }[];
  guards: { name: string; status: string; streak: number; needsSamples: number | null }[];
  outcome: { trigger: string; reason: string } | null;
}

export async function rollout(envName: string, id: string): Promise<RolloutView> {
  const res = await adminJson<RolloutView>("GET", `/envs/${envName}/rollouts/${id}`);
  if (res.status !== 200) throw new Error(`rollout ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Simulates minutes from `from`: for each minute, post its metrics (if `metrics` returns some),
 * then tick at the minute's end. Stops when `until` says so or after `maxMinutes`.
 */
export async function simulate(opts: {
  env: string;
  flag: string;
  variant: string;
  id: string;
  from: number;
  maxMinutes: number;
  metrics: (minuteIndex: number, view: RolloutView) => Minute | null;
  until: (view: RolloutView) => boolean;
}): Promise<{ view: RolloutView; minutes: number; history: RolloutView[] }> {
  let view = await rollout(opts.env, opts.id);
  const history: RolloutView[] = [view];
  for (let i = 0; i < opts.maxMinutes; i++) {
    const minute = opts.from + i * MIN;
    const m = opts.metrics(i, view);
    if (m) {
      const res = await postMinute(opts.env, opts.flag, opts.variant, minute, m);
      if (res.status !== 202) throw new Error(`metrics: ${res.status} ${await res.text()}`);
    }
    await tickAt(minute + MIN);
    view = await rollout(opts.env, opts.id);
    history.push(view);
    if (opts.until(view)) return { view, minutes: i + 1, history };
  }
  return { view, minutes: opts.maxMinutes, history };
}
