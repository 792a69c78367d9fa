/**
 * Webhook subscription commands of one environment (docs/webhooks.md): create, list, delete, and
 * the delivery log. Creating and deleting are audited changes like any other (`webhook.created`,
 * `webhook.deleted`, without the secret), in one transaction of the environment context.
 *
 * A secret the request brings is stored and never shown again; without one, a secret is generated
 * and returned once, in the 201. Secrets are kept in clear in the Durable Object's SQLite, because
 * every delivery is signed with them (docs/architecture.md, "Storage schema").
 */
import { failure, validationError, type ChangeMeta, type CommandResult } from "../command.js";
import { randomToken } from "../crypto.js";
import { checkOutboundUrl, type OutboundPolicy } from "../domain/outbound-url.js";
import { CreateWebhookInput, type CreatedWebhook, type WebhookDelivery, type WebhookRecord } from "../domain/webhook.js";
import type { EnvironmentContext } from "./context.js";
import type { ChangeOutcome } from "./types.js";
import { LOG_KEEP, MAX_SUBSCRIPTIONS } from "./webhook-subscriptions.js";

export class WebhookCommands {
  constructor(
    private readonly env: EnvironmentContext,
    private readonly outbound: OutboundPolicy,
  ) {}

  /** `requestOrigin`: the origin the admin request came in at (this service), which a webhook may never call. */
  create(input: unknown, meta: ChangeMeta, requestOrigin?: string): Promise<CommandResult<{ webhook: CreatedWebhook }>> {
    const parsed = CreateWebhookInput.safeParse(input);
    if (!parsed.success) return Promise.resolve(validationError("the webhook is invalid", parsed.error));
    const { url, events, secret } = parsed.data;
    // Syntax and literal addresses only (no DNS); checked again before every send.
    const verdict = checkOutboundUrl(url, this.outbound, requestOrigin);
    if (!verdict.ok) return Promise.resolve(failure("VALIDATION_FAILED", "outbound URLs may not reach inside (see docs/webhooks.md)", [{ path: "url", message: verdict.reason }]));
    const generated = secret === undefined ? `whsec_${randomToken(40)}` : undefined;
    const id = `wh_${randomToken(16)}`;
    return this.env.commit((tx): CommandResult<{ webhook: CreatedWebhook }> => {
      const { subscriptions } = this.env.webhooks;
      if (subscriptions.environmentWideCount() >= MAX_SUBSCRIPTIONS) {
        return failure("VALIDATION_FAILED", `an environment has at most ${MAX_SUBSCRIPTIONS} webhooks`, [{ path: "url", message: "too many webhooks" }]);
      }
      const record: WebhookRecord = { id, url, events: [...new Set(events)], rolloutId: null, createdAt: tx.at, createdBy: meta.actor };
      subscriptions.insert({ ...record, secret: secret ?? (generated as string) });
      tx.audit({ ...meta, action: "webhook.created", targetType: "webhook", targetId: id, after: record });
      return { ok: true, webhook: generated === undefined ? record : { ...record, secret: generated } };
    });
  }

  list(): WebhookRecord[] {
    return this.env.webhooks.subscriptions.list();
  }

  /** Deletes the subscription, its log and what it still had queued. */
  delete(id: string, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.env.commit((tx) => {
      const { subscriptions } = this.env.webhooks;
      const record = subscriptions.get(id);
      if (!record) return failure("NOT_FOUND", `no webhook "${id}"`);
      subscriptions.delete(id);
      this.env.webhooks.discard(id);
      tx.audit({ ...meta, action: "webhook.deleted", targetType: "webhook", targetId: id, before: record });
      return { ok: true };
    });
  }

  /** The newest `limit` delivery attempts of a subscription, newest first. */
  deliveries(id: string, limit = 50): CommandResult<{ deliveries: WebhookDelivery[] }> {
    if (!this.env.webhooks.subscriptions.get(id)) return failure("NOT_FOUND", `no webhook "${id}"`);
    return { ok: true, deliveries: this.env.webhooks.subscriptions.deliveries(id, Math.min(Math.max(1, Math.floor(limit)), LOG_KEEP)) };
  }
}
