/**
 * The composition of one environment: every part its Durable Object delegates to, built once per
 * instance and wired into one `EnvironmentContext` (docs/architecture.md, "The Environment Durable
 * Object"). The Durable Object class (durable-object.ts) holds the result and only routes RPC calls.
 */
import { AuditFlusher } from "../audit/flusher.js";
import { AuditOutbox } from "../audit/outbox.js";
import type { Config } from "../config.js";
import { STRICT_OUTBOUND } from "../domain/outbound-url.js";
import type { Env } from "../env.js";
import { selectMetrics } from "../metrics/select.js";
import { EnvironmentClock } from "./clock.js";
import { EnvironmentContext } from "./context.js";
import { FlagCommands } from "./flag-commands.js";
import { durableObjectMetrics, MetricStore } from "./metric-store.js";
import { RolloutStore } from "./rollout-store.js";
import { Rollouts } from "./rollouts.js";
import { ScheduleStore } from "./schedule-store.js";
import { Schedules } from "./schedules.js";
import { SdkKeyCommands } from "./sdk-key-commands.js";
import { SegmentCommands } from "./segment-commands.js";
import { SnapshotPublisher } from "./snapshot-publisher.js";
import { EnvironmentStorage } from "./storage.js";
import { Subscribers, type ChangeMessage } from "./subscribers.js";
import { WebhookCommands } from "./webhook-commands.js";
import { WebhookOutbox } from "./webhook-outbox.js";

export interface EnvironmentParts {
  readonly storage: EnvironmentStorage;
  readonly clock: EnvironmentClock;
  readonly publisher: SnapshotPublisher;
  readonly outbox: AuditOutbox;
  readonly auditFlusher: AuditFlusher;
  readonly webhooks: WebhookOutbox;
  readonly context: EnvironmentContext;
  readonly flags: FlagCommands;
  readonly sdkKeys: SdkKeyCommands;
  readonly segments: SegmentCommands;
  readonly rollouts: Rollouts;
  readonly schedules: Schedules;
  readonly webhookCommands: WebhookCommands;
  readonly subscribers: Subscribers;
}

export interface PartsInput {
  readonly ctx: DurableObjectState;
  readonly env: Env;
  readonly name: string;
  /** Undefined when the configuration does not parse: outbound calls then get the strictest rules. */
  readonly config: Config | undefined;
  /** Where audit rows go (a seam for fault-injection tests). */
  readonly auditDatabase: () => D1Database;
  /** Arms the one alarm at `at` unless it is due sooner. */
  readonly armAlarm: (at: number) => Promise<void>;
}

/** Builds (and migrates) every part of the environment `name`. */
export function buildEnvironmentParts({ ctx, env, name, config, auditDatabase, armAlarm }: PartsInput): EnvironmentParts {
  const sql = ctx.storage.sql;
  const transact = <T>(fn: () => T): T => ctx.storage.transactionSync(fn);
  const storage = new EnvironmentStorage(sql);
  const outbox = new AuditOutbox(sql, name);
  const rolloutStore = new RolloutStore(sql);
  const metricStore = new MetricStore(sql);
  const scheduleStore = new ScheduleStore(sql);
  const outbound = config?.outbound ?? STRICT_OUTBOUND;
  const webhooks = new WebhookOutbox(sql, outbound, env.WEBHOOK_SECRET);
  for (const part of [storage, outbox, rolloutStore, metricStore, webhooks, scheduleStore]) part.migrate();

  const clock = new EnvironmentClock({ load: () => Number(storage.getMeta("clock") ?? "0"), save: (ms) => storage.setMeta("clock", ms) });
  const publisher = new SnapshotPublisher({ storage, kv: env.FLAGS_KV, env: name, clock, armAlarm });
  /** The current version as subscribers hear it; `lastModified` is when its snapshot was built. */
  const changeMessage = (): ChangeMessage => {
    const { version, publishedAt } = publisher.stamp();
    return { type: "change", version, lastModified: Math.floor(Date.parse(publishedAt) / 1000) };
  };
  const subscribers = new Subscribers(ctx, changeMessage);
  const auditFlusher = new AuditFlusher({ outbox, database: auditDatabase, retryAt: armAlarm });
  const context = new EnvironmentContext({
    name, storage, outbox, rollouts: rolloutStore, metrics: metricStore, webhooks,
    clock, publisher, auditFlusher, transact, armAlarm,
    notify: (entries) => subscribers.broadcast(changeMessage(), entries),
  });
  return {
    storage, clock, publisher, outbox, auditFlusher, webhooks, context, subscribers,
    flags: new FlagCommands(context),
    sdkKeys: new SdkKeyCommands(context),
    segments: new SegmentCommands(context),
    rollouts: new Rollouts(context, selectMetrics(config, env, durableObjectMetrics(metricStore, transact)), outbound),
    schedules: new Schedules(context, scheduleStore, armAlarm),
    webhookCommands: new WebhookCommands(context, outbound),
  };
}
