/**
 * The checks behind `GET /health` (public) and `GET /admin/v1/status` (behind admin auth). Each
 * check has a short `detail` safe to show anyone ("ok", "publish failing", "unreachable") and a
 * `full` one for admins, with the raw errors and versions.
 */
import type { ConfigResult } from "../config.js";
import type { Env } from "../env.js";
import { environmentStub } from "../environment/api.js";
import type { EnvironmentStatus } from "../environment/types.js";
import { adminTokenWeakness } from "../admin-token.js";
import { headroomDetail, headroomOf, type Headroom } from "../domain/limits.js";
import { snapshotKey } from "../snapshot-key.js";

export interface Probe {
  readonly name: string;
  readonly ok: boolean;
  /** Short and public: no error text, versions or internals. */
  readonly detail: string;
  /** The whole story, for admins. */
  readonly full: string;
}
type Outcome = Omit<Probe, "name">;

/** A dependency that does not answer within this long counts as failed. */
const CHECK_TIMEOUT_MS = 5_000;

async function probe(name: string, run: () => Promise<Outcome>): Promise<Probe> {
  let timer: number | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return { name, ...(await Promise.race([run(), timeout])) };
  } catch (error) {
    return { name, ok: false, detail: "unreachable", full: error instanceof Error ? error.message : String(error) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The settings named by the configuration's issues ("FLAG_OVERRIDES.staging: …" → FLAG_OVERRIDES). */
const settingsOf = (issues: readonly string[]): string[] => [...new Set(issues.map((i) => i.split(/[.:]/)[0] ?? "config"))];

export function configProbe(env: Env, config: ConfigResult): Probe {
  if (!config.ok) return { name: "config", ok: false, detail: `invalid: ${settingsOf(config.issues).join(", ")}`, full: config.issues.join("; ") };
  const problems: string[] = [];
  if (config.config.analyticsEngine && (env.AE_API_TOKEN === undefined || env.METRICS_DATASET === undefined)) {
    problems.push("METRICS_SOURCE is analytics-engine but the AE_API_TOKEN secret or the METRICS_DATASET binding is missing");
  }
  const weak = adminTokenWeakness(env.ADMIN_TOKEN, config.config.localDev);
  if (weak !== null) problems.push(weak);
  // These messages name settings only, so the public detail may carry them.
  if (problems.length > 0) return { name: "config", ok: false, detail: problems.join("; "), full: problems.join("; ") };
  const source = config.config.analyticsEngine ? "analytics-engine" : "durable-object";
  return { name: "config", ok: true, detail: "ok", full: `environments: ${config.config.environments.join(", ")}; metrics: ${source}` };
}

export function dependencyProbes(env: Env): Promise<Probe>[] {
  return [
    probe("kv", async () => {
      await env.FLAGS_KV.get("health:probe");
      return { ok: true, detail: "ok", full: "read ok" };
    }),
    probe("d1", async () => {
      // Cheap on any table size: proves the database answers and is migrated.
      await env.AUDIT_DB.prepare("SELECT 1 FROM audit_log LIMIT 1").all();
      return { ok: true, detail: "ok", full: "audit_log answers" };
    }),
  ];
}

export interface EnvironmentProbes {
  readonly checks: readonly [Probe, Probe];
  /** The Durable Object's status, when it answered. */
  readonly status: EnvironmentStatus | null;
  /** The version of the snapshot in KV, when there is one. */
  readonly snapshotVersion: number | null;
  /** How close the environment is to its limits, when its Durable Object answered. */
  readonly headroom: Headroom | null;
}

/**
 * `environment:<name>` (its Durable Object publishes, and the environment has headroom under its
 * limits) and `snapshot:<name>` (KV has a snapshot). Headroom at 80 % of a limit keeps the check
 * ok with a "headroom low" detail; at 95 % the check fails (docs/architecture.md, "Health").
 */
export async function environmentProbes(env: Env, name: string): Promise<EnvironmentProbes> {
  let status: EnvironmentStatus | null = null;
  let snapshotVersion: number | null = null;
  let headroom: Headroom | null = null;
  const checks = await Promise.all([
    probe(`environment:${name}`, async () => {
      const current = await environmentStub(env, name).status();
      status = current;
      const room = headroomOf({ flags: current.flagCount, bytes: current.flagBytes }, current.largestValueBytes);
      headroom = room;
      const publishing = current.lastPublishError === null || current.publishedVersion === current.version;
      if (!publishing) return { ok: false, detail: "publish failing", full: `publish failing: ${current.lastPublishError}` };
      const full = `version ${current.version}, ${current.flagCount} flags`;
      if (room.level === "ok") return { ok: true, detail: "ok", full };
      const sizes = `${current.flagBytes} bytes of flags, largest KV value ${current.largestValueBytes ?? "—"} bytes`;
      return { ok: room.level === "warn", detail: headroomDetail(room), full: `${headroomDetail(room)}; ${full}, ${sizes}` };
    }),
    probe(`snapshot:${name}`, async () => {
      const { value, metadata } = await env.FLAGS_KV.getWithMetadata<{ version: number }>(snapshotKey(name), "stream");
      await value?.cancel();
      if (metadata === null) return { ok: false, detail: "not published", full: "no snapshot published yet" };
      snapshotVersion = metadata.version;
      return { ok: true, detail: "ok", full: `published version ${metadata.version}` };
    }),
  ]);
  return { checks, status, snapshotVersion, headroom };
}
