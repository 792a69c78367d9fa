/**
 * Webhook subscriptions and their delivery log, in the Environment Durable Object's SQLite
 * (docs/webhooks.md, docs/architecture.md "Storage schema").
 *
 * Tables:
 * - webhook_subscriptions(id, url, events, secret, rollout_id, created_at, created_by): `events` is
 *   the JSON array of patterns; `secret` is the signing secret in clear text, because every delivery
 *   must be signed with it (a hash could not sign). NULL for rollout-scoped subscriptions, which sign
 *   with the WEBHOOK_SECRET Worker secret. The secret never leaves this table but to sign.
 * - webhook_deliveries(id, subscription_id, event_id, event_type, attempt, status, error, outcome, at):
 *   the last LOG_KEEP attempts per subscription (`at`: environment clock, epoch ms).
 */
import { matchesEvent, type WebhookDelivery, type WebhookRecord } from "../domain/webhook.js";

/** Attempts kept per subscription in the delivery log. */
export const LOG_KEEP = 100;
/** Environment-wide subscriptions per environment (rollout-scoped ones are bounded by their rollouts). */
export const MAX_SUBSCRIPTIONS = 25;

type SubscriptionRow = { id: string; url: string; events: string; rollout_id: string | null; created_at: string; created_by: string };

export interface NewSubscription {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  /** Null: sign with WEBHOOK_SECRET (rollout-scoped subscriptions). */
  readonly secret: string | null;
  readonly rolloutId: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface Attempt {
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly outcome: WebhookDelivery["outcome"];
  readonly at: number;
}

const record = (r: SubscriptionRow): WebhookRecord => ({
  id: r.id, url: r.url, events: JSON.parse(r.events) as string[], rolloutId: r.rollout_id, createdAt: r.created_at, createdBy: r.created_by,
});

export class WebhookSubscriptions {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS webhook_subscriptions (
        id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT,
        rollout_id TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS webhook_subscriptions_rollout ON webhook_subscriptions (rollout_id);
      CREATE TABLE IF NOT EXISTS webhook_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT, subscription_id TEXT NOT NULL, event_id TEXT NOT NULL,
        event_type TEXT NOT NULL, attempt INTEGER NOT NULL, status INTEGER, error TEXT, outcome TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
    `);
  }

  insert(s: NewSubscription): void {
    this.sql.exec(
      "INSERT INTO webhook_subscriptions (id, url, events, secret, rollout_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
      s.id, s.url, JSON.stringify(s.events), s.secret, s.rolloutId, s.createdAt, s.createdBy,
    );
  }

  /** Every subscription, environment-wide ones first, oldest first. */
  list(): WebhookRecord[] {
    return this.sql
      .exec<SubscriptionRow>("SELECT id, url, events, rollout_id, created_at, created_by FROM webhook_subscriptions ORDER BY rollout_id IS NOT NULL, created_at, id")
      .toArray()
      .map(record);
  }

  get(id: string): WebhookRecord | undefined {
    const row = this.sql.exec<SubscriptionRow>("SELECT id, url, events, rollout_id, created_at, created_by FROM webhook_subscriptions WHERE id = ?", id).toArray()[0];
    return row ? record(row) : undefined;
  }

  /** Environment-wide subscriptions (the ones the limit counts). */
  environmentWideCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_subscriptions WHERE rollout_id IS NULL").one().n;
  }

  /** Deletes a subscription with its log; true when it existed. Queued deliveries are the outbox's to drop. */
  delete(id: string): boolean {
    const existed = this.sql.exec("DELETE FROM webhook_subscriptions WHERE id = ?", id).rowsWritten > 0;
    this.sql.exec("DELETE FROM webhook_deliveries WHERE subscription_id = ?", id);
    return existed;
  }

  /** A rollout ended: its scoped subscriptions go (their queued final events are still delivered). */
  deleteForRollout(rolloutId: string): void {
    for (const { id } of this.sql.exec<{ id: string }>("SELECT id FROM webhook_subscriptions WHERE rollout_id = ?", rolloutId).toArray()) this.delete(id);
  }

  /**
   * The subscriptions that hear an event: environment-wide ones whose patterns match, and those
   * scoped to the event's rollout whose patterns match.
   */
  matching(type: string, rolloutId: string | undefined): { id: string; url: string }[] {
    return this.sql
      .exec<{ id: string; url: string; events: string; rollout_id: string | null }>("SELECT id, url, events, rollout_id FROM webhook_subscriptions ORDER BY created_at, id")
      .toArray()
      .filter((s) => (s.rollout_id === null || s.rollout_id === rolloutId) && matchesEvent(JSON.parse(s.events) as string[], type))
      .map((s) => ({ id: s.id, url: s.url }));
  }

  /**
   * How a subscription signs: its own secret, `null` when it signs with the Worker's WEBHOOK_SECRET
   * (rollout-scoped), or `undefined` when the subscription is gone.
   */
  secretOf(id: string): string | null | undefined {
    const row = this.sql.exec<{ secret: string | null }>("SELECT secret FROM webhook_subscriptions WHERE id = ?", id).toArray()[0];
    return row === undefined ? undefined : row.secret;
  }

  /** Records one attempt, keeping the newest LOG_KEEP of the subscription. */
  log(a: Attempt): void {
    this.sql.exec(
      "INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, attempt, status, error, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      a.subscriptionId, a.eventId, a.eventType, a.attempt, a.status, a.error === null ? null : a.error.slice(0, 500), a.outcome, a.at,
    );
    this.sql.exec(
      `DELETE FROM webhook_deliveries WHERE subscription_id = ? AND id <= (
         SELECT id FROM webhook_deliveries WHERE subscription_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      a.subscriptionId, a.subscriptionId, LOG_KEEP,
    );
  }

  /** The newest `limit` attempts of a subscription, newest first. */
  deliveries(id: string, limit: number): WebhookDelivery[] {
    return this.sql
      .exec<{ event_id: string; event_type: string; attempt: number; status: number | null; error: string | null; outcome: WebhookDelivery["outcome"]; at: number }>(
        "SELECT event_id, event_type, attempt, status, error, outcome, at FROM webhook_deliveries WHERE subscription_id = ? ORDER BY id DESC LIMIT ?",
        id, limit,
      )
      .toArray()
      .map((r) => ({ eventId: r.event_id, eventType: r.event_type, attempt: r.attempt, status: r.status, error: r.error, outcome: r.outcome, at: new Date(r.at).toISOString() }));
  }
}
