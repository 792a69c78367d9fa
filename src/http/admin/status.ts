/**
 * `GET /admin/v1/status`: what public /health only summarises. Every check with its full detail
 * (raw errors included), and each environment's Durable Object status (versions, publish and
 * audit-flush state, clock, metrics source) next to the snapshot version in KV. Any token may
 * call it; it shows only the environments the token may view (`*` sees all).
 */
import { z } from "zod";
import { allows, Role } from "../../access/roles.js";
import { loadConfig } from "../../config.js";
import type { EnvironmentStatus } from "../../environment/types.js";
import { configProbe, dependencyProbes, environmentProbes } from "../health-checks.js";
import { adminRoute } from "./access.js";
import { createAdminRouter, errorResponses, jsonContent } from "./support.js";

export const statusRoutes = createAdminRouter();

const Check = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
const EnvironmentStatusView = z.object({
  env: z.string(),
  version: z.number().int().describe("the environment's state version"),
  flagCount: z.number().int(),
  flagBytes: z.number().int().describe("stored bytes (UTF-8) of the live flags, counted against maxEnvironmentFlagBytes"),
  largestValueBytes: z.number().int().nullable().describe("bytes of the largest value the last publish wrote to KV (null: none yet), against KV's 25 MiB"),
  clock: z.number().describe("the environment clock, epoch ms"),
  publishedVersion: z.number().int().describe("the last version written to KV"),
  lastPublishAt: z.number().nullable().describe("epoch ms of the last KV write attempt"),
  lastPublishError: z.string().nullable(),
  audit: z.object({ lastSeq: z.number().int(), pending: z.number().int(), lastFlushError: z.string().nullable() }),
  metrics: z.object({ source: z.string(), lastError: z.string().nullable() }),
  snapshotVersion: z.number().int().nullable().describe("the version of the snapshot in KV (null: none yet)"),
});
/** Who the token is: the dashboard decides what to enable from it (a viewer gets a read-only UI). */
const PrincipalView = z.object({
  actor: z.string(),
  role: Role,
  environments: z.array(z.string()).describe('the environments the token is bound to ("*": all)'),
});
const StatusReport = z.object({
  principal: PrincipalView,
  status: z.enum(["ok", "unhealthy"]),
  checks: z.array(Check),
  environments: z.array(EnvironmentStatusView),
});

/** The Durable Object's status must fit the documented view (a compile-time check). */
const asView = (status: EnvironmentStatus, snapshotVersion: number | null): z.infer<typeof EnvironmentStatusView> => ({ ...status, snapshotVersion });

statusRoutes.openapi(
  adminRoute({ role: "viewer", on: "some" }, {
    method: "get",
    path: "/status",
    summary: "The service's full status: every check with its detail, and each environment the token may view",
    responses: { 200: jsonContent(StatusReport, "checks and environment states (200 even when a check fails)"), ...errorResponses },
  }),
  async (c) => {
    const config = loadConfig(c.env);
    const principal = c.get("principal");
    const visible = config.ok ? config.config.environments.filter((name) => allows(principal, "viewer", name)) : [];
    const [head, perEnvironment] = await Promise.all([
      Promise.all([Promise.resolve(configProbe(c.env, config)), ...dependencyProbes(c.env)]),
      Promise.all(visible.map((name) => environmentProbes(c.env, name))),
    ]);
    const checks = [...head, ...perEnvironment.flatMap((e) => e.checks)].map(({ name, ok, full }) => ({ name, ok, detail: full }));
    const environments = perEnvironment.flatMap((e) => (e.status === null ? [] : [asView(e.status, e.snapshotVersion)]));
    const { actor, role, environments: bound } = principal;
    return c.json({ principal: { actor, role, environments: [...bound] }, status: checks.every((check) => check.ok) ? ("ok" as const) : ("unhealthy" as const), checks, environments }, 200);
  },
);
