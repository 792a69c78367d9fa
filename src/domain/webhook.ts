/**
 * Webhook subscriptions (docs/webhooks.md): what an operator sends to subscribe, what the admin API
 * shows of a subscription and of its deliveries, which events a subscription receives, and the
 * body every delivery carries. One schema per shape, shared by the Durable Object, the OpenAPI
 * document and flagctl. Pure: no I/O, no clock.
 *
 * Events are the environment's audit actions (`flag.updated`, `rollout.paused`, …) plus
 * `rollout.guard_warning`. A pattern is an exact name or `<family>.*`; `*` alone is every event.
 * The rollout family also holds the stage transitions (`stage.advanced`, `stage.promoted`,
 * `stage.holding`), so `rollout.*` hears every move of a rollout.
 */
import { z } from "zod";

/** The event families a pattern may name (the audit action's prefix; `stage` is in `rollout`). */
export const EVENT_FAMILIES = ["flag", "rollout", "schedule", "segment", "sdk_key", "environment", "overrides", "webhook"] as const;
export type EventFamily = (typeof EVENT_FAMILIES)[number];

/** Prefixes that belong to another family. */
const FAMILY_ALIASES: Readonly<Record<string, EventFamily>> = { stage: "rollout" };

/** The family of an event type (`stage.advanced` → `rollout`), or the bare prefix when unknown. */
export function eventFamily(type: string): string {
  const prefix = type.split(".", 1)[0] ?? type;
  return FAMILY_ALIASES[prefix] ?? prefix;
}

const KNOWN = new Set<string>([...EVENT_FAMILIES, ...Object.keys(FAMILY_ALIASES)]);

/** `*`, `<family>.*` or `<family>.<name>` with a known family (names are open: families grow). */
export const EventPattern = z
  .string()
  .max(64)
  .refine((p) => {
    if (p === "*") return true;
    const m = /^([a-z_]+)\.(\*|[a-z][a-z_]{0,47})$/.exec(p);
    return m !== null && KNOWN.has(m[1] as string) && !(m[1] === "stage" && m[2] === "*");
  }, { message: `an event pattern is "*", "<family>.*" or an event name, with a family among: ${EVENT_FAMILIES.join(", ")} ("stage.*" is part of "rollout.*")` });

/** True when any of `patterns` matches the event type. */
export function matchesEvent(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === "*" || p === type || (p.endsWith(".*") && p.slice(0, -2) === eventFamily(type)));
}

/** A subscription's own signing secret: 16–128 printable ASCII characters. */
export const WebhookSecret = z.string().min(16).max(128).regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

/** `POST /envs/{env}/webhooks`. Without a secret, one is generated and returned once. */
export const CreateWebhookInput = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2048),
    events: z.array(EventPattern).min(1).max(32),
    secret: WebhookSecret.optional(),
  })
  .strict();
export type CreateWebhookInput = z.infer<typeof CreateWebhookInput>;

/** A subscription as the admin API lists it: never its secret. */
export const WebhookRecord = z.object({
  id: z.string().describe("wh_<16>"),
  url: z.string(),
  events: z.array(z.string()),
  rolloutId: z.string().nullable().describe("set for the subscriptions a rollout's `webhooks` made: that rollout's events only, removed when it ends"),
  createdAt: z.string().describe("ISO 8601 time (environment clock)"),
  createdBy: z.string(),
});
export type WebhookRecord = z.infer<typeof WebhookRecord>;

/** The 201 answer: the record, and the generated secret (only when none was sent; shown once). */
export const CreatedWebhook = WebhookRecord.extend({
  secret: z.string().optional().describe("the generated signing secret, shown only now (absent when the request brought its own)"),
});
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

/** One delivery attempt of one event to one subscription. */
export const WebhookDelivery = z.object({
  eventId: z.string(),
  eventType: z.string(),
  attempt: z.number().int().describe("1 for the first try"),
  status: z.number().int().nullable().describe("the receiver's HTTP status; null when no answer (network error, timeout, refused URL)"),
  error: z.string().nullable(),
  outcome: z.enum(["delivered", "retrying", "dropped"]),
  at: z.string().describe("ISO 8601 time (environment clock)"),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

/** One audited change as a command states it (the audit outbox appends it; src/audit/outbox.ts). */
export interface AuditedChange {
  readonly actor: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly reason?: string | undefined;
  readonly requestId?: string | undefined;
}

/** The fields of an audited change a delivery is built from: the change, with its place in the log. */
export interface WebhookEventSource extends AuditedChange {
  readonly seq: number;
  readonly at: string;
}

/** What a command may add to its event's delivery: a finer chat line, and fields of its own. */
export interface WebhookExtra {
  /** The rollout the event belongs to: its rollout-scoped subscriptions hear it too. */
  readonly rolloutId?: string | undefined;
  readonly text?: string | undefined;
  readonly fields?: Readonly<Record<string, unknown>> | undefined;
}

/** The event id: the same as the audit entry's (`<environment>:<seq>`), unique per environment forever. */
export const eventId = (env: string, seq: number): string => `${env}:${seq}`;

/**
 * The body of every delivery of one event: `id`, `type`, the audited change, a Slack-compatible
 * `text`, and the command's own fields (rollout events keep their flat `rolloutId`, `event`,
 * `from`, `to`, … of earlier releases). The envelope fields win over any extra field.
 */
export function webhookPayload(env: string, e: WebhookEventSource, extra: WebhookExtra = {}): Record<string, unknown> {
  const s = slackEscape;
  const text = extra.text ?? `[edgeflags/${s(env)}] ${s(e.action)}: ${s(e.targetType)} ${s(e.targetId)} by ${s(e.actor)}${e.reason ? ` — ${s(e.reason)}` : ""}`;
  return {
    ...extra.fields,
    id: eventId(env, e.seq),
    type: e.action,
    environment: env,
    at: e.at,
    actor: e.actor,
    target: { type: e.targetType, id: e.targetId },
    reason: e.reason ?? null,
    requestId: e.requestId ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    text,
  };
}

/**
 * Slack's mrkdwn escaping: `<`, `>` and `&` become entities, so a reason cannot ping a channel
 * (`<!here>`, `<@U123>`) or hide a link (`<https://evil|docs>`). The JSON fields stay verbatim.
 */
export function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
