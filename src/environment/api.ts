/**
 * The Environment Durable Object's RPC surface as callers see it. The class implements this
 * interface, and callers reach it through `environmentStub`, which keeps workers-types' deep RPC
 * type mapping (which recurses through the flag's JSON values) out of the compiler's way.
 */
import type { Flag } from "../domain/flag.js";
import type { HistoryEntry } from "../domain/history.js";
import type { SnapshotManifest } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import type { RolloutState } from "../domain/rollout/model.js";
import type { RolloutSeries } from "../domain/rollout/series.js";
import type { RolloutStatus } from "../domain/rollout/status.js";
import type { RolloutPlan } from "../domain/rollout/strategies.js";
import type { Schedule, ScheduleState } from "../domain/schedule.js";
import type { ChangeMeta, CommandResult } from "../command.js";
import type { SegmentView } from "../domain/segment.js";
import type { SegmentChange, SegmentMembersOutcome } from "./segment-commands.js";
import type { CreatedWebhook, WebhookDelivery, WebhookRecord } from "../domain/webhook.js";
import type { WebhookStats } from "./webhook-outbox.js";
import type { ChangeOutcome, CreatedSdkKey, EnvironmentStatus, FlagChange, ImportOutcome, RolloutCommand, SdkKeyRecord, WriteGuard } from "./types.js";

export interface EnvironmentApi {
  /** The current snapshot manifest (docs/architecture.md, "KV snapshot"); `knownVersion`: unchanged answers are tiny. */
  getSnapshot(knownVersion?: number): Promise<SnapshotManifest | { version: number; unchanged: true }>;
  /** The text of shard `index` of the current snapshot if its hash is `hash`, else null (an edge whose KV lags asks). */
  getShard(index: number, hash: string): Promise<string | null>;
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
  listSegments(): Promise<SegmentView[]>;
  getSegment(key: string): Promise<SegmentView | null>;
  /** Create or replace a segment (the body's key must equal `key`). */
  putSegment(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<SegmentChange>>;
  /** Refused (IN_USE) while live flags use it. */
  deleteSegment(key: string, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>>;
  /** Adds ids to and removes ids from `include`; audited as the ids that changed. */
  changeSegmentMembers(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<SegmentMembersOutcome>>;
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
  /** Schedules a flag change at `at` on the environment clock (applied at once when already due). */
  createSchedule(input: unknown, meta: ChangeMeta): Promise<CommandResult<{ schedule: Schedule }>>;
  listSchedules(filter: { state?: ScheduleState | undefined; flag?: string | undefined }): Promise<Schedule[]>;
  getSchedule(id: string): Promise<Schedule | null>;
  /** PENDING → CANCELLED; another state is a VERSION_CONFLICT (409). */
  cancelSchedule(id: string, meta: ChangeMeta): Promise<CommandResult<{ schedule: Schedule }>>;
  ingestMetrics(input: unknown, maxAgeSeconds: number): Promise<CommandResult<{ buckets: number; dropped: number }>>;
  notificationStats(): Promise<WebhookStats>;
  /** Webhook subscriptions (docs/webhooks.md); `requestOrigin` as for createRollout. */
  createWebhook(input: unknown, meta: ChangeMeta, requestOrigin?: string): Promise<CommandResult<{ webhook: CreatedWebhook }>>;
  listWebhooks(): Promise<WebhookRecord[]>;
  deleteWebhook(id: string, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>>;
  /** The newest `limit` (default 50, at most 100) delivery attempts of a subscription, newest first. */
  webhookDeliveries(id: string, limit?: number): Promise<CommandResult<{ deliveries: WebhookDelivery[] }>>;
}

export function environmentStub(env: Env, name: string): EnvironmentApi {
  return env.ENVIRONMENT.getByName(name) as unknown as EnvironmentApi;
}
