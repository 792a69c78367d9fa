/**
 * The Environment Durable Object's RPC surface as callers see it. The class implements this
 * interface, and callers reach it through `environmentStub`, which keeps workers-types' deep RPC
 * type mapping (which recurses through the flag's JSON values) out of the compiler's way.
 */
import type { Flag } from "../domain/flag.js";
import type { HistoryEntry } from "../domain/history.js";
import type { Snapshot } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import type { RolloutState } from "../domain/rollout/model.js";
import type { RolloutSeries } from "../domain/rollout/series.js";
import type { RolloutStatus } from "../domain/rollout/status.js";
import type { RolloutPlan } from "../domain/rollout/strategies.js";
import type { ChangeMeta, CommandResult } from "../command.js";
import type { WebhookStats } from "./webhook-outbox.js";
import type { ChangeOutcome, CreatedSdkKey, EnvironmentStatus, FlagChange, ImportOutcome, RolloutCommand, SdkKeyRecord, WriteGuard } from "./types.js";

export interface EnvironmentApi {
  getSnapshot(knownVersion?: number): Promise<Snapshot | { version: number; unchanged: true }>;
  status(): Promise<EnvironmentStatus>;
  listFlags(): Promise<Flag[]>;
  getFlag(key: string): Promise<Flag | null>;
  /** Create or replace a flag (the body's key must equal `key`). */
  putFlag(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>>;
  /** JSON Merge Patch over the stored flag. */
  patchFlag(key: string, patch: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>>;
  setFlagEnabled(key: string, enabled: boolean, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>>;
  archiveFlag(key: string, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>>;
  /** Writes an earlier version's content as the flag's next version (`flag.restored`). */
  restoreFlag(key: string, content: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>>;
  /** Audit events committed and not yet in D1, oldest first (optionally only these target ids). */
  pendingAudit(targetIds?: readonly string[]): Promise<HistoryEntry[]>;
  importFlags(input: unknown, options: unknown, meta: ChangeMeta): Promise<CommandResult<ImportOutcome>>;
  createSdkKey(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedSdkKey>>;
  listSdkKeys(): Promise<SdkKeyRecord[]>;
  revokeSdkKey(id: string, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>>;
  /** Write pending audit rows to D1 now (also done by the alarm). */
  flushAudit(): Promise<{ written: number; pending: number }>;
  tick(now: number): Promise<EnvironmentStatus>;
  /** `requestOrigin`: the origin the admin request came in at (this service), which probes and webhooks may never call. */
  createRollout(input: unknown, meta: ChangeMeta, requestOrigin?: string): Promise<CommandResult<{ rollout: RolloutStatus | null; plan: RolloutPlan }>>;
  listRollouts(filter: { flag?: string | undefined; state?: RolloutState | undefined }): Promise<RolloutStatus[]>;
  getRollout(id: string): Promise<RolloutStatus | null>;
  /** Per-minute guard series of a rollout over [from, to) in epoch ms (both optional: the last hour). */
  rolloutSeries(id: string, from: number | undefined, to: number | undefined): Promise<CommandResult<{ series: RolloutSeries }>>;
  rolloutCommand(id: string, command: RolloutCommand, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus; changed: boolean }>>;
  ingestMetrics(input: unknown, maxAgeSeconds: number): Promise<CommandResult<{ buckets: number; dropped: number }>>;
  notificationStats(): Promise<WebhookStats>;
}

export function environmentStub(env: Env, name: string): EnvironmentApi {
  return env.ENVIRONMENT.getByName(name) as unknown as EnvironmentApi;
}
