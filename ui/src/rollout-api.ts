/**
 * The rollout calls of the admin API (docs/admin-api.md "Rollouts and metrics"), through the
 * dashboard's Api client: status, series, commands with reason and expectedStage, start and dry run.
 */
import type { Api } from "./api.js";
import type { RolloutAction, RolloutDetail, RolloutPlan, RolloutSeries } from "./rollout-types.js";
import type { AuditEntry } from "./types.js";

const base = (env: string) => `/admin/v1/envs/${encodeURIComponent(env)}/rollouts`;

export function rolloutDetail(api: Api, env: string, id: string): Promise<RolloutDetail> {
  return api.request("GET", `${base(env)}/${encodeURIComponent(id)}`);
}

export function rolloutSeries(api: Api, env: string, id: string, range: { from: number; to: number } | null): Promise<RolloutSeries> {
  const query = range === null ? "" : `?${new URLSearchParams({ from: String(range.from), to: String(range.to) })}`;
  return api.request("GET", `${base(env)}/${encodeURIComponent(id)}/series${query}`);
}

export function rolloutCommand(api: Api, env: string, id: string, action: RolloutAction, reason: string, expectedStage?: number): Promise<{ rollout: RolloutDetail; changed: boolean }> {
  const body = expectedStage === undefined ? { reason } : { reason, expectedStage };
  return api.request("POST", `${base(env)}/${encodeURIComponent(id)}/${action}`, body);
}

export interface StartRequest {
  flag: string;
  variant: string;
  strategy: "safe" | "fast" | "instant";
  /** Overrides the strategy's dwell per stage (seconds), as `flagctl deploy --min-stage-duration`. */
  minStageDurationSeconds?: number;
  /** Overrides the bake at 100 % (seconds), as `--final-bake`. */
  finalBakeSeconds?: number;
  /** Recorded with the rollout's audit entry, as `--reason`. */
  reason?: string;
}

export function startRollout(api: Api, env: string, request: StartRequest, dryRun: boolean): Promise<{ rollout: RolloutDetail | null; plan: RolloutPlan }> {
  return api.request("POST", base(env), dryRun ? { ...request, dryRun: true } : request);
}

/** The flag's audit events, newest first: the rollout's timeline is the ones on or after its creation. */
export async function flagAudit(api: Api, env: string, flag: string): Promise<AuditEntry[]> {
  return api.audit(env, { flag });
}
