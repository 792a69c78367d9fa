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
import type { RolloutState } from "../domain/rollout/model.js";
import type { RolloutStatus } from "../domain/rollout/status.js";
import type { EnvironmentApi } from "./api.js";
import { MetricStore } from "./metric-store.js";
import { failure, validationError } from "./results.js";
import { RolloutStore } from "./rollout-store.js";
import { RolloutRunner } from "./rollouts.js";
import { WebhookOutbox } from "./webhook-outbox.js";
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
  private readonly rolloutRunner: RolloutRunner;
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
    this.rolloutRunner = new RolloutRunner({
      envName: this.envName,
      env,
      storage: this.storage,
      rollouts: this.rollouts,
      metrics: this.metrics,
      webhooks: this.webhooks,
      transact: (fn) => ctx.storage.transactionSync(fn),
      audit: (event, at) => this.audit(event, at),
      afterChange: (version) => this.afterChange(version),
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
    await this.rolloutRunner.tick(this.rolloutRunner.clock());
    await Promise.all([this.publisher.publish(), this.flushAudit(), this.deliverWebhooks()]);
    return this.status();
  }

  // ── rollouts (src/environment/rollouts.ts) ─────────────────────────────────────────────────

  async createRollout(input: unknown, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus | null; plan: RolloutPlan }>> {
    return this.rolloutRunner.create(input, meta);
  }

  async listRollouts(filter: { flag?: string | undefined; state?: RolloutState | undefined }): Promise<RolloutStatus[]> {
    return this.rolloutRunner.list(filter);
  }

  async getRollout(id: string): Promise<RolloutStatus | null> {
    return this.rolloutRunner.get(id);
  }

  async rolloutCommand(id: string, command: RolloutCommand, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus; changed: boolean }>> {
    return this.rolloutRunner.command(id, command, meta);
  }

  async ingestMetrics(input: unknown, maxAgeSeconds: number): Promise<CommandResult<{ buckets: number }>> {
    return this.rolloutRunner.ingestMetrics(input, maxAgeSeconds);
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

function versionConflict(key: string, current: number, guard: WriteGuard): { ok: false; error: CommandError } | undefined {
  if (guard.expectedVersion === undefined || guard.expectedVersion === current) return undefined;
  return failure("VERSION_CONFLICT", `flag "${key}" is at version ${current}, not ${guard.expectedVersion}`, [
    { path: "expectedVersion", message: `current version is ${current}` },
  ]);
}

function notFound(key: string): { ok: false; error: CommandError } {
  return failure("NOT_FOUND", `flag "${key}" does not exist`);
}

