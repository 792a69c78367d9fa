/**
 * Progressive rollouts of one environment: creating them, operator commands, metric ingest and
 * the cron tick. Each runs the pure state machine (src/domain/rollout/machine.ts) and applies its
 * decision — rollout record, the flag's fallthrough, exactly one audit event and any notifications
 * — in one transaction of the environment context; I/O (metric reads, health probes) happens
 * before it. Every rule and number is in src/domain/rollout/; this file only does I/O and storage.
 */
import { failure, validationError, type ChangeMeta, type CommandResult, type ErrorDetail } from "../command.js";
import { randomToken } from "../crypto.js";
import type { Serve } from "../domain/flag.js";
import { checkOutboundUrl, type OutboundPolicy } from "../domain/outbound-url.js";
import { createRollout } from "../domain/rollout/create.js";
import { rolloutCreatedAfter } from "../domain/rollout/created-audit.js";
import { MINUTE } from "../domain/rollout/guards.js";
import { decide, type Decision, type HealthRound, type RolloutInput } from "../domain/rollout/machine.js";
import { MetricsIngest, toDeltas } from "../domain/rollout/metrics.js";
import { scopeDeltas } from "../domain/rollout/metrics-scope.js";
import { RolloutRequest, isTerminal, type MinuteBucket, type Rollout, type RolloutState } from "../domain/rollout/model.js";
import { fallthroughAfter, guardThresholdsMs, latencyThresholdsFor, METRIC_RETENTION_MS, statusLookbackStart, tickLookbackStart } from "../domain/rollout/policy.js";
import { guardSeries, seriesLookbackStart, seriesWindow, type RolloutSeries } from "../domain/rollout/series.js";
import { rolloutStatus, type RolloutStatus } from "../domain/rollout/status.js";
import { resolvePlan, timeline, type RolloutPlan } from "../domain/rollout/strategies.js";
import type { MetricsStore } from "../metrics/source.js";
import type { Change, EnvironmentContext } from "./context.js";
import { probe } from "./health-probe.js";
import type { RolloutCommand } from "./types.js";
import { notification } from "./webhook-outbox.js";
import { warningText } from "../domain/rollout/warnings.js";

/** Metrics may be at most this far ahead of the environment's clock (client clock skew). */
const MAX_METRICS_LEAD_MS = 2 * MINUTE;

export class Rollouts {
  constructor(
    private readonly env: EnvironmentContext,
    private readonly metricsStore: MetricsStore,
    /** What health probes and webhooks may call (configuration, from the composition root). */
    private readonly outbound: OutboundPolicy,
  ) {}

  /** Where guards read metrics (for status and /health). */
  get metricsSource(): string {
    return this.metricsStore.source.name;
  }

  /**
   * `requestOrigin` is the origin the admin request arrived at: this service, which its probes and
   * webhooks may never call (with PUBLIC_HOSTNAMES, which also holds at send time).
   */
  async create(input: unknown, meta: ChangeMeta, requestOrigin?: string): Promise<CommandResult<{ rollout: RolloutStatus | null; plan: RolloutPlan }>> {
    const parsed = RolloutRequest.safeParse(input);
    if (!parsed.success) return validationError("the rollout is invalid", parsed.error);
    const request = parsed.data;
    // Syntax and literal addresses only: no DNS lookups here (they may be unavailable).
    const refused: ErrorDetail[] = [];
    const check = (url: string, path: string) => {
      const verdict = checkOutboundUrl(url, this.outbound, requestOrigin);
      if (!verdict.ok) refused.push({ path, message: verdict.reason });
    };
    request.healthChecks.forEach((h, i) => check(h.url, `healthChecks.${i}.url`));
    request.webhooks.forEach((url, i) => check(url, `webhooks.${i}`));
    if (refused.length > 0) return failure("VALIDATION_FAILED", "outbound URLs may not reach inside (see docs/rollouts.md)", refused);
    const now = this.env.clock.now();
    const flag = this.env.storage.getFlag(request.flag);
    if (!flag) return failure("NOT_FOUND", `flag "${request.flag}" does not exist`, [{ path: "flag", message: "not found" }]);
    const active = this.env.rollouts.activeFor(request.flag);
    if (active) return failure("VERSION_CONFLICT", `flag "${request.flag}" already has an active rollout (${active.id})`, [{ path: "flag", message: active.id }]);
    const built = createRollout(request, flag, { id: `ro_${randomToken(16)}`, env: this.env.name, by: meta.actor }, now);
    if (!built.ok) return failure("VALIDATION_FAILED", "the rollout cannot start from this flag", built.errors);
    const rollout = built.rollout;
    const plan = { ...timeline(resolvePlan(request), rollout.startAt), guards: rollout.guards };
    if (request.dryRun) return { ok: true, rollout: null, plan };
    const created = await this.env.commit((tx) => {
      this.env.rollouts.put(rollout);
      tx.audit({ ...meta, action: "rollout.created", targetType: "rollout", targetId: rollout.flag, after: rolloutCreatedAfter(rollout) }, {
        rolloutId: rollout.id, fields: { rolloutId: rollout.id, flag: rollout.flag, variant: rollout.variant, event: "rollout.created", by: meta.actor },
      });
      // The request's webhooks hear this rollout's moves from here on (signed with WEBHOOK_SECRET).
      for (const url of new Set(rollout.webhooks)) {
        this.env.webhooks.subscriptions.insert({ id: `wh_${randomToken(16)}`, url, events: ["rollout.*"], secret: null, rolloutId: rollout.id, createdAt: tx.at, createdBy: meta.actor });
      }
      // Starting now (no startAt in the future) is the first tick's transition, in the same commit.
      const started = decide(rollout, { type: "tick", buckets: new Map() }, tx.now);
      if (started.ok && started.event) this.apply(tx, rollout, started, meta);
      return { ok: true };
    });
    if (!created.ok) return created;
    return { ok: true, rollout: this.statusOf(this.env.rollouts.get(rollout.id) as Rollout), plan };
  }

  list(filter: { flag?: string | undefined; state?: RolloutState | undefined }): RolloutStatus[] {
    return this.env.rollouts.list(filter).map((r) => this.statusOf(r));
  }

  get(id: string): RolloutStatus | null {
    const r = this.env.rollouts.get(id);
    return r ? this.statusOf(r) : null;
  }

  /** pause | resume | promote | rollback | cancel. */
  async command(id: string, command: RolloutCommand, meta: ChangeMeta): Promise<CommandResult<{ rollout: RolloutStatus; changed: boolean }>> {
    const outcome = await this.env.commit((tx): CommandResult<{ changed: boolean }> => {
      const rollout = this.env.rollouts.get(id);
      if (!rollout) return failure("NOT_FOUND", `no rollout "${id}"`);
      const input = { type: command.action, by: meta.actor, reason: meta.reason, expectedStage: command.expectedStage } as RolloutInput;
      const d = decide(rollout, input, tx.now);
      if (!d.ok) {
        return d.code === "INVALID" ? failure("VALIDATION_FAILED", d.message, [{ path: "expectedStage", message: d.message }]) : failure("VERSION_CONFLICT", d.message);
      }
      if (!d.event) return { ok: true, changed: false };
      this.apply(tx, rollout, d, meta);
      return { ok: true, changed: true };
    });
    if (!outcome.ok) return outcome;
    return { ok: true, changed: outcome.changed, rollout: this.statusOf(this.env.rollouts.get(id) as Rollout) };
  }

  /**
   * Metrics for rollout guards (POST /v1/metrics), bounded by the environment's clock. Only the
   * buckets of an active rollout's variant or baseline are kept; the rest, and those a full store
   * refuses, are counted as `dropped`.
   */
  ingest(input: unknown, maxAgeSeconds: number): CommandResult<{ buckets: number; dropped: number }> {
    const parsed = MetricsIngest.safeParse(input);
    if (!parsed.success) return validationError("the metrics are invalid", parsed.error);
    const now = this.env.clock.now();
    const earliest = now - maxAgeSeconds * 1000;
    const latest = now + MAX_METRICS_LEAD_MS;
    const clock = new Date(now).toISOString();
    const details: { path: string; message: string }[] = [];
    const check = (at: number, path: string) => {
      if (at > latest) details.push({ path, message: `more than 2 minutes ahead of the environment's clock (${clock})` });
      else if (at < earliest) details.push({ path, message: `older than ${maxAgeSeconds} s before the environment's clock (${clock})` });
    };
    parsed.data.samples.forEach((s, i) => check(s.minute, `samples.${i}.minute`));
    parsed.data.events.forEach((e, i) => check(e.at, `events.${i}.at`));
    if (details.length > 0) return failure("VALIDATION_FAILED", "some metrics are outside the accepted time window", details.slice(0, 50));
    // One read of the active rollouts serves both the thresholds and the filter.
    const active = this.env.rollouts.active();
    const byFlag = new Map(active.map((r) => [r.flag, r]));
    const { kept, dropped } = scopeDeltas(active, toDeltas(parsed.data, (flag) => latencyThresholdsFor(byFlag.get(flag))));
    const { sink } = this.metricsStore;
    if (kept.length > sink.maxBuckets) {
      return failure("VALIDATION_FAILED", `send at most ${sink.maxBuckets} (flag, variant, minute) buckets of active rollouts per request`, [{ path: "samples", message: "too many buckets" }]);
    }
    // Nothing to keep: no transaction, no write.
    const refused = kept.length === 0 ? 0 : sink.write(this.env.name, kept);
    return { ok: true, buckets: kept.length - refused, dropped: dropped + refused };
  }

  /**
   * One tick for every active rollout at `now`: metrics and probes first (I/O, outside any
   * transaction), then decide-and-commit per rollout with a version check.
   */
  async tick(now: number): Promise<void> {
    for (const r of this.env.rollouts.active()) {
      const started = r.startedAt !== null;
      const health = r.healthChecks.length > 0 && started ? await probe(r.healthChecks, this.outbound) : undefined;
      const buckets = started ? await this.readMetrics(r, tickLookbackStart(r, now), now) : new Map<number, MinuteBucket>();
      this.env.change((tx) => {
        const current = this.env.rollouts.get(r.id);
        // A command changed it while we read and probed: this tick skips it, the next one sees it.
        if (!current || current.version !== r.version || isTerminal(current.state)) return;
        const d = decide(current, { type: "tick", buckets, health }, tx.now);
        if (d.ok) this.apply(tx, current, d, { actor: "system:cron" });
      });
    }
    this.env.metrics.prune(now - METRIC_RETENTION_MS);
  }

  /**
   * Per-minute guard series over [from, to) (epoch ms; defaults and limits in series.ts), read
   * from the same source the tick reads. A read is only a read: a failing source is reported in
   * the answer, not recorded.
   */
  async series(id: string, from: number | undefined, to: number | undefined): Promise<CommandResult<{ series: RolloutSeries }>> {
    const window = seriesWindow(from, to, this.env.clock.now());
    if (!window.ok) return failure("VALIDATION_FAILED", `the series range is invalid: ${window.message}`, [{ path: window.path, message: window.message }]);
    const r = this.env.rollouts.get(id);
    if (!r) return failure("NOT_FOUND", `no rollout "${id}"`);
    let buckets = new Map<number, MinuteBucket>();
    let metricsError: string | null = null;
    try {
      buckets = await this.fetchMetrics(r, seriesLookbackStart(window.from), window.to);
    } catch (error) {
      metricsError = `${this.metricsStore.source.name}: ${String(error)}`;
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    const health = r.healthChecks.length === 0 ? null : {
      consecutiveFailures: r.health.consecutiveFailures,
      failuresToRollback: r.guards.healthFailuresToRollback,
      lastRoundAt: r.health.lastRoundAt === null ? null : iso(r.health.lastRoundAt),
    };
    return {
      ok: true,
      series: {
        rolloutId: r.id, flag: r.flag, variant: r.variant, from: iso(window.from), to: iso(window.to),
        source: this.metricsSource, metricsError, guards: guardSeries(r.guards, buckets, window.from, window.to, r.startedAt), health,
      },
    };
  }

  /** The metrics source's last read error, cleared by a good read. */
  lastMetricsError(): string | null {
    return this.env.storage.getMeta("last_metrics_error") ?? null;
  }

  /** A failing source yields no buckets: those minutes are UNKNOWN, which pauses and never rolls back. */
  private async readMetrics(r: Rollout, since: number, now: number): Promise<Map<number, MinuteBucket>> {
    const { source } = this.metricsStore;
    try {
      const buckets = await this.fetchMetrics(r, since, now);
      this.env.storage.deleteMeta("last_metrics_error");
      return buckets;
    } catch (error) {
      this.env.storage.setMeta("last_metrics_error", `${source.name}: ${String(error)}`);
      return new Map();
    }
  }

  /** The rollout variant's buckets in [since, until) from the configured source (throws when it cannot answer). */
  private fetchMetrics(r: Rollout, since: number, until: number): Promise<Map<number, MinuteBucket>> {
    return this.metricsStore.source.read({ env: this.env.name, flag: r.flag, variant: r.variant, since, until, thresholdsMs: guardThresholdsMs(r.guards) });
  }

  private statusOf(r: Rollout): RolloutStatus {
    const now = this.env.clock.now();
    return rolloutStatus(r, this.env.metrics.read(r.flag, r.variant, statusLookbackStart(now)), now);
  }

  /**
   * Applies a decided transition inside the caller's transaction: the rollout record, its effect
   * on the flag (the fallthrough it owns), exactly one audit event and the notifications.
   */
  private apply(tx: Change, before: Rollout, d: Extract<Decision, { ok: true }>, meta: ChangeMeta): void {
    const { storage, rollouts, webhooks } = this.env;
    rollouts.put(d.rollout);
    // What the step did to the flag, so its history can be rebuilt from the log (src/domain/history.ts).
    let flagChange: { fallthrough: Serve; flagVersion: number } | undefined;
    if (d.effect) {
      const flag = storage.getFlag(d.rollout.flag);
      if (flag) {
        const stored = storage.putFlag({ ...flag, fallthrough: fallthroughAfter(d.rollout, d.effect) }, tx.at);
        flagChange = { fallthrough: stored.fallthrough, flagVersion: stored.version };
      }
      tx.bump();
    }
    // Warnings are not transitions: audited (and so delivered) on their own, never pausing anything.
    for (const w of d.warnings ?? []) {
      const warning = { rolloutId: d.rollout.id, guard: w.guard, observed: w.observed, threshold: w.threshold, thresholdMs: w.thresholdMs ?? null, stageIndex: w.stageIndex, since: new Date(w.since).toISOString() };
      tx.audit(
        { actor: "system:guard", action: "rollout.guard_warning", targetType: "rollout", targetId: d.rollout.flag, reason: warningText(w), after: warning },
        { rolloutId: d.rollout.id, fields: { rolloutId: d.rollout.id, flag: d.rollout.flag, variant: d.rollout.variant, event: "rollout.guard_warning", by: "system:guard", warning } },
      );
    }
    if (!d.event) return;
    const system = d.event.by.startsWith("system:");
    const { text, ...fields } = notification(this.env.name, d.rollout, d.event, tx.at);
    tx.audit(
      {
        actor: system ? d.event.by : meta.actor,
        requestId: system ? undefined : meta.requestId,
        reason: d.event.reason,
        action: d.event.action,
        targetType: "rollout",
        targetId: d.rollout.flag,
        before: { rolloutId: before.id, ...d.event.from },
        after: { rolloutId: d.rollout.id, ...d.event.to, ...(d.event.evidence === undefined ? {} : { evidence: d.event.evidence }), ...flagChange },
      },
      { rolloutId: d.rollout.id, text: String(text), fields },
    );
    // Its final event is queued above; the rollout's own subscriptions end with it.
    if (isTerminal(d.rollout.state)) webhooks.subscriptions.deleteForRollout(d.rollout.id);
  }
}
