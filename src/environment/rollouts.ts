/**
 * Progressive rollouts inside the Environment Durable Object: creating them, operator commands,
 * metric ingest and the cron tick. Each runs the pure state machine (src/domain/rollout/machine.ts)
 * and applies its decision — rollout record, the flag's fallthrough, exactly one audit event and
 * any notifications — in one transaction; I/O (metrics reads, health probes) happens before it.
 */
import { randomToken } from "../crypto.js";
import { loadConfig } from "../config.js";
import { createRollout } from "../domain/rollout/create.js";
import { MINUTE } from "../domain/rollout/guards.js";
import { decide, type Decision, type HealthRound, type RolloutInput } from "../domain/rollout/machine.js";
import { MetricsIngest, toDeltas } from "../domain/rollout/metrics.js";
import { RolloutRequest, isTerminal, type HealthCheck, type MinuteBucket, type Rollout, type RolloutState } from "../domain/rollout/model.js";
import { rolloutStatus, type RolloutStatus } from "../domain/rollout/status.js";
import { resolvePlan, timeline } from "../domain/rollout/strategies.js";
import type { Env } from "../env.js";
import type { AuditEventInput } from "../audit/outbox.js";
import { AnalyticsEngineMetricsSource, writeMetricBucket } from "../metrics/analytics-engine.js";
import type { MetricsSource } from "../metrics/source.js";
import { DurableObjectMetricsSource, type MetricStore } from "./metric-store.js";
import { failure, validationError } from "./results.js";
import type { RolloutStore } from "./rollout-store.js";
import type { EnvironmentStorage } from "./storage.js";
import type { ChangeMeta, CommandResult, RolloutCommand, RolloutPlan } from "./types.js";
import { notification, type WebhookOutbox } from "./webhook-outbox.js";

export interface RolloutRunnerDeps {
  readonly envName: string;
  readonly env: Env;
  readonly storage: EnvironmentStorage;
  readonly rollouts: RolloutStore;
  readonly metrics: MetricStore;
  readonly webhooks: WebhookOutbox;
  /** Runs `fn` in one synchronous storage transaction. */
  readonly transact: <T>(fn: () => T) => T;
  readonly audit: (event: ChangeMeta & Omit<AuditEventInput, "actor" | "requestId" | "reason">, at: string) => void;
  /** Publish, flush and deliver after a commit; true when KV has `version`. */
  readonly afterChange: (version: number) => Promise<boolean>;
}

export class RolloutRunner {
  constructor(private readonly deps: RolloutRunnerDeps) {}

  /** The environment's clock: the later of the wall clock and the latest tick's scheduled time. */
  clock(): number {
    return Math.max(Date.now(), Number(this.deps.storage.getMeta("clock") ?? "0"));
  }

  async create(input: unknown, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus | null; plan: RolloutPlan }>> {
    const parsed = RolloutRequest.safeParse(input);
    if (!parsed.success) return validationError("the rollout is invalid", parsed.error);
    const request = parsed.data;
    const now = this.clock();
    const flag = this.deps.storage.getFlag(request.flag);
    if (!flag) return failure("NOT_FOUND", `flag "${request.flag}" does not exist`, [{ path: "flag", message: "not found" }]);
    const active = this.deps.rollouts.activeFor(request.flag);
    if (active) return failure("VERSION_CONFLICT", `flag "${request.flag}" already has an active rollout (${active.id})`, [{ path: "flag", message: active.id }]);
    const built = createRollout(request, flag, { id: `ro_${randomToken(16)}`, env: this.deps.envName, by: meta.actor }, now);
    if (!built.ok) return failure("VALIDATION_FAILED", "the rollout cannot start from this flag", built.errors);
    const plan = { ...timeline(resolvePlan(request), built.rollout.startAt), guards: built.rollout.guards };
    if (request.dryRun) return { ok: true, rollout: null, plan };
    const version = this.deps.transact(() => {
      const rollout = built.rollout;
      this.deps.rollouts.put(rollout);
      this.deps.audit({ ...meta, action: "rollout.created", targetType: "rollout", targetId: rollout.flag, after: { rolloutId: rollout.id, strategy: rollout.strategy, stages: rollout.stages, finalBakeSeconds: rollout.finalBakeSeconds, startAt: new Date(rollout.startAt).toISOString() } }, new Date(now).toISOString());
      // Starting now (no startAt in the future) is the first tick's transition, in the same commit.
      const started = decide(rollout, { type: "tick", buckets: new Map() }, now);
      if (started.ok && started.event) this.apply(rollout, started, meta);
      return this.deps.storage.version();
    });
    await this.deps.afterChange(version);
    return { ok: true, rollout: this.statusOf(this.deps.rollouts.get(built.rollout.id) as Rollout, now), plan };
  }

  async list(filter: { flag?: string | undefined; state?: RolloutState | undefined }): Promise<RolloutStatus[]> {
    const now = this.clock();
    return this.deps.rollouts.list(filter).map((r) => this.statusOf(r, now));
  }

  async get(id: string): Promise<RolloutStatus | null> {
    const r = this.deps.rollouts.get(id);
    return r ? this.statusOf(r, this.clock()) : null;
  }

  /** pause | resume | promote | rollback | cancel. */
  async command(id: string, command: RolloutCommand, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus; changed: boolean }>> {
    const now = this.clock();
    const outcome = this.deps.transact((): CommandResult<{ changed: boolean }> => {
      const rollout = this.deps.rollouts.get(id);
      if (!rollout) return failure("NOT_FOUND", `no rollout "${id}"`);
      const input = { type: command.action, by: meta.actor, reason: meta.reason, expectedStage: command.expectedStage } as RolloutInput;
      const d = decide(rollout, input, now);
      if (!d.ok) return failure(d.code === "INVALID" ? "VALIDATION_FAILED" : "VERSION_CONFLICT", d.message, d.code === "INVALID" ? [{ path: "expectedStage", message: d.message }] : []);
      if (!d.event) return { ok: true, changed: false };
      this.apply(rollout, d, meta);
      return { ok: true, changed: true };
    });
    if (!outcome.ok) return outcome;
    if (outcome.changed) await this.deps.afterChange(this.deps.storage.version());
    return { ok: true, changed: outcome.changed, rollout: this.statusOf(this.deps.rollouts.get(id) as Rollout, now) };
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
      for (const g of this.deps.rollouts.activeFor(flag)?.guards.metrics ?? []) if (g.thresholdMs !== undefined) thresholds.add(g.thresholdMs);
      return [...thresholds];
    });
    const ae = analyticsEngineOf(this.deps.env);
    if (ae) {
      // One data point per (flag, variant, minute): a Worker invocation may write at most 250.
      if (deltas.length > AE_MAX_POINTS) {
        return failure("VALIDATION_FAILED", `send at most ${AE_MAX_POINTS} (flag, variant, minute) buckets per request`, [{ path: "samples", message: "too many buckets" }]);
      }
      for (const d of deltas) writeMetricBucket(ae.binding, this.deps.envName, d);
    } else {
      this.deps.transact(() => this.deps.metrics.add(deltas));
    }
    return { ok: true, buckets: deltas.length };
  }

  /** The configured metrics source; the Durable Object's own buckets unless Analytics Engine is set up. */
  private metricsSource(): MetricsSource {
    const ae = analyticsEngineOf(this.deps.env);
    return ae ? new AnalyticsEngineMetricsSource({ accountId: ae.accountId, apiToken: ae.apiToken, dataset: ae.dataset }) : new DurableObjectMetricsSource(this.deps.metrics);
  }

  /** A failing source yields no buckets: those minutes are UNKNOWN, which pauses and never rolls back. */
  private async readMetrics(source: MetricsSource, r: Rollout, since: number, now: number): Promise<Map<number, MinuteBucket>> {
    const thresholdsMs = r.guards.metrics.flatMap((g) => (g.thresholdMs === undefined ? [] : [g.thresholdMs]));
    try {
      const buckets = await source.read({ env: this.deps.envName, flag: r.flag, variant: r.variant, since, until: now, thresholdsMs });
      this.deps.storage.deleteMeta("last_metrics_error");
      return buckets;
    } catch (error) {
      this.deps.storage.setMeta("last_metrics_error", `${source.name}: ${String(error)}`);
      return new Map();
    }
  }

  private statusOf(r: Rollout, now: number): RolloutStatus {
    return rolloutStatus(r, this.deps.metrics.read(r.flag, r.variant, now - 11 * MINUTE), now);
  }

  /**
   * Applies a decided transition: the rollout record, its effect on the flag (the fallthrough it
   * owns), and exactly one audit event — inside the caller's transaction.
   */
  private apply(before: Rollout, d: Extract<Decision, { ok: true }>, meta: ChangeMeta): Rollout {
    const at = new Date(d.rollout.updatedAt).toISOString();
    this.deps.rollouts.put(d.rollout);
    if (d.effect) {
      const flag = this.deps.storage.getFlag(d.rollout.flag);
      if (flag) {
        const fallthrough =
          d.effect.type === "restore"
            ? d.rollout.snapshot.fallthrough
            : d.effect.type === "complete"
              ? { variant: d.rollout.variant }
              : { rollout: { variant: d.rollout.variant, baseline: d.rollout.baseline, percentage: d.effect.percentage } };
        this.deps.storage.putFlag({ ...flag, fallthrough }, at);
      }
      this.deps.storage.bumpVersion();
    }
    if (d.event) {
      const system = d.event.by.startsWith("system:");
      this.deps.audit({
        actor: system ? d.event.by : meta.actor,
        requestId: system ? undefined : meta.requestId,
        reason: d.event.reason,
        action: d.event.action,
        targetType: "rollout",
        targetId: d.rollout.flag,
        before: { rolloutId: before.id, ...d.event.from },
        after: { rolloutId: d.rollout.id, ...d.event.to, ...(d.event.evidence === undefined ? {} : { evidence: d.event.evidence }) },
      }, at);
      if (d.rollout.webhooks.length > 0) this.deps.webhooks.enqueue(d.rollout.webhooks, notification(this.deps.envName, d.rollout, d.event, at), Date.now());
    }
    return d.rollout;
  }

  /**
   * One tick for every active rollout: metrics and probes first (I/O, outside any transaction),
   * then decide-and-commit per rollout with a version check.
   */
  async tick(now: number): Promise<void> {
    const source = this.metricsSource();
    for (const r of this.deps.rollouts.active()) {
      const started = r.startedAt !== null;
      const health = r.healthChecks.length > 0 && started ? await probe(r.healthChecks) : undefined;
      // Enough history for the stage gate (the whole stage) and the no-telemetry lookbacks.
      const lookback = Math.max(r.guards.unknownPauseSeconds * 1000, 15 * MINUTE) + 2 * MINUTE;
      const buckets = started ? await this.readMetrics(source, r, Math.min(r.stageEnteredAt ?? now, now - lookback), now) : new Map<number, MinuteBucket>();
      this.deps.transact(() => {
        const current = this.deps.rollouts.get(r.id);
        // A command changed it while we read and probed: this tick skips it, the next one sees it.
        if (!current || current.version !== r.version || isTerminal(current.state)) return;
        const d = decide(current, { type: "tick", buckets, health }, now);
        if (d.ok) this.apply(current, d, { actor: "system:cron" });
      });
    }
    this.deps.metrics.prune(now - 31 * 86_400_000);
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
