/**
 * The Environment Durable Object: the only writer of one environment's flags, SDK keys and KV
 * snapshot (DESIGN §1).
 *
 * Every command validates its input, then reads, decides and writes in one synchronous SQLite
 * transaction together with exactly one audit event per change (the outbox). Only after the commit
 * does it do I/O: publish the snapshot to KV (at most once per second) and flush the audit outbox
 * to D1. Both are retried from the alarm until they succeed, so a KV or D1 outage delays, never
 * loses. RPC methods return results instead of throwing: errors thrown across RPC surface badly.
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import defaultFlagSet from "../../config/flags.json";
import { AuditOutbox, type AuditEventInput } from "../audit/outbox.js";
import { loadConfig, type SeedMode } from "../config.js";
import { randomToken, sha256Hex } from "../crypto.js";
import { diffFlagSets, flagContent } from "../domain/flag-diff.js";
import { Flag, FlagSet } from "../domain/flag.js";
import { mergePatch } from "../domain/merge-patch.js";
import { formatSdkKey } from "../domain/sdk-key.js";
import { SdkKeyKind, type Snapshot } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import { createRollout } from "../domain/rollout/create.js";
import { decide, type Decision, type HealthRound, type RolloutInput } from "../domain/rollout/machine.js";
import { MetricsIngest, toDeltas } from "../domain/rollout/metrics.js";
import { RolloutRequest, isTerminal, type HealthCheck, type MinuteBucket, type Rollout, type RolloutState } from "../domain/rollout/model.js";
import { rolloutStatus, type RolloutStatus } from "../domain/rollout/status.js";
import { resolvePlan, timeline } from "../domain/rollout/strategies.js";
import { MINUTE } from "../domain/rollout/guards.js";
import type { EnvironmentApi } from "./api.js";
import { AnalyticsEngineMetricsSource, writeMetricBucket } from "../metrics/analytics-engine.js";
import type { MetricsSource } from "../metrics/source.js";
import { DurableObjectMetricsSource, MetricStore } from "./metric-store.js";
import { RolloutStore } from "./rollout-store.js";
import { notification, WebhookOutbox } from "./webhook-outbox.js";
import { retryDelay, Serial } from "./serial.js";
import { SnapshotPublisher } from "./snapshot-publisher.js";
import { EnvironmentStorage, type SdkKeyRecord } from "./storage.js";
import type {
  ChangeMeta, ChangeOutcome, CommandError, CommandResult, CreatedSdkKey, EnvironmentStatus, FlagChange, ImportOutcome, RolloutCommand,
  RolloutPlan, WriteGuard,
} from "./types.js";


const ImportOptions = z.object({
  mode: z.enum(["merge", "replace"]).default("merge"),
  dryRun: z.boolean().default(false),
});
const CreateSdkKeyInput = z.object({ name: z.string().trim().min(1).max(128), kind: SdkKeyKind });

export class EnvironmentDurableObject extends DurableObject<Env> implements EnvironmentApi {
  private readonly storage: EnvironmentStorage;
  private readonly outbox: AuditOutbox;
  private readonly rollouts: RolloutStore;
  private readonly metrics: MetricStore;
  private readonly webhooks: WebhookOutbox;
  private readonly envName: string;
  private cachedSnapshot: Snapshot | undefined;
  private readonly publisher: SnapshotPublisher;
  /** One audit flush at a time (one writer of the hash chain); one webhook pass at a time (no double sends). */
  private readonly auditFlushes = new Serial();
  private readonly webhookPasses = new Serial();
  /** Where audit rows go. A seam for fault-injection tests, which wrap the real binding. */
  auditDatabase: D1Database;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.envName = ctx.id.name ?? "unnamed";
    this.storage = new EnvironmentStorage(ctx.storage.sql);
    this.outbox = new AuditOutbox(ctx.storage.sql, this.envName);
    this.rollouts = new RolloutStore(ctx.storage.sql);
    this.metrics = new MetricStore(ctx.storage.sql);
    this.webhooks = new WebhookOutbox(ctx.storage.sql);
    this.auditDatabase = env.AUDIT_DB;
    this.publisher = new SnapshotPublisher({
      storage: this.storage,
      kv: env.FLAGS_KV,
      env: this.envName,
      snapshot: () => this.snapshot(),
      armAlarm: (at) => this.armAlarm(at),
    });
    void ctx.blockConcurrencyWhile(async () => {
      this.storage.migrate();
      this.outbox.migrate();
      this.rollouts.migrate();
      this.metrics.migrate();
      this.webhooks.migrate();
      const config = loadConfig(env);
      if (config.ok && this.seedIfEmpty(config.config.seedFlags)) await this.armAlarm(Date.now() + 1);
    });
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────

  /** The current snapshot; `knownVersion` lets a caller that already holds it skip the transfer. */
  async getSnapshot(knownVersion?: number): Promise<Snapshot | { version: number; unchanged: true }> {
    const snapshot = this.snapshot();
    if (this.publisher.publishedVersion() < snapshot.version) void this.publisher.publish();
    return knownVersion === snapshot.version ? { version: snapshot.version, unchanged: true } : snapshot;
  }

  async status(): Promise<EnvironmentStatus> {
    const lastPublishAt = this.storage.getMeta("last_publish_at");
    return {
      env: this.envName,
      version: this.storage.version(),
      publishedVersion: this.publisher.publishedVersion(),
      lastPublishAt: lastPublishAt === undefined ? null : Number(lastPublishAt),
      lastPublishError: this.storage.getMeta("last_publish_error") ?? null,
      flagCount: this.storage.flagCount(),
      audit: {
        lastSeq: this.outbox.lastSeq(),
        pending: this.outbox.pending(),
        lastFlushError: this.storage.getMeta("last_audit_error") ?? null,
      },
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

  // ── flag commands ──────────────────────────────────────────────────────────────────────────

  async putFlag(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return failure("VALIDATION_FAILED", "the flag must be a JSON object", [{ path: "", message: "expected an object" }]);
    }
    const withKey = { ...(body as Record<string, unknown>), key: (body as Record<string, unknown>)["key"] ?? key };
    if (withKey.key !== key) {
      return failure("VALIDATION_FAILED", "the body's key differs from the path's", [{ path: "key", message: `must be "${key}"` }]);
    }
    const parsed = Flag.safeParse(withKey);
    if (!parsed.success) return validationError("the flag is invalid", parsed.error);
    return this.writeFlag(key, guard, meta, () => ({ ok: true, flag: parsed.data }));
  }

  async patchFlag(key: string, patch: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
      return failure("VALIDATION_FAILED", "a merge patch must be a JSON object", [{ path: "", message: "expected an object" }]);
    }
    return this.writeFlag(key, guard, meta, (current) => {
      if (!current) return notFound(key);
      const { version: _v, updatedAt: _u, ...content } = current;
      const merged = mergePatch(content, patch) as Record<string, unknown>;
      if (merged["key"] !== key) {
        return failure("VALIDATION_FAILED", "a patch cannot change the key", [{ path: "key", message: `must stay "${key}"` }]);
      }
      const parsed = Flag.safeParse(merged);
      return parsed.success ? { ok: true, flag: parsed.data } : validationError("the patched flag is invalid", parsed.error);
    });
  }

  async setFlagEnabled(key: string, enabled: boolean, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    return this.writeFlag(
      key,
      guard,
      meta,
      (current) => (current ? { ok: true, flag: { ...current, enabled } } : notFound(key)),
      enabled ? "flag.enabled" : "flag.disabled",
    );
  }

  async archiveFlag(key: string, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    const outcome = this.ctx.storage.transactionSync((): CommandResult<{ version: number }> => {
      const current = this.storage.getFlag(key);
      if (!current) return notFound(key);
      const conflict = versionConflict(key, current.version, guard);
      if (conflict) return conflict;
      const active = this.rollouts.activeFor(key);
      if (active) return failure("VERSION_CONFLICT", `flag "${key}" has an active rollout (${active.id}); roll it back or cancel it first`);
      const now = new Date().toISOString();
      this.storage.archiveFlag(key, now);
      this.audit({ ...meta, action: "flag.archived", targetType: "flag", targetId: key, before: current }, now);
      return { ok: true, version: this.storage.bumpVersion() };
    });
    if (!outcome.ok) return outcome;
    return { ok: true, version: outcome.version, published: await this.afterChange(outcome.version) };
  }

  /**
   * Import a flag set (flags as code). `replace` archives flags absent from the set; `dryRun`
   * returns the diff and changes nothing. One audit event per flag that changes.
   */
  async importFlags(input: unknown, options: unknown, meta: ChangeMeta): Promise<CommandResult<ImportOutcome>> {
    const set = FlagSet.safeParse(input);
    if (!set.success) return validationError("the flag set is invalid", set.error);
    const opts = ImportOptions.safeParse(options ?? {});
    if (!opts.success) return validationError("the import options are invalid", opts.error);
    const { mode, dryRun } = opts.data;
    const replace = mode === "replace";
    if (dryRun) return { ok: true, dryRun, diff: diffFlagSets(this.storage.listFlags(), set.data.flags, replace) };
    const { diff, version } = this.ctx.storage.transactionSync(() => {
      const current = this.storage.listFlags();
      const diff = diffFlagSets(current, set.data.flags, replace);
      if (diff.added.length + diff.changed.length + diff.removed.length === 0) return { diff, version: this.storage.version() };
      const now = new Date().toISOString();
      const before = new Map(current.map((f) => [f.key, f]));
      const touched = new Set([...diff.added, ...diff.changed]);
      for (const flag of set.data.flags) {
        if (!touched.has(flag.key)) continue;
        const after = this.storage.putFlag(flag, now);
        this.audit({ ...meta, action: "flag.imported", targetType: "flag", targetId: flag.key, before: before.get(flag.key), after }, now);
      }
      for (const key of diff.removed) {
        this.storage.archiveFlag(key, now);
        this.audit({ ...meta, action: "flag.archived", targetType: "flag", targetId: key, before: before.get(key) }, now);
      }
      return { diff, version: this.storage.bumpVersion() };
    });
    return { ok: true, dryRun, diff, version, published: await this.afterChange(version) };
  }

  // ── SDK keys ───────────────────────────────────────────────────────────────────────────────

  async createSdkKey(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedSdkKey>> {
    const parsed = CreateSdkKeyInput.safeParse(input);
    if (!parsed.success) return validationError("the SDK key is invalid", parsed.error);
    const { name, kind } = parsed.data;
    const key = formatSdkKey(kind, this.envName, randomToken(40));
    const keyHash = await sha256Hex(key);
    const id = `sdk_${randomToken(16)}`;
    const version = this.ctx.storage.transactionSync(() => {
      const now = new Date().toISOString();
      this.storage.insertSdkKey({ id, name, kind, keyHash, createdAt: now });
      this.audit({ ...meta, action: "sdk_key.created", targetType: "sdk_key", targetId: id, after: { id, name, kind } }, now);
      return this.storage.bumpVersion();
    });
    return { ok: true, id, name, kind, key, version, published: await this.afterChange(version) };
  }

  async revokeSdkKey(id: string, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    const outcome = this.ctx.storage.transactionSync((): CommandResult<{ version: number }> => {
      const record = this.storage.getSdkKey(id);
      const now = new Date().toISOString();
      if (!record || !this.storage.revokeSdkKey(id, now)) return failure("NOT_FOUND", `no active SDK key "${id}"`);
      this.audit({ ...meta, action: "sdk_key.revoked", targetType: "sdk_key", targetId: id, before: record }, now);
      return { ok: true, version: this.storage.bumpVersion() };
    });
    if (!outcome.ok) return outcome;
    return { ok: true, version: outcome.version, published: await this.afterChange(outcome.version) };
  }

  // ── time and side effects ──────────────────────────────────────────────────────────────────

  /**
   * Cron entry point: `now` is the scheduled event's time. Records a changed FLAG_OVERRIDES
   * configuration in the audit log, and retries pending publishes and audit flushes.
   */
  async tick(now: number): Promise<EnvironmentStatus> {
    if (now > Number(this.storage.getMeta("clock") ?? "0")) this.storage.setMeta("clock", now);
    this.auditOverrideChanges();
    await this.tickRollouts(this.clock());
    await Promise.all([this.publisher.publish(), this.flushAudit(), this.deliverWebhooks()]);
    return this.status();
  }

  // ── rollouts ───────────────────────────────────────────────────────────────────────────────

  /** The environment's clock: the later of the wall clock and the latest tick's scheduled time. */
  private clock(): number {
    return Math.max(Date.now(), Number(this.storage.getMeta("clock") ?? "0"));
  }

  async createRollout(input: unknown, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus | null; plan: RolloutPlan }>> {
    const parsed = RolloutRequest.safeParse(input);
    if (!parsed.success) return validationError("the rollout is invalid", parsed.error);
    const request = parsed.data;
    const now = this.clock();
    const flag = this.storage.getFlag(request.flag);
    if (!flag) return failure("NOT_FOUND", `flag "${request.flag}" does not exist`, [{ path: "flag", message: "not found" }]);
    const active = this.rollouts.activeFor(request.flag);
    if (active) return failure("VERSION_CONFLICT", `flag "${request.flag}" already has an active rollout (${active.id})`, [{ path: "flag", message: active.id }]);
    const built = createRollout(request, flag, { id: `ro_${randomToken(16)}`, env: this.envName, by: meta.actor }, now);
    if (!built.ok) return failure("VALIDATION_FAILED", "the rollout cannot start from this flag", built.errors);
    const plan = { ...timeline(resolvePlan(request), built.rollout.startAt), guards: built.rollout.guards };
    if (request.dryRun) return { ok: true, rollout: null, plan };
    const version = this.ctx.storage.transactionSync(() => {
      const rollout = built.rollout;
      this.rollouts.put(rollout);
      this.audit({ ...meta, action: "rollout.created", targetType: "rollout", targetId: rollout.flag, after: { rolloutId: rollout.id, strategy: rollout.strategy, stages: rollout.stages, finalBakeSeconds: rollout.finalBakeSeconds, startAt: new Date(rollout.startAt).toISOString() } }, new Date(now).toISOString());
      // Starting now (no startAt in the future) is the first tick's transition, in the same commit.
      const started = decide(rollout, { type: "tick", buckets: new Map() }, now);
      if (started.ok && started.event) this.apply(rollout, started, meta);
      return this.storage.version();
    });
    await this.afterChange(version);
    return { ok: true, rollout: this.statusOf(this.rollouts.get(built.rollout.id) as Rollout, now), plan };
  }

  async listRollouts(filter: { flag?: string | undefined; state?: RolloutState | undefined }): Promise<RolloutStatus[]> {
    const now = this.clock();
    return this.rollouts.list(filter).map((r) => this.statusOf(r, now));
  }

  async getRollout(id: string): Promise<RolloutStatus | null> {
    const r = this.rollouts.get(id);
    return r ? this.statusOf(r, this.clock()) : null;
  }

  /** pause | resume | promote | rollback | cancel. */
  async rolloutCommand(id: string, command: RolloutCommand, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus; changed: boolean }>> {
    const now = this.clock();
    const outcome = this.ctx.storage.transactionSync((): CommandResult<{ changed: boolean }> => {
      const rollout = this.rollouts.get(id);
      if (!rollout) return failure("NOT_FOUND", `no rollout "${id}"`);
      const input = { type: command.action, by: meta.actor, reason: meta.reason, expectedStage: command.expectedStage } as RolloutInput;
      const d = decide(rollout, input, now);
      if (!d.ok) return failure(d.code === "INVALID" ? "VALIDATION_FAILED" : "VERSION_CONFLICT", d.message, d.code === "INVALID" ? [{ path: "expectedStage", message: d.message }] : []);
      if (!d.event) return { ok: true, changed: false };
      this.apply(rollout, d, meta);
      return { ok: true, changed: true };
    });
    if (!outcome.ok) return outcome;
    if (outcome.changed) await this.afterChange(this.storage.version());
    return { ok: true, changed: outcome.changed, rollout: this.statusOf(this.rollouts.get(id) as Rollout, now) };
  }

  /** Metrics for rollout guards (POST /v1/metrics), bounded by the environment's clock. */
  async ingestMetrics(input: unknown, maxAgeSeconds: number): Promise<CommandResult<{ buckets: number }>> {
    const parsed = MetricsIngest.safeParse(input);
    if (!parsed.success) return validationError("the metrics are invalid", parsed.error);
    const now = this.clock();
    const earliest = now - maxAgeSeconds * 1000;
    const latest = now + 2 * MINUTE;
    const details: { path: string; message: string }[] = [];
    const check = (at: number, path: string) => {
      if (at > latest) details.push({ path, message: `more than 2 minutes ahead of the environment's clock (${new Date(now).toISOString()})` });
      else if (at < earliest) details.push({ path, message: `older than ${maxAgeSeconds} s before the environment's clock (${new Date(now).toISOString()})` });
    };
    parsed.data.samples.forEach((s, i) => check(s.minute, `samples.${i}.minute`));
    parsed.data.events.forEach((e, i) => check(e.at, `events.${i}.at`));
    if (details.length > 0) return failure("VALIDATION_FAILED", "some metrics are outside the accepted time window", details.slice(0, 50));
    const deltas = toDeltas(parsed.data, (flag) => {
      const thresholds = new Set([500, 1000]);
      for (const g of this.rollouts.activeFor(flag)?.guards.metrics ?? []) if (g.thresholdMs !== undefined) thresholds.add(g.thresholdMs);
      return [...thresholds];
    });
    const ae = analyticsEngineOf(this.env);
    if (ae) {
      // One data point per (flag, variant, minute): a Worker invocation may write at most 250.
      if (deltas.length > AE_MAX_POINTS) {
        return failure("VALIDATION_FAILED", `send at most ${AE_MAX_POINTS} (flag, variant, minute) buckets per request`, [{ path: "samples", message: "too many buckets" }]);
      }
      for (const d of deltas) writeMetricBucket(ae.binding, this.envName, d);
    } else {
      this.ctx.storage.transactionSync(() => this.metrics.add(deltas));
    }
    return { ok: true, buckets: deltas.length };
  }

  /** The configured metrics source; the Durable Object's own buckets unless Analytics Engine is set up. */
  private metricsSource(): MetricsSource {
    const ae = analyticsEngineOf(this.env);
    return ae ? new AnalyticsEngineMetricsSource({ accountId: ae.accountId, apiToken: ae.apiToken, dataset: ae.dataset }) : new DurableObjectMetricsSource(this.metrics);
  }

  /** A failing source yields no buckets: those minutes are UNKNOWN, which pauses and never rolls back. */
  private async readMetrics(source: MetricsSource, r: Rollout, since: number, now: number): Promise<Map<number, MinuteBucket>> {
    const thresholdsMs = r.guards.metrics.flatMap((g) => (g.thresholdMs === undefined ? [] : [g.thresholdMs]));
    try {
      const buckets = await source.read({ env: this.envName, flag: r.flag, variant: r.variant, since, until: now, thresholdsMs });
      this.storage.deleteMeta("last_metrics_error");
      return buckets;
    } catch (error) {
      this.storage.setMeta("last_metrics_error", `${source.name}: ${String(error)}`);
      return new Map();
    }
  }

  private statusOf(r: Rollout, now: number): RolloutStatus {
    return rolloutStatus(r, this.metrics.read(r.flag, r.variant, now - 11 * MINUTE), now);
  }

  /**
   * Applies a decided transition: the rollout record, its effect on the flag (the fallthrough it
   * owns), and exactly one audit event — inside the caller's transaction.
   */
  private apply(before: Rollout, d: Extract<Decision, { ok: true }>, meta: ChangeMeta): Rollout {
    const at = new Date(d.rollout.updatedAt).toISOString();
    this.rollouts.put(d.rollout);
    if (d.effect) {
      const flag = this.storage.getFlag(d.rollout.flag);
      if (flag) {
        const fallthrough =
          d.effect.type === "restore"
            ? d.rollout.snapshot.fallthrough
            : d.effect.type === "complete"
              ? { variant: d.rollout.variant }
              : { rollout: { variant: d.rollout.variant, baseline: d.rollout.baseline, percentage: d.effect.percentage } };
        this.storage.putFlag({ ...flag, fallthrough }, at);
      }
      this.storage.bumpVersion();
    }
    if (d.event) {
      const system = d.event.by.startsWith("system:");
      this.audit({
        actor: system ? d.event.by : meta.actor,
        requestId: system ? undefined : meta.requestId,
        reason: d.event.reason,
        action: d.event.action,
        targetType: "rollout",
        targetId: d.rollout.flag,
        before: { rolloutId: before.id, ...d.event.from },
        after: { rolloutId: d.rollout.id, ...d.event.to, ...(d.event.evidence === undefined ? {} : { evidence: d.event.evidence }) },
      }, at);
      if (d.rollout.webhooks.length > 0) this.webhooks.enqueue(d.rollout.webhooks, notification(this.envName, d.rollout, d.event, at), Date.now());
    }
    return d.rollout;
  }

  /**
   * One tick for every active rollout: metrics and probes first (I/O, outside any transaction),
   * then decide-and-commit per rollout with a version check.
   */
  private async tickRollouts(now: number): Promise<void> {
    const source = this.metricsSource();
    for (const r of this.rollouts.active()) {
      const started = r.startedAt !== null;
      const health = r.healthChecks.length > 0 && started ? await probe(r.healthChecks) : undefined;
      // Enough history for the stage gate (the whole stage) and the no-telemetry lookbacks.
      const lookback = Math.max(r.guards.unknownPauseSeconds * 1000, 15 * MINUTE) + 2 * MINUTE;
      const buckets = started ? await this.readMetrics(source, r, Math.min(r.stageEnteredAt ?? now, now - lookback), now) : new Map<number, MinuteBucket>();
      this.ctx.storage.transactionSync(() => {
        const current = this.rollouts.get(r.id);
        // A command changed it while we read and probed: this tick skips it, the next one sees it.
        if (!current || current.version !== r.version || isTerminal(current.state)) return;
        const d = decide(current, { type: "tick", buckets, health }, now);
        if (d.ok) this.apply(current, d, { actor: "system:cron" });
      });
    }
    this.metrics.prune(now - 31 * 86_400_000);
  }

  /**
   * Overrides come from Worker configuration, so they change with a deploy, not through a command;
   * the first tick that sees a new value records it (actor `system:config`).
   */
  private auditOverrideChanges(): void {
    const config = loadConfig(this.env);
    if (!config.ok) return;
    const current = config.config.overrides[this.envName] ?? {};
    const serialized = JSON.stringify(Object.fromEntries(Object.entries(current).sort(([a], [b]) => (a < b ? -1 : 1))));
    const previous = this.storage.getMeta("overrides");
    if (previous === serialized) return;
    if (previous === undefined && serialized === "{}") {
      this.storage.setMeta("overrides", serialized); // nothing to record: no overrides, ever
      return;
    }
    this.ctx.storage.transactionSync(() => {
      const now = new Date().toISOString();
      this.storage.setMeta("overrides", serialized);
      this.audit({
        actor: "system:config",
        action: "overrides.changed",
        targetType: "environment",
        targetId: this.envName,
        before: previous === undefined ? {} : (JSON.parse(previous) as unknown),
        after: current,
        reason: "FLAG_OVERRIDES changed in the Worker configuration",
      }, now);
    });
  }

  override async alarm(): Promise<void> {
    await Promise.all([this.publisher.publish(), this.flushAudit(), this.deliverWebhooks()]);
  }

  /** Sends due notifications (after commits, from the alarm and the tick); arms a retry. */
  private deliverWebhooks(): Promise<void> {
    return this.webhookPasses.run(async () => {
      const next = await this.webhooks.deliver(Date.now());
      if (next !== null) await this.armAlarm(Math.max(next, Date.now() + 1_000));
    });
  }

  /** Notification delivery counts, for status and tests. */
  async notificationStats(): Promise<{ pending: number; delivered: number; failed: number }> {
    return this.webhooks.stats();
  }

  /** Writes pending audit rows to D1; on failure keeps them and arms a retry. Never throws. */
  async flushAudit(): Promise<{ written: number; pending: number }> {
    const written = await this.auditFlushes.run(async () => {
      if (this.outbox.pending() === 0) return 0;
      try {
        const written = await this.outbox.flush(this.auditDatabase);
        this.storage.deleteMeta("last_audit_error");
        this.storage.setMeta("audit_failures", 0);
        return written;
      } catch (error) {
        const failures = Number(this.storage.getMeta("audit_failures") ?? "0") + 1;
        this.storage.setMeta("audit_failures", failures);
        this.storage.setMeta("last_audit_error", String(error));
        await this.armAlarm(Date.now() + retryDelay(failures));
        return 0;
      }
    });
    return { written, pending: this.outbox.pending() };
  }

  private audit(event: ChangeMeta & Omit<AuditEventInput, "actor" | "requestId" | "reason">, at: string): void {
    this.outbox.append(event, at);
  }

  /** After a commit: publish and flush (each retried by the alarm on failure). True when KV has `version`. */
  private async afterChange(version: number): Promise<boolean> {
    await Promise.all([this.publisher.publish(), this.flushAudit(), this.deliverWebhooks()]);
    return this.publisher.publishedVersion() >= version;
  }

  /**
   * The shared path of every single-flag write: check existence and the expected version, build
   * the new flag from the current one, store it and audit it, all in one transaction.
   */
  private async writeFlag(
    key: string,
    guard: WriteGuard,
    meta: ChangeMeta,
    build: (current: Flag | undefined) => CommandResult<{ flag: Flag }>,
    action?: string,
  ): Promise<CommandResult<FlagChange>> {
    const outcome = this.ctx.storage.transactionSync((): CommandResult<{ flag: Flag; created: boolean; changed: boolean; version: number }> => {
      const current = this.storage.getFlag(key);
      const conflict = versionConflict(key, current?.version ?? 0, guard);
      if (conflict) return conflict;
      const built = build(current);
      if (!built.ok) return built;
      const next = built.flag;
      // Writing what is already there changes nothing: no new version, no audit event.
      if (current && flagContent(current) === flagContent(next)) {
        return { ok: true, flag: current, created: false, changed: false, version: this.storage.version() };
      }
      const now = new Date().toISOString();
      const flag = this.storage.putFlag(next, now);
      this.audit({ ...meta, action: action ?? (current ? "flag.updated" : "flag.created"), targetType: "flag", targetId: key, before: current, after: flag }, now);
      return { ok: true, flag, created: !current, changed: true, version: this.storage.bumpVersion() };
    });
    if (!outcome.ok) return outcome;
    const { flag, created, changed, version } = outcome;
    return { ok: true, flag, created, changed, version, published: await this.afterChange(version) };
  }

  /** Loads config/flags.json into a new, empty environment; true when it did. */
  private seedIfEmpty(mode: SeedMode): boolean {
    if (this.storage.getMeta("seeded") !== undefined) return false;
    return this.ctx.storage.transactionSync(() => {
      const now = new Date().toISOString();
      if (this.storage.flagCount() === 0 && mode !== "none") {
        const flags = FlagSet.parse(defaultFlagSet).flags.filter((f) => mode === "all" || !f.tags.includes("demo"));
        for (const flag of flags) this.storage.putFlag(flag, now);
        this.audit({ actor: "system:seed", action: "environment.seeded", targetType: "environment", targetId: this.envName, after: { flags: flags.map((f) => f.key), source: "config/flags.json" } }, now);
        this.storage.bumpVersion();
      }
      this.storage.setMeta("seeded", now);
      return true;
    });
  }

  private snapshot(): Snapshot {
    const version = this.storage.version();
    if (this.cachedSnapshot?.version !== version) {
      this.cachedSnapshot = {
        env: this.envName,
        version,
        publishedAt: new Date().toISOString(),
        flags: this.storage.listFlags(),
        keys: this.storage.activeKeyGrants(),
      };
    }
    return this.cachedSnapshot;
  }

  private async armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}

/** One health round: every URL must answer 2xx within its timeout. */
async function probe(checks: readonly HealthCheck[]): Promise<HealthRound> {
  const results = await Promise.all(
    checks.map(async (check) => {
      try {
        const res = await fetch(check.url, { signal: AbortSignal.timeout(check.timeoutMs), redirect: "manual" });
        await res.body?.cancel();
        return res.status >= 200 && res.status < 300;
      } catch {
        return false;
      }
    }),
  );
  return results.every(Boolean) ? "PASS" : "FAIL";
}

const AE_MAX_POINTS = 250;

/** Analytics Engine, when configured as the metrics source and complete (binding and token too). */
function analyticsEngineOf(env: Env): { accountId: string; dataset: string; apiToken: string; binding: AnalyticsEngineDataset } | undefined {
  const config = loadConfig(env);
  const ae = config.ok ? config.config.analyticsEngine : undefined;
  if (!ae || env.AE_API_TOKEN === undefined || env.METRICS_DATASET === undefined) return undefined;
  return { ...ae, apiToken: env.AE_API_TOKEN, binding: env.METRICS_DATASET };
}


function versionConflict(key: string, current: number, guard: WriteGuard): { ok: false; error: CommandError } | undefined {
  if (guard.expectedVersion === undefined || guard.expectedVersion === current) return undefined;
  return failure("VERSION_CONFLICT", `flag "${key}" is at version ${current}, not ${guard.expectedVersion}`, [
    { path: "expectedVersion", message: `current version is ${current}` },
  ]);
}

function notFound(key: string): { ok: false; error: CommandError } {
  return failure("NOT_FOUND", `flag "${key}" does not exist`);
}

function failure(code: CommandError["code"], message: string, details: CommandError["details"] = []): { ok: false; error: CommandError } {
  return { ok: false, error: { code, message, details } };
}

function validationError(message: string, error: z.ZodError): { ok: false; error: CommandError } {
  return failure(
    "VALIDATION_FAILED",
    message,
    error.issues.slice(0, 50).map((i) => ({ path: i.path.join("."), message: i.message })),
  );
}
