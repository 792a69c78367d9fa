/**
 * The Environment Durable Object: the only writer of one environment's flags, SDK keys and KV
 * snapshot (DESIGN §1). Mutations validate, then read-decide-write synchronously (atomic), then
 * publish the snapshot to KV outside the commit, at most once per second, retried from the alarm.
 *
 * RPC methods return results instead of throwing: errors thrown across RPC surface badly.
 */
import { DurableObject } from "cloudflare:workers";
import defaultFlagSet from "../../config/flags.json";
import { loadConfig, type SeedMode } from "../config.js";
import { randomToken, sha256Hex } from "../crypto.js";
import { FlagSet, type Flag } from "../domain/flag.js";
import { formatSdkKey } from "../domain/sdk-key.js";
import { SdkKeyKind, type Snapshot } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import { snapshotKey } from "../snapshot-key.js";
import { z } from "zod";
import type { EnvironmentApi } from "./api.js";
import { EnvironmentStorage } from "./storage.js";
import type { CommandError, CommandResult, CreatedSdkKey, EnvironmentStatus } from "./types.js";

/** KV allows one write per second per key. */
const MIN_PUBLISH_INTERVAL_MS = 1_000;
const MAX_RETRY_DELAY_MS = 60_000;

const ImportOptions = z.object({ mode: z.enum(["merge", "replace"]).default("merge") });
const CreateSdkKeyInput = z.object({ name: z.string().trim().min(1).max(128), kind: SdkKeyKind });

export class EnvironmentDurableObject extends DurableObject<Env> implements EnvironmentApi {
  private readonly storage: EnvironmentStorage;
  private readonly envName: string;
  private cachedSnapshot: Snapshot | undefined;
  /** Serializes KV writes so an older snapshot can never overwrite a newer one. */
  private publishChain: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.envName = ctx.id.name ?? "unnamed";
    this.storage = new EnvironmentStorage(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      this.storage.migrate();
      const config = loadConfig(env);
      if (config.ok && this.seedIfEmpty(config.config.seedFlags)) await this.armAlarm(Date.now() + 1);
    });
  }

  /** The current snapshot; `knownVersion` lets a caller that already holds it skip the transfer. */
  async getSnapshot(knownVersion?: number): Promise<Snapshot | { version: number; unchanged: true }> {
    const snapshot = this.snapshot();
    if (this.publishedVersion() < snapshot.version) void this.publish();
    return knownVersion === snapshot.version ? { version: snapshot.version, unchanged: true } : snapshot;
  }

  async status(): Promise<EnvironmentStatus> {
    const lastPublishAt = this.storage.getMeta("last_publish_at");
    return {
      env: this.envName,
      version: this.storage.version(),
      publishedVersion: this.publishedVersion(),
      lastPublishAt: lastPublishAt === undefined ? null : Number(lastPublishAt),
      lastPublishError: this.storage.getMeta("last_publish_error") ?? null,
      flagCount: this.storage.flagCount(),
    };
  }

  /** Import a flag set (flags as code). `replace` removes flags absent from the set. */
  async importFlags(input: unknown, options?: unknown): Promise<CommandResult<{ version: number; imported: number }>> {
    const set = FlagSet.safeParse(input);
    if (!set.success) return validationError("flag set is invalid", set.error);
    const opts = ImportOptions.safeParse(options ?? {});
    if (!opts.success) return validationError("import options are invalid", opts.error);
    const version = this.ctx.storage.transactionSync(() => this.writeFlags(set.data.flags, opts.data.mode === "replace"));
    await this.publish();
    return { ok: true, version, imported: set.data.flags.length };
  }

  async createSdkKey(input: unknown): Promise<CommandResult<CreatedSdkKey>> {
    const parsed = CreateSdkKeyInput.safeParse(input);
    if (!parsed.success) return validationError("SDK key is invalid", parsed.error);
    const key = formatSdkKey(parsed.data.kind, this.envName, randomToken(40));
    const keyHash = await sha256Hex(key);
    const id = `sdk_${randomToken(16)}`;
    const version = this.ctx.storage.transactionSync(() => {
      this.storage.insertSdkKey({ id, name: parsed.data.name, kind: parsed.data.kind, keyHash, createdAt: new Date().toISOString() });
      return this.storage.bumpVersion();
    });
    await this.publish();
    return { ok: true, id, name: parsed.data.name, kind: parsed.data.kind, key, version };
  }

  async revokeSdkKey(id: string): Promise<CommandResult<{ version: number }>> {
    const version = this.ctx.storage.transactionSync(() =>
      this.storage.revokeSdkKey(id, new Date().toISOString()) ? this.storage.bumpVersion() : undefined,
    );
    if (version === undefined) return { ok: false, error: { code: "NOT_FOUND", message: `no active SDK key "${id}"`, details: [] } };
    await this.publish();
    return { ok: true, version };
  }

  /** Cron entry point: `now` is the scheduled event's time. For now it retries a pending publish. */
  async tick(_now: number): Promise<EnvironmentStatus> {
    await this.publish();
    return this.status();
  }

  override async alarm(): Promise<void> {
    await this.publish();
  }

  /** Loads config/flags.json into a new, empty environment; true when it did. */
  private seedIfEmpty(mode: SeedMode): boolean {
    if (this.storage.getMeta("seeded") !== undefined) return false;
    return this.ctx.storage.transactionSync(() => {
      if (this.storage.flagCount() === 0 && mode !== "none") {
        const flags = FlagSet.parse(defaultFlagSet).flags.filter((f) => mode === "all" || !f.tags.includes("demo"));
        this.writeFlags(flags, false);
      }
      this.storage.setMeta("seeded", new Date().toISOString());
      return true;
    });
  }

  /** Must run inside a transaction. Returns the new environment version. */
  private writeFlags(flags: readonly Flag[], replace: boolean): number {
    const now = new Date().toISOString();
    if (replace) this.storage.deleteAllFlags();
    for (const flag of flags) this.storage.putFlag(flag, now);
    return this.storage.bumpVersion();
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

  private publishedVersion(): number {
    return Number(this.storage.getMeta("published_version") ?? "-1");
  }

  /** Publish the current snapshot to KV if it is newer than the published one. Never throws. */
  private publish(): Promise<void> {
    const run = this.publishChain.then(() => this.publishOnce());
    this.publishChain = run.catch(() => undefined);
    return run;
  }

  private async publishOnce(): Promise<void> {
    const snapshot = this.snapshot();
    if (this.publishedVersion() >= snapshot.version) return;
    const now = Date.now();
    const last = Number(this.storage.getMeta("last_publish_at") ?? "0");
    if (now - last < MIN_PUBLISH_INTERVAL_MS) {
      await this.armAlarm(last + MIN_PUBLISH_INTERVAL_MS);
      return;
    }
    this.storage.setMeta("last_publish_at", now);
    const body = JSON.stringify(snapshot);
    try {
      await this.env.FLAGS_KV.put(snapshotKey(this.envName), body, {
        metadata: { version: snapshot.version, hash: await sha256Hex(body) },
      });
      this.storage.setMeta("published_version", snapshot.version);
      this.storage.setMeta("publish_failures", 0);
      this.ctx.storage.sql.exec("DELETE FROM meta WHERE name = 'last_publish_error'");
    } catch (error) {
      const failures = Number(this.storage.getMeta("publish_failures") ?? "0") + 1;
      this.storage.setMeta("publish_failures", failures);
      this.storage.setMeta("last_publish_error", String(error));
      await this.armAlarm(now + Math.min(MAX_RETRY_DELAY_MS, MIN_PUBLISH_INTERVAL_MS * 2 ** failures));
      return;
    }
    // A change committed while the write was in flight gets its own publish.
    if (this.storage.version() > snapshot.version) await this.armAlarm(Date.now() + MIN_PUBLISH_INTERVAL_MS);
  }

  private async armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}

function validationError(message: string, error: z.ZodError): { ok: false; error: CommandError } {
  return {
    ok: false,
    error: {
      code: "VALIDATION_FAILED",
      message,
      details: error.issues.slice(0, 50).map((i) => ({ path: i.path.join("."), message: i.message })),
    },
  };
}
