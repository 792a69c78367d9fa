/**
 * `GET /health` (public): one check per dependency and per environment, 200 when all pass, else 503.
 * Checks: configuration, KV (read), D1 (the audit table answers), and for each environment its
 * Durable Object (publishing, with headroom under its limits) and its KV snapshot (present). The
 * body's `headroom` gives, per environment, live flags, stored flag bytes and the largest published
 * KV value against their limits (src/domain/limits.ts). Details are short ("ok", "publish
 * failing", "unreachable"); errors, versions and audit state are at `GET /admin/v1/status`.
 *
 * Anyone may call it, and a report costs a Durable Object call per environment plus KV and D1
 * reads: so an isolate answers from its last report for as long as it serves snapshots without
 * re-reading them (SNAPSHOT_REFRESH_MS, at most 5 s), and concurrent callers share one report.
 */
import { Hono } from "hono";
import { loadConfig } from "../config.js";
import type { Env } from "../env.js";
import type { Headroom } from "../domain/limits.js";
import { configProbe, dependencyProbes, environmentProbes } from "./health-checks.js";

export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The public report: the checks, and each environment's headroom under its limits (null: its Durable Object did not answer). */
export interface HealthReport {
  readonly ok: boolean;
  readonly checks: HealthCheck[];
  readonly headroom: Record<string, Headroom | null>;
}

export async function healthReport(env: Env): Promise<HealthReport> {
  const config = loadConfig(env);
  const environments = config.ok ? config.config.environments : [];
  const [head, perEnvironment] = await Promise.all([
    Promise.all([Promise.resolve(configProbe(env, config)), ...dependencyProbes(env)]),
    Promise.all(environments.map((name) => environmentProbes(env, name))),
  ]);
  const checks = [...head, ...perEnvironment.flatMap((e) => e.checks)].map(({ name, ok, detail }) => ({ name, ok, detail }));
  const headroom = Object.fromEntries(environments.map((name, i) => [name, perEnvironment[i]?.headroom ?? null]));
  return { ok: checks.every((c) => c.ok), checks, headroom };
}

/** The report an isolate last made (or is making), and when it was asked for. */
const MAX_REPORT_AGE_MS = 5_000;
let lastReport: { at: number; env: Env; settled: boolean; report: Promise<HealthReport> } | undefined;

/** `healthReport`, shared by concurrent callers and reused within the window (at most 5 s). */
export function cachedHealthReport(env: Env, now: number = Date.now()): Promise<HealthReport> {
  const config = loadConfig(env);
  const maxAge = Math.min(MAX_REPORT_AGE_MS, config.ok ? config.config.snapshotRefreshMs : 0);
  if (lastReport && lastReport.env === env && (!lastReport.settled || now - lastReport.at <= maxAge)) return lastReport.report;
  const entry: NonNullable<typeof lastReport> = { at: now, env, settled: false, report: healthReport(env) };
  lastReport = entry;
  entry.report.then(
    () => void (entry.settled = true),
    () => void (lastReport === entry && (lastReport = undefined)), // a failed report is not reused
  );
  return entry.report;
}

export const health = new Hono<{ Bindings: Env }>();

/** Liveness: a static answer with no I/O (also the static baseline of the HTTP benchmark). */
health.get("/live", (c) => c.json({ status: "ok" }));

health.get("/", async (c) => {
  const report = await cachedHealthReport(c.env);
  return c.json({ status: report.ok ? "ok" : "unhealthy", checks: report.checks, headroom: report.headroom }, report.ok ? 200 : 503, {
    "Cache-Control": "no-store",
  });
});
