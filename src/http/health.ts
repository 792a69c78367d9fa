/**
 * `GET /health` (public): one check per dependency and per environment, 200 when all pass, else 503.
 * Checks: configuration, KV (read), D1 (the audit table answers), and for each environment its
 * Durable Object (publishing) and its KV snapshot (present). Details are short ("ok", "publish
 * failing", "unreachable"); errors, versions and audit state are at `GET /admin/v1/status`.
 */
import { Hono } from "hono";
import { loadConfig } from "../config.js";
import type { Env } from "../env.js";
import { configProbe, dependencyProbes, environmentProbes } from "./health-checks.js";

export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export async function healthReport(env: Env): Promise<{ ok: boolean; checks: HealthCheck[] }> {
  const config = loadConfig(env);
  const environments = config.ok ? config.config.environments : [];
  const [head, perEnvironment] = await Promise.all([
    Promise.all([Promise.resolve(configProbe(env, config)), ...dependencyProbes(env)]),
    Promise.all(environments.map((name) => environmentProbes(env, name))),
  ]);
  const checks = [...head, ...perEnvironment.flatMap((e) => e.checks)].map(({ name, ok, detail }) => ({ name, ok, detail }));
  return { ok: checks.every((c) => c.ok), checks };
}

export const health = new Hono<{ Bindings: Env }>();

/** Liveness: a static answer with no I/O (also the static baseline of the HTTP benchmark). */
health.get("/live", (c) => c.json({ status: "ok" }));

health.get("/", async (c) => {
  const report = await healthReport(c.env);
  return c.json({ status: report.ok ? "ok" : "unhealthy", checks: report.checks }, report.ok ? 200 : 503, {
    "Cache-Control": "no-store",
  });
});
