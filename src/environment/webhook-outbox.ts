/**
 * The webhook outbox: every audited change of the environment is queued, in the transaction of the
 * change, once for each subscription it matches (webhook-subscriptions.ts: environment-wide ones
 * and those a rollout's `webhooks` made), and delivered after the commit as JSON with an `id`, a
 * `type` and a `text` field Slack (and most chat tools) can show (docs/webhooks.md). Failed
 * deliveries are retried with backoff from the alarm and the cron tick; after MAX_ATTEMPTS a
 * delivery is dropped and counted as failed. Every attempt of a subscription's delivery is kept in
 * its delivery log.
 *
 * Every URL is checked against the outbound policy again right before it is called: a refused one
 * is not fetched but dropped at once, counted as failed, its error kept as the last failure.
 * Redirects are never followed: a 3xx is a failed attempt (the target could be anywhere).
 *
 * Every delivery carries `X-Edgeflags-Event-Id` and, with a secret, `X-Edgeflags-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>.<body>">`: the subscription's own secret, or the
 * WEBHOOK_SECRET Worker secret for rollout-scoped subscriptions. A receiver verifies it with
 * src/webhooks/verify.ts and refuses replays.
 *
 * Tables: webhook_outbox(id, url, payload, attempts, next_at, last_error, subscription_id, event_id,
 * event_type), webhook_stats(name, value), webhook_last_failure(id = 1, host, error, at) — the host
 * only: webhook paths can be secrets.
 */
import { hmacSha256Hex } from "../crypto.js";
import { checkOutboundUrl, type OutboundPolicy } from "../domain/outbound-url.js";
import { eventId, slackEscape, webhookPayload, type WebhookEventSource, type WebhookExtra } from "../domain/webhook.js";
import { WebhookSubscriptions } from "./webhook-subscriptions.js";

export { slackEscape };

/** The header carrying a delivery's signature. */
export const SIGNATURE_HEADER = "X-Edgeflags-Signature";
/** The header carrying the event id (also the body's `id`): receivers deduplicate by it. */
export const EVENT_ID_HEADER = "X-Edgeflags-Event-Id";

/**
 * The signature header's value for `body` sent at `unixSeconds`. The time is the sender's real
 * clock (the receiver compares it with its own to refuse replays), not the environment clock.
 */
export async function webhookSignature(secret: string, unixSeconds: number, body: string): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacSha256Hex(secret, `${unixSeconds}.${body}`)}`;
}

export const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 5_000;

type Row = { id: number; url: string; payload: string; attempts: number; subscription_id: string | null; event_id: string | null; event_type: string | null };

export interface WebhookStats {
  readonly pending: number;
  readonly delivered: number;
  readonly failed: number;
  /** The last dropped delivery: the receiver's host, why, and when (epoch ms). */
  readonly lastFailure: { readonly host: string; readonly error: string; readonly at: number } | null;
}

export class WebhookOutbox {
  /** Who hears which event, and the delivery log. */
  readonly subscriptions: WebhookSubscriptions;

  constructor(
    private readonly sql: SqlStorage,
    private readonly policy: OutboundPolicy,
    /** Signs the deliveries of subscriptions without a secret of their own (rollout-scoped) when set. */
    private readonly signingSecret?: string | undefined,
  ) {
    this.subscriptions = new WebhookSubscriptions(sql);
  }

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS webhook_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT);
      CREATE TABLE IF NOT EXISTS webhook_stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS webhook_last_failure (
        id INTEGER PRIMARY KEY CHECK (id = 1), host TEXT NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL);
    `);
    // Columns added after the first release: an older table gets them once.
    const columns = new Set(this.sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('webhook_outbox')").toArray().map((c) => c.name));
    for (const column of ["subscription_id", "event_id", "event_type"]) {
      if (!columns.has(column)) this.sql.exec(`ALTER TABLE webhook_outbox ADD COLUMN ${column} TEXT`);
    }
    this.subscriptions.migrate();
  }

  /** Queues one payload per URL, outside any subscription; must run inside the change's transaction. */
  enqueue(urls: readonly string[], payload: unknown, now: number): void {
    const body = JSON.stringify(payload);
    for (const url of urls) this.sql.exec("INSERT INTO webhook_outbox (url, payload, next_at) VALUES (?, ?, ?)", url, body, now);
  }

  /**
   * Queues an audited change for every subscription it matches; must run inside the change's
   * transaction, so the event commits with it or not at all. Returns how many were queued.
   */
  emit(env: string, event: WebhookEventSource, extra: WebhookExtra | undefined, now: number): number {
    const targets = this.subscriptions.matching(event.action, extra?.rolloutId);
    if (targets.length === 0) return 0;
    const body = JSON.stringify(webhookPayload(env, event, extra));
    const id = eventId(env, event.seq);
    for (const t of targets) {
      this.sql.exec(
        "INSERT INTO webhook_outbox (url, payload, next_at, subscription_id, event_id, event_type) VALUES (?, ?, ?, ?, ?, ?)",
        t.url, body, now, t.id, id, event.action,
      );
    }
    return targets.length;
  }

  /** A subscription was deleted: what it still had queued is not sent. */
  discard(subscriptionId: string): void {
    this.sql.exec("DELETE FROM webhook_outbox WHERE subscription_id = ?", subscriptionId);
  }

  stats(): WebhookStats {
    const count = (name: string) => this.sql.exec<{ value: number }>("SELECT value FROM webhook_stats WHERE name = ?", name).toArray()[0]?.value ?? 0;
    const pending = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_outbox").one().n;
    const last = this.sql.exec<{ host: string; error: string; at: number }>("SELECT host, error, at FROM webhook_last_failure WHERE id = 1").toArray()[0];
    return { pending, delivered: count("delivered"), failed: count("failed"), lastFailure: last ? { host: last.host, error: last.error, at: last.at } : null };
  }

  /** Delivers what is due; returns the time of the next retry, if any remain. Never throws. */
  async deliver(now: number, fetcher: typeof fetch = fetch): Promise<number | null> {
    const due = this.sql
      .exec<Row>("SELECT id, url, payload, attempts, subscription_id, event_id, event_type FROM webhook_outbox WHERE next_at <= ? ORDER BY id LIMIT 50", now)
      .toArray();
    for (const row of due) {
      const allowed = checkOutboundUrl(row.url, this.policy);
      if (!allowed.ok) {
        this.drop(row, `refused: ${allowed.reason}`, null, now);
        continue;
      }
      // Read at send time: a subscription deleted meanwhile has had its rows discarded already.
      const own = row.subscription_id === null ? null : this.subscriptions.secretOf(row.subscription_id);
      const secret = own ?? this.signingSecret;
      let error: string | null = null;
      let status: number | null = null;
      const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "edgeflags-webhook/1" };
      if (row.event_id !== null) headers[EVENT_ID_HEADER] = row.event_id;
      if (secret) headers[SIGNATURE_HEADER] = await webhookSignature(secret, Math.floor(Date.now() / 1000), row.payload);
      try {
        const res = await fetcher(row.url, {
          method: "POST",
          headers,
          body: row.payload,
          redirect: "manual",
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        status = res.status;
        await res.body?.cancel();
        if (res.status >= 300 && res.status < 400) error = `HTTP ${res.status} (redirects are not followed)`;
        else if (!res.ok) error = `HTTP ${res.status}`;
      } catch (e) {
        error = String(e);
      }
      if (error === null) {
        this.sql.exec("DELETE FROM webhook_outbox WHERE id = ?", row.id);
        this.bump("delivered");
        this.log(row, status, null, "delivered", now);
      } else if (row.attempts + 1 >= MAX_ATTEMPTS) {
        this.drop(row, error, status, now);
      } else {
        const delay = Math.min(3_600_000, 2_000 * 2 ** row.attempts);
        this.sql.exec("UPDATE webhook_outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?", now + delay, error, row.id);
        this.log(row, status, error, "retrying", now);
      }
    }
    return this.sql.exec<{ next: number | null }>("SELECT MIN(next_at) AS next FROM webhook_outbox").one().next;
  }

  /** Gives up on a delivery: counted as failed, its error kept as the last failure. */
  private drop(row: Row, error: string, status: number | null, now: number): void {
    this.sql.exec("DELETE FROM webhook_outbox WHERE id = ?", row.id);
    this.bump("failed");
    this.sql.exec(
      "INSERT INTO webhook_last_failure (id, host, error, at) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET host = excluded.host, error = excluded.error, at = excluded.at",
      hostOf(row.url), error.slice(0, 500), now,
    );
    this.log(row, status, error, "dropped", now);
  }

  /** One line of the subscription's delivery log (rows outside a live subscription have none). */
  private log(row: Row, status: number | null, error: string | null, outcome: "delivered" | "retrying" | "dropped", now: number): void {
    if (row.subscription_id === null || row.event_id === null || this.subscriptions.secretOf(row.subscription_id) === undefined) return;
    this.subscriptions.log({ subscriptionId: row.subscription_id, eventId: row.event_id, eventType: row.event_type ?? "", attempt: row.attempts + 1, status, error, outcome, at: now });
  }

  private bump(name: string): void {
    this.sql.exec("INSERT INTO webhook_stats (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1", name);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/** The notification body: the event as JSON, plus a one-line `text` for chat tools. */
export function notification(
  env: string,
  rollout: { id: string; flag: string; variant: string },
  event: { action: string; by: string; reason?: string | undefined; from: { state: string; percentage: number }; to: { state: string; percentage: number } },
  at: string,
): Record<string, unknown> {
  const move = event.from.percentage === event.to.percentage ? `${event.to.percentage} %` : `${event.from.percentage} % → ${event.to.percentage} %`;
  const e = slackEscape;
  return {
    text: `[edgeflags/${e(env)}] ${e(rollout.flag)} → ${e(rollout.variant)}: ${e(event.action)} (${e(event.from.state)} → ${e(event.to.state)}, ${move})${event.reason ? ` — ${e(event.reason)}` : ""}`,
    environment: env,
    rolloutId: rollout.id,
    flag: rollout.flag,
    variant: rollout.variant,
    event: event.action,
    by: event.by,
    reason: event.reason ?? null,
    from: event.from,
    to: event.to,
    at,
  };
}
