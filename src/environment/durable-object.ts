/**
 * The Environment Durable Object: the only writer of one environment's flags, SDK keys, rollouts
 * and KV snapshot (docs/architecture.md). This class is the composition root: it builds the
 * environment's parts once — storage, audit outbox and flusher, snapshot publisher, webhook
 * outbox, metrics store, the environment clock — wires them into one `EnvironmentContext`, and
 * delegates each RPC method to the module that owns it:
 *
 * - FlagCommands (flag-commands.ts): put / patch / kill switch / archive / import / seed / overrides
 * - SdkKeyCommands (sdk-key-commands.ts): create / revoke
 * - Rollouts (rollouts.ts): create / commands / guard series / metric ingest / tick
 *
 * Every command commits in one SQLite transaction with exactly one audit event per change; only
 * then does the context drain side effects (KV publish, D1 audit flush, webhooks), each retried
 * from the alarm. After each drain's publish, the hibernatable WebSocket subscribers
 * (subscribers.ts; `fetch` at /subscribe) hear of the new version and the committed audit events.
 * RPC methods return results instead of throwing: errors thrown across RPC surface badly.
 */
import { DurableObject } from "cloudflare:workers";
import { AuditFlusher } from "../audit/flusher.js";
import { AuditOutbox } from "../audit/outbox.js";
import type { ChangeMeta, CommandResult } from "../command.js";
import { loadConfig, type Config } from "../config.js";
import type { Flag } from "../domain/flag.js";
import { STRICT_OUTBOUND } from "../domain/outbound-url.js";
import type { RolloutState } from "../domain/rollout/model.js";
import type { RolloutSeries } from "../domain/rollout/series.js";
import type { RolloutStatus } from "../domain/rollout/status.js";
import type { RolloutPlan } from "../domain/rollout/strategies.js";
import type { SdkKeyRecord } from "../domain/sdk-key.js";
import type { Snapshot } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import { selectMetrics } from "../metrics/select.js";
import type { EnvironmentApi } from "./api.js";
import { EnvironmentClock } from "./clock.js";
import { EnvironmentContext } from "./context.js";
import { FlagCommands } from "./flag-commands.js";
import { durableObjectMetrics, MetricStore } from "./metric-store.js";
import { RolloutStore } from "./rollout-store.js";
import { Rollouts } from "./rollouts.js";
import { SdkKeyCommands } from "./sdk-key-commands.js";
import { seedPlan } from "./seed.js";
import { SnapshotPublisher } from "./snapshot-publisher.js";
import { EnvironmentStorage } from "./storage.js";
import { Subscribers, type ChangeMessage } from "./subscribers.js";
import type { ChangeOutcome, CreatedSdkKey, EnvironmentStatus, FlagChange, ImportOutcome, RolloutCommand, WriteGuard } from "./types.js";
import { WebhookOutbox, type WebhookStats } from "./webhook-outbox.js";

export class EnvironmentDurableObject extends DurableObject<Env> implements EnvironmentApi {
  private readonly name: string;
  private readonly config: Config | undefined;
  private readonly storage: EnvironmentStorage;
  private readonly clock: EnvironmentClock;
  private readonly publisher: SnapshotPublisher;
  private readonly auditFlusher: AuditFlusher;
  private readonly webhooks: WebhookOutbox;
  private readonly context: EnvironmentContext;
  private readonly flags: FlagCommands;
  private readonly sdkKeys: SdkKeyCommands;
  private readonly rollouts: Rollouts;
  private readonly subscribers: Subscribers;
  /** Where audit rows go. A seam for fault-injection tests, which wrap the real binding. */
  auditDatabase: D1Database;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    const transact = <T>(fn: () => T): T => ctx.storage.transactionSync(fn);
    const armAlarm = (at: number) => this.armAlarm(at);
    const loaded = loadConfig(env);
    this.config = loaded.ok ? loaded.config : undefined;
    this.name = ctx.id.name ?? "unnamed";
    this.auditDatabase = env.AUDIT_DB;

    this.storage = new EnvironmentStorage(sql);
    const outbox = new AuditOutbox(sql, this.name);
    const rolloutStore = new RolloutStore(sql);
    const metricStore = new MetricStore(sql);
    // Without a valid configuration, outbound calls get the strictest rules.
    const outbound = this.config?.outbound ?? STRICT_OUTBOUND;
    this.webhooks = new WebhookOutbox(sql, outbound, env.WEBHOOK_SECRET);
    for (const part of [this.storage, outbox, rolloutStore, metricStore, this.webhooks]) part.migrate();

    const storage = this.storage;
    this.subscribers = new Subscribers(ctx, () => this.changeMessage());
    this.clock = new EnvironmentClock({ load: () => Number(storage.getMeta("clock") ?? "0"), save: (ms) => storage.setMeta("clock", ms) });
    this.publisher = new SnapshotPublisher({ storage, kv: env.FLAGS_KV, env: this.name, clock: this.clock, armAlarm });
    this.auditFlusher = new AuditFlusher({ outbox, database: () => this.auditDatabase, retryAt: armAlarm });
    this.context = new EnvironmentContext({
      name: this.name, storage, outbox, rollouts: rolloutStore, metrics: metricStore, webhooks: this.webhooks,
      clock: this.clock, publisher: this.publisher, auditFlusher: this.auditFlusher, transact, armAlarm,
      notify: (entries) => this.subscribers.broadcast(this.changeMessage(), entries),
    });
    this.flags = new FlagCommands(this.context);
    this.sdkKeys = new SdkKeyCommands(this.context);
    this.rollouts = new Rollouts(this.context, selectMetrics(this.config, env, durableObjectMetrics(metricStore, transact)), outbound);

    if (this.config && this.flags.seedIfEmpty(seedPlan(this.config.seedFlags))) {
      void ctx.blockConcurrencyWhile(() => this.armAlarm(Date.now() + 1));
    }
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────

  /** The current snapshot; `knownVersion` lets a caller that already holds it skip the transfer. */
  async getSnapshot(knownVersion?: number): Promise<Snapshot | { version: number; unchanged: true }> {
    const snapshot = this.publisher.current();
    return knownVersion === snapshot.version ? { version: snapshot.version, unchanged: true } : snapshot;
  }

  async status(): Promise<EnvironmentStatus> {
    const usage = this.storage.flagUsage();
    return {
      env: this.name,
      version: this.storage.version(),
      flagCount: usage.flags,
      flagBytes: usage.bytes,
      clock: this.clock.now(),
      ...this.publisher.status(),
      audit: this.auditFlusher.status(),
      metrics: { source: this.rollouts.metricsSource, lastError: this.rollouts.lastMetricsError() },
    };
  }

  async listFlags(): Promise<Flag[]> {
    return this.storage.listFlags();
  }

  async getFlag(key: string): Promise<Flag | null> {
    return this.storage.getFlag(key) ?? null;
  }

  async listSdkKeys(): Promise<SdkKeyRecord[]> {
    return this.storage.listSdkKeys();
  }

  async notificationStats(): Promise<WebhookStats> {
    return this.webhooks.stats();
  }

  // ── commands ───────────────────────────────────────────────────────────────────────────────

  putFlag(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    return this.flags.put(key, body, guard, meta);
  }

  patchFlag(key: string, patch: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    return this.flags.patch(key, patch, guard, meta);
  }

  setFlagEnabled(key: string, enabled: boolean, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    return this.flags.setEnabled(key, enabled, guard, meta);
  }

  archiveFlag(key: string, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.flags.archive(key, guard, meta);
  }

  importFlags(input: unknown, options: unknown, meta: ChangeMeta): Promise<CommandResult<ImportOutcome>> {
    return this.flags.import(input, options, meta);
  }

  createSdkKey(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedSdkKey>> {
    return this.sdkKeys.create(input, meta);
  }

  revokeSdkKey(id: string, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.sdkKeys.revoke(id, meta);
  }

  createRollout(input: unknown, meta: ChangeMeta, requestOrigin?: string): Promise<CommandResult<{ rollout: RolloutStatus | null; plan: RolloutPlan }>> {
    return this.rollouts.create(input, meta, requestOrigin);
  }

  async listRollouts(filter: { flag?: string | undefined; state?: RolloutState | undefined }): Promise<RolloutStatus[]> {
    return this.rollouts.list(filter);
  }

  async getRollout(id: string): Promise<RolloutStatus | null> {
    return this.rollouts.get(id);
  }

  rolloutSeries(id: string, from: number | undefined, to: number | undefined): Promise<CommandResult<{ series: RolloutSeries }>> {
    return this.rollouts.series(id, from, to);
  }

  rolloutCommand(id: string, command: RolloutCommand, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus; changed: boolean }>> {
    return this.rollouts.command(id, command, meta);
  }

  async ingestMetrics(input: unknown, maxAgeSeconds: number): Promise<CommandResult<{ buckets: number; dropped: number }>> {
    return this.rollouts.ingest(input, maxAgeSeconds);
  }

  // ── time and side effects ──────────────────────────────────────────────────────────────────

  /**
   * Cron entry point: `now` is the scheduled event's time, and advances the environment clock.
   * Records a changed FLAG_OVERRIDES, ticks the rollouts, then drains (retrying pending publishes,
   * audit flushes and webhooks).
   */
  async tick(now: number): Promise<EnvironmentStatus> {
    this.clock.advanceTo(now);
    if (this.config) this.flags.auditOverrideChanges(this.config.overrides[this.name] ?? {});
    await this.rollouts.tick(this.clock.now());
    await this.context.drain();
    return this.status();
  }

  /** Write pending audit rows to D1 now (also done after every commit and by the alarm). */
  flushAudit(): Promise<{ written: number; pending: number }> {
    return this.auditFlusher.flush();
  }

  /** `/subscribe?kind=evaluation|admin`: a hibernatable WebSocket that hears every change (subscribers.ts). */
  override async fetch(request: Request): Promise<Response> {
    return this.subscribers.accept(request);
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

  override async alarm(): Promise<void> {
    await this.context.drain();
  }

  /** The current version as subscribers hear it; `lastModified` is when its snapshot was built. */
  private changeMessage(): ChangeMessage {
    const { version, publishedAt } = this.publisher.current();
    return { type: "change", version, lastModified: Math.floor(Date.parse(publishedAt) / 1000) };
  }

  private async armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
