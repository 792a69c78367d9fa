/**
 * `GET /health`: one check per dependency and per environment, 200 when all pass, else 503.
 * Checks: configuration, KV (read), D1 (the audit table answers), and for each environment its
 * Durable Object (state version, publish errors) and its KV snapshot (present, how far behind).
 */
import { Hono } from "hono";
import { loadConfig } from "../config.js";
import type { Env } from "../env.js";
import { environmentStub } from "../environment/api.js";
import { snapshotKey } from "../snapshot-key.js";

export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly [extra: string]: unknown;
}
type CheckOutcome = { readonly ok: boolean; readonly detail: string; readonly [extra: string]: unknown };

/** A dependency that does not answer within this long counts as failed. */
const CHECK_TIMEOUT_MS = 5_000;

async function check(name: string, run: () => Promise<CheckOutcome>): Promise<HealthCheck> {
  let timer: number | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return { name, ...(await Promise.race([run(), timeout])) };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function configCheck(env: Env, config: ReturnType<typeof loadConfig>): HealthCheck {
  if (!config.ok) return { name: "config", ok: false, detail: config.issues.join("; ") };
  if (config.config.analyticsEngine && (env.AE_API_TOKEN === undefined || env.METRICS_DATASET === undefined)) {
    return { name: "config", ok: false, detail: "METRICS_SOURCE is analytics-engine but the AE_API_TOKEN secret or the METRICS_DATASET binding is missing" };
  }
  const source = config.config.analyticsEngine ? "analytics-engine" : "durable-object";
  return { name: "config", ok: true, detail: `environments: ${config.config.environments.join(", ")}; metrics: ${source}` };
}

export async function healthReport(env: Env): Promise<{ ok: boolean; checks: HealthCheck[] }> {
  const config = loadConfig(env);
  const checks: Promise<HealthCheck>[] = [
    Promise.resolve(configCheck(env, config)),
    check("kv", async () => {
      await env.FLAGS_KV.get("health:probe");
      return { ok: true, detail: "read ok" };
    }),
    check("d1", async () => {
      // Cheap on any table size: proves the database answers and is migrated.
      await env.AUDIT_DB.prepare("SELECT 1 FROM audit_log LIMIT 1").all();
      return { ok: true, detail: "audit_log answers" };
    }),
  ];
  if (config.ok) {
    for (const name of config.config.environments) {
      checks.push(
        check(`environment:${name}`, async () => {
          const status = await environmentStub(env, name).status();
          const ok = status.lastPublishError === null || status.publishedVersion === status.version;
          return { ok, detail: ok ? `version ${status.version}, ${status.flagCount} flags` : `publish failing: ${status.lastPublishError}`, ...status };
        }),
        check(`snapshot:${name}`, async () => {
          const { metadata } = await env.FLAGS_KV.getWithMetadata<{ version: number }>(snapshotKey(name), "stream").then(async (r) => {
            await r.value?.cancel();
            return r;
          });
          if (metadata === null) return { ok: false, detail: "no snapshot published yet" };
          return { ok: true, detail: `published version ${metadata.version}`, version: metadata.version };
        }),
      );
    }
  }
  const done = await Promise.all(checks);
  return { ok: done.every((c) => c.ok), checks: done };
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
