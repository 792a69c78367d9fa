/**
 * One environment's context: what every command module (flags, SDK keys, rollouts) works through.
 * The Environment Durable Object builds it once (it is the composition root) and hands it to them.
 *
 * - `change(fn)`: one synchronous SQLite transaction at one instant of the environment clock. The
 *   function reads, decides and writes; audit events it appends and the version bump it asks for
 *   commit with it, or nothing does.
 * - `commit(fn)`: `change`, then the after-commit drain, and the outcome (the environment version
 *   and whether KV already serves it).
 * - `drain()`: the only after-commit fan-out: publish the snapshot to KV, flush the audit outbox to
 *   D1, deliver due webhooks (every audit event is queued for its webhook subscriptions in the
 *   same transaction, so none is lost). Each is serialized, retried from the alarm, and never throws. As soon
 *   as the publish step is done, subscribers (src/environment/subscribers.ts) hear of the new
 *   version and of the audit events committed since the last drain — not after the webhooks, whose
 *   outbound calls may take seconds.
 */
import type { AuditEventInput, AuditOutbox } from "../audit/outbox.js";
import type { AuditFlusher } from "../audit/flusher.js";
import type { CommandResult } from "../command.js";
import type { WebhookExtra } from "../domain/webhook.js";
import { Serial } from "../serial.js";
import type { EnvironmentClock } from "./clock.js";
import type { MetricStore } from "./metric-store.js";
import type { RolloutStore } from "./rollout-store.js";
import type { PushedAuditEntry } from "./subscribers.js";
import type { SnapshotPublisher } from "./snapshot-publisher.js";
import type { EnvironmentStorage } from "./storage.js";
import type { ChangeOutcome } from "./types.js";
import type { WebhookOutbox } from "./webhook-outbox.js";

/** A transaction in progress. */
export interface Change {
  /** The transaction's instant on the environment clock, epoch ms, and as ISO 8601. */
  readonly now: number;
  readonly at: string;
  /**
   * Appends one audit event stamped with the transaction's instant, and queues it for every
   * webhook subscription it matches (`extra`: what the command adds to the delivery body).
   */
  audit(event: AuditEventInput, extra?: WebhookExtra): void;
  /** The environment's state changed: its version grows (once) when the transaction commits. */
  bump(): void;
}

export interface EnvironmentParts {
  readonly name: string;
  readonly storage: EnvironmentStorage;
  readonly outbox: AuditOutbox;
  readonly rollouts: RolloutStore;
  readonly metrics: MetricStore;
  readonly webhooks: WebhookOutbox;
  readonly clock: EnvironmentClock;
  readonly publisher: SnapshotPublisher;
  readonly auditFlusher: AuditFlusher;
  /** Runs `fn` in one synchronous storage transaction. */
  readonly transact: <T>(fn: () => T) => T;
  /** Arms the Durable Object's alarm at `at` (wall clock) unless it is already due sooner. */
  readonly armAlarm: (at: number) => Promise<void>;
  /** After each drain's publish: tells subscribers the current version and the audit events committed since the last call. */
  readonly notify: (entries: readonly PushedAuditEntry[]) => void;
}

export class EnvironmentContext {
  readonly name: string;
  readonly storage: EnvironmentStorage;
  readonly rollouts: RolloutStore;
  readonly metrics: MetricStore;
  readonly webhooks: WebhookOutbox;
  readonly clock: EnvironmentClock;
  /** One webhook pass at a time: no double sends. */
  private readonly webhookPasses = new Serial();
  /** Audit events committed and not yet announced to subscribers. */
  private unannounced: PushedAuditEntry[] = [];

  constructor(private readonly parts: EnvironmentParts) {
    ({ name: this.name, storage: this.storage, rollouts: this.rollouts, metrics: this.metrics, webhooks: this.webhooks, clock: this.clock } = parts);
  }

  change<T>(fn: (tx: Change) => T): T {
    return this.parts.transact(() => {
      const now = this.clock.now();
      const at = new Date(now).toISOString();
      let bumped = false;
      const appended: PushedAuditEntry[] = [];
      const result = fn({
        now,
        at,
        audit: (event, extra) => {
          const seq = this.parts.outbox.append(event, at);
          this.webhooks.emit(this.name, { ...event, seq, at }, extra, now);
          appended.push({ seq, at, actor: event.actor, action: event.action, target: { type: event.targetType, id: event.targetId }, reason: event.reason ?? null });
        },
        bump: () => void (bumped = true),
      });
      if (bumped) this.storage.bumpVersion();
      this.clock.persist();
      // Only a transaction that committed reaches here (a throw rolls it back and skips this).
      this.unannounced.push(...appended);
      return result;
    });
  }

  async commit<T extends object>(fn: (tx: Change) => CommandResult<T>): Promise<CommandResult<T & ChangeOutcome>> {
    const result = this.change(fn);
    if (!result.ok) return result;
    await this.drain();
    const version = this.storage.version();
    return { ...result, version, published: this.parts.publisher.publishedVersion() >= version };
  }

  drain(): Promise<void> {
    return Promise.all([this.parts.publisher.publish().then(() => this.announce()), this.parts.auditFlusher.flush(), this.deliverWebhooks()]).then(() => undefined);
  }

  private announce(): void {
    const entries = this.unannounced;
    this.unannounced = [];
    this.parts.notify(entries);
  }

  /** Sends due notifications; arms a retry for the next one (its delay on the environment clock, in real time). */
  private deliverWebhooks(): Promise<void> {
    return this.webhookPasses.run(async () => {
      const next = await this.webhooks.deliver(this.clock.now());
      if (next !== null) await this.parts.armAlarm(Date.now() + Math.max(next - this.clock.now(), 1_000));
    });
  }
}
