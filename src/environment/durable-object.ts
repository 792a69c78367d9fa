/**
 * The Environment Durable Object: the only writer of one environment's flags, SDK keys, rollouts
 * and KV snapshot (docs/architecture.md). This class is the composition root: it builds the
 * environment's parts once (parts.ts: storage, audit outbox and flusher, snapshot publisher,
 * webhook outbox, metrics store, the environment clock, wired into one `EnvironmentContext`) and
 * delegates each RPC method to the module that owns it:
 *
 * - FlagCommands (flag-commands.ts): put / patch / kill switch / archive / import / seed / overrides
 * - SdkKeyCommands (sdk-key-commands.ts): create / revoke
 * - SegmentCommands (segment-commands.ts): put / delete / members, and the segment reads
 * - Rollouts (rollouts.ts): create / commands / guard series / metric ingest / tick
 * - Schedules (schedules.ts): scheduled flag changes, applied by the alarm and the tick
 * - WebhookCommands (webhook-commands.ts): webhook subscriptions and their delivery logs
 *
 * Every command commits in one SQLite transaction with exactly one audit event per change; only
 * then does the context drain side effects (KV publish, D1 audit flush, webhooks), each retried
 * from the alarm. After each drain's publish, the hibernatable WebSocket subscribers
 * (subscribers.ts; `fetch` at /subscribe) hear of the new version and the committed audit events.
 * RPC methods return results instead of throwing: errors thrown across RPC surface badly.
 */
import { DurableObject } from "cloudflare:workers";
import type { ChangeMeta, CommandResult } from "../command.js";
import { loadConfig, type Config } from "../config.js";
import type { Flag } from "../domain/flag.js";
import type { HistoryEntry } from "../domain/history.js";
import type { RolloutState } from "../domain/rollout/model.js";
import type { RolloutSeries } from "../domain/rollout/series.js";
import type { RolloutStatus } from "../domain/rollout/status.js";
import type { RolloutPlan } from "../domain/rollout/strategies.js";
import type { Schedule, ScheduleState } from "../domain/schedule.js";
import type { SdkKeyRecord } from "../domain/sdk-key.js";
import type { SegmentView } from "../domain/segment.js";
import type { SnapshotManifest } from "../domain/snapshot.js";
import type { CreatedWebhook, WebhookDelivery, WebhookRecord } from "../domain/webhook.js";
import type { Env } from "../env.js";
import type { EnvironmentApi } from "./api.js";
import { buildEnvironmentParts, type EnvironmentParts } from "./parts.js";
import type { SegmentChange, SegmentMembersOutcome } from "./segment-commands.js";
import { seedPlan } from "./seed.js";
import type { ChangeOutcome, CreatedSdkKey, EnvironmentStatus, FlagChange, ImportOutcome, RolloutCommand, WriteGuard } from "./types.js";
import type { WebhookStats } from "./webhook-outbox.js";

export class EnvironmentDurableObject extends DurableObject<Env> implements EnvironmentApi {
  private readonly name: string;
  private readonly config: Config | undefined;
  private readonly parts: EnvironmentParts;
  /** Where audit rows go. A seam for fault-injection tests, which wrap the real binding. */
  auditDatabase: D1Database;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const loaded = loadConfig(env);
    this.config = loaded.ok ? loaded.config : undefined;
    this.name = ctx.id.name ?? "unnamed";
    this.auditDatabase = env.AUDIT_DB;
    this.parts = buildEnvironmentParts({ ctx, env, name: this.name, config: this.config, auditDatabase: () => this.auditDatabase, armAlarm: (at) => this.armAlarm(at) });
    if (this.config && this.parts.flags.seedIfEmpty(seedPlan(this.config.seedFlags))) {
      void ctx.blockConcurrencyWhile(() => this.armAlarm(Date.now() + 1));
    }
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────

  /** The current snapshot manifest; `knownVersion` lets a caller that already holds it skip the transfer. */
  async getSnapshot(knownVersion?: number): Promise<SnapshotManifest | { version: number; unchanged: true }> {
    const { version } = this.parts.publisher.stamp();
    return knownVersion === version ? { version, unchanged: true } : this.parts.publisher.current();
  }

  /** One shard of the current snapshot, when the caller's KV does not have it yet. */
  async getShard(index: number, hash: string): Promise<string | null> {
    return (await this.parts.publisher.shardText(index, hash)) ?? null;
  }

  async status(): Promise<EnvironmentStatus> {
    const usage = this.parts.storage.flagUsage();
    return {
      env: this.name,
      version: this.parts.storage.version(),
      flagCount: usage.flags,
      flagBytes: usage.bytes,
      clock: this.parts.clock.now(),
      ...this.parts.publisher.status(),
      audit: this.parts.auditFlusher.status(),
      metrics: { source: this.parts.rollouts.metricsSource, lastError: this.parts.rollouts.lastMetricsError() },
    };
  }

  async listFlags(): Promise<Flag[]> {
    return this.parts.storage.listFlags();
  }

  async getFlag(key: string): Promise<Flag | null> {
    return this.parts.storage.getFlag(key) ?? null;
  }

  async listSdkKeys(): Promise<SdkKeyRecord[]> {
    return this.parts.storage.listSdkKeys();
  }

  async listSegments(): Promise<SegmentView[]> {
    return this.parts.segments.list();
  }

  async getSegment(key: string): Promise<SegmentView | null> {
    return this.parts.segments.get(key) ?? null;
  }

  async notificationStats(): Promise<WebhookStats> {
    return this.parts.webhooks.stats();
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────

  putFlag(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    return this.parts.flags.put(key, body, guard, meta);
  }

  patchFlag(key: string, patch: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    return this.parts.flags.patch(key, patch, guard, meta);
  }

  setFlagEnabled(key: string, enabled: boolean, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    return this.parts.flags.setEnabled(key, enabled, guard, meta);
  }

  restoreFlag(key: string, content: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    return this.parts.flags.restore(key, content, guard, meta);
  }

  /** Audit events committed and not yet in D1 (history merges them with D1's rows). */
  async pendingAudit(targetIds?: readonly string[]): Promise<HistoryEntry[]> {
    return this.parts.outbox.pendingEntries(targetIds);
  }

  archiveFlag(key: string, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.parts.flags.archive(key, guard, meta);
  }

  importFlags(input: unknown, options: unknown, meta: ChangeMeta): Promise<CommandResult<ImportOutcome>> {
    return this.parts.flags.import(input, options, meta);
  }

  putSegment(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<SegmentChange>> {
    return this.parts.segments.put(key, body, meta, guard);
  }

  deleteSegment(key: string, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.parts.segments.delete(key, meta, guard);
  }

  changeSegmentMembers(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<SegmentMembersOutcome>> {
    return this.parts.segments.members(key, body, meta, guard);
  }

  createSdkKey(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedSdkKey>> {
    return this.parts.sdkKeys.create(input, meta);
  }

  revokeSdkKey(id: string, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.parts.sdkKeys.revoke(id, meta);
  }

  createRollout(input: unknown, meta: ChangeMeta, requestOrigin?: string): Promise<CommandResult<{ rollout: RolloutStatus | null; plan: RolloutPlan }>> {
    return this.parts.rollouts.create(input, meta, requestOrigin);
  }

  async listRollouts(filter: { flag?: string | undefined; state?: RolloutState | undefined }): Promise<RolloutStatus[]> {
    return this.parts.rollouts.list(filter);
  }

  async getRollout(id: string): Promise<RolloutStatus | null> {
    return this.parts.rollouts.get(id);
  }

  rolloutSeries(id: string, from: number | undefined, to: number | undefined): Promise<CommandResult<{ series: RolloutSeries }>> {
    return this.parts.rollouts.series(id, from, to);
  }

  rolloutCommand(id: string, command: RolloutCommand, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus; changed: boolean }>> {
    return this.parts.rollouts.command(id, command, meta);
  }

  createSchedule(input: unknown, meta: ChangeMeta): Promise<CommandResult<{ schedule: Schedule }>> {
    return this.parts.schedules.create(input, meta);
  }

  async listSchedules(filter: { state?: ScheduleState | undefined; flag?: string | undefined }): Promise<Schedule[]> {
    return this.parts.schedules.list(filter);
  }

  async getSchedule(id: string): Promise<Schedule | null> {
    return this.parts.schedules.get(id);
  }

  cancelSchedule(id: string, meta: ChangeMeta): Promise<CommandResult<{ schedule: Schedule }>> {
    return this.parts.schedules.cancel(id, meta);
  }

  async ingestMetrics(input: unknown, maxAgeSeconds: number): Promise<CommandResult<{ buckets: number; dropped: number }>> {
    return this.parts.rollouts.ingest(input, maxAgeSeconds);
  }

  createWebhook(input: unknown, meta: ChangeMeta, requestOrigin?: string): Promise<CommandResult<{ webhook: CreatedWebhook }>> {
    return this.parts.webhookCommands.create(input, meta, requestOrigin);
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    return this.parts.webhookCommands.list();
  }

  deleteWebhook(id: string, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.parts.webhookCommands.delete(id, meta);
  }

  async webhookDeliveries(id: string, limit?: number): Promise<CommandResult<{ deliveries: WebhookDelivery[] }>> {
    return this.parts.webhookCommands.deliveries(id, limit);
  }

  // ── time and side effects ──────────────────────────────────────────────────────────────────

  /**
   * Cron entry point: `now` is the scheduled event's time, and advances the environment clock.
   * Records a changed FLAG_OVERRIDES, applies the schedules now due, ticks the rollouts, then
   * drains (retrying pending publishes, audit flushes and webhooks).
   */
  async tick(now: number): Promise<EnvironmentStatus> {
    this.parts.clock.advanceTo(now);
    if (this.config) this.parts.flags.auditOverrideChanges(this.config.overrides[this.name] ?? {});
    await this.parts.schedules.applyDue();
    await this.parts.rollouts.tick(this.parts.clock.now());
    await this.parts.context.drain();
    return this.status();
  }

  /** Write pending audit rows to D1 now (also done after every commit and by the alarm). */
  flushAudit(): Promise<{ written: number; pending: number }> {
    return this.parts.auditFlusher.flush();
  }

  /** `/subscribe?kind=evaluation|admin`: a hibernatable WebSocket that hears every change (subscribers.ts). */
  override async fetch(request: Request): Promise<Response> {
    return this.parts.subscribers.accept(request);
  }

  /** Subscribers only listen; whatever they send is ignored. */
  override async webSocketMessage(): Promise<void> {}

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake (1005/1006 are not codes one may send).
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code);
    } catch {
      // already closed
    }
  }

  /** The one alarm, armed at the earliest time any part needs it: due schedules, then effects. */
  override async alarm(): Promise<void> {
    await this.parts.schedules.applyDue();
    await this.parts.context.drain();
  }

  private async armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
