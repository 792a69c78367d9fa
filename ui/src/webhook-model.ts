/**
 * The webhooks page's pure logic: the events list a subscription is created with (one checkbox per
 * event family plus comma-separated extra patterns), a light client-side check of that list before
 * the API's own, and how delivery-log rows read (status or error, outcome counts, when to poll).
 *
 * The families repeat src/domain/webhook.ts's EVENT_FAMILIES rather than import it: that module
 * brings zod into the bundle. test/unit/ui/webhook-model.test.ts checks the two lists are equal.
 */

/** The event families a pattern may name, in the domain's order (src/domain/webhook.ts). */
export const EVENT_FAMILIES = ["flag", "rollout", "schedule", "segment", "sdk_key", "environment", "overrides", "webhook"] as const;
export type EventFamily = (typeof EVENT_FAMILIES)[number];

/** The API's limit on patterns per subscription (CreateWebhookInput). */
export const MAX_PATTERNS = 32;

/** Prefixes an exact event name may carry besides the families (`stage.advanced` is a rollout event). */
const PREFIXES = new Set<string>([...EVENT_FAMILIES, "stage"]);

/** The extra-patterns field as a list: split on commas, trimmed, empties dropped. */
export function parsePatterns(text: string): string[] {
  return text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/**
 * Why a pattern would be refused, or null. The same rules as the API's EventPattern, so the common
 * typo is caught before the round trip; the API stays the authority.
 */
export function patternProblem(pattern: string): string | null {
  if (pattern === "*") return null;
  if (pattern.length > 64) return "is longer than 64 characters";
  const m = /^([a-z_]+)\.(\*|[a-z][a-z_]{0,47})$/.exec(pattern);
  if (!m) return 'is not "*", "<family>.*" or an event name such as flag.disabled';
  const [, prefix, name] = m;
  if (!PREFIXES.has(prefix as string)) return `names no event family (one of: ${EVENT_FAMILIES.join(", ")})`;
  if (prefix === "stage" && name === "*") return 'is part of "rollout.*"';
  return null;
}

export interface EventsDraft {
  /** The families whose checkbox is ticked. */
  families: readonly string[];
  /** The "Other patterns (comma-separated)" text. */
  extra: string;
}

export type BuiltEvents = { ok: true; events: string[] } | { ok: false; errors: string[] };

/**
 * The `events` of a create request: `<family>.*` per ticked family (in the families' order), then
 * the extra patterns, each once. Problems come back as `events: …` lines, like the API's.
 */
export function buildEvents(draft: EventsDraft): BuiltEvents {
  const ticked = new Set(draft.families);
  const events: string[] = [];
  const add = (p: string) => {
    if (!events.includes(p)) events.push(p);
  };
  for (const family of EVENT_FAMILIES) if (ticked.has(family)) add(`${family}.*`);
  const errors: string[] = [];
  for (const p of parsePatterns(draft.extra)) {
    const problem = patternProblem(p);
    if (problem) errors.push(`events: "${p}" ${problem}`);
    else add(p);
  }
  if (errors.length === 0 && events.length === 0) errors.push("events: tick a family or type a pattern");
  if (events.length > MAX_PATTERNS) errors.push(`events: at most ${MAX_PATTERNS} patterns`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
}

/** The optional signing secret as sent: absent when blank, else it must fit the API's rule. */
export function secretProblem(secret: string): string | null {
  if (secret === "") return null;
  if (secret.length < 16 || secret.length > 128) return "secret: 16 to 128 characters";
  if (!/^[\x21-\x7e]+$/.test(secret)) return "secret: printable ASCII without spaces";
  return null;
}

/** One delivery attempt as the log lists it (WebhookDelivery). */
export interface DeliveryRow {
  eventId: string;
  eventType: string;
  attempt: number;
  status: number | null;
  error: string | null;
  outcome: "delivered" | "retrying" | "dropped";
  at: string;
}

/**
 * The "HTTP status or error" cell: the status, with the error when it says more than the status
 * ("HTTP 503" does not); the error alone when no answer came.
 */
export function deliveryResult(d: Pick<DeliveryRow, "status" | "error">): string {
  if (d.status === null) return d.error ?? "no answer";
  if (d.error === null || d.error === `HTTP ${d.status}`) return String(d.status);
  return `${d.status} (${d.error})`;
}

export type OutcomeCounts = Record<DeliveryRow["outcome"], number>;

/** How many attempts of the log ended each way. */
export function outcomeCounts(rows: readonly Pick<DeliveryRow, "outcome">[]): OutcomeCounts {
  const counts: OutcomeCounts = { delivered: 0, retrying: 0, dropped: 0 };
  for (const r of rows) counts[r.outcome]++;
  return counts;
}

/** Each event's newest attempt (the highest attempt number): where that event's delivery stands. */
export function newestAttempts<T extends Pick<DeliveryRow, "eventId" | "attempt">>(rows: readonly T[]): T[] {
  const newest = new Map<string, T>();
  for (const r of rows) {
    const seen = newest.get(r.eventId);
    if (!seen || r.attempt > seen.attempt) newest.set(r.eventId, r);
  }
  return [...newest.values()];
}

const PLURAL = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const STANDING: Record<DeliveryRow["outcome"], string> = { delivered: "delivered", retrying: "awaiting a retry", dropped: "dropped" };

/**
 * The line above the log, by event rather than by attempt (a refused attempt that was retried is
 * no longer a problem): "2 events, 3 attempts: 2 delivered", "… 1 awaiting a retry", "… 1 dropped".
 */
export function deliverySummary(rows: readonly Pick<DeliveryRow, "eventId" | "attempt" | "outcome">[]): string {
  if (rows.length === 0) return "No delivery attempts yet.";
  const events = newestAttempts(rows);
  const counts = outcomeCounts(events);
  const parts = (Object.keys(counts) as DeliveryRow["outcome"][]).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${STANDING[k]}`);
  return `${PLURAL(events.length, "event")}, ${PLURAL(rows.length, "attempt")}: ${parts.join(", ")}`;
}

/**
 * Whether the open log should poll: retries run from the Durable Object's alarm, which sends no
 * stream event, so only the newest attempt of each event tells whether another is due.
 */
export function awaitingRetry(rows: readonly Pick<DeliveryRow, "eventId" | "attempt" | "outcome">[]): boolean {
  return newestAttempts(rows).some((r) => r.outcome === "retrying");
}

/** The table's scope cell: the rollout a rollout-scoped subscription belongs to, else the environment. */
export function webhookScope(w: { rolloutId: string | null }): string {
  return w.rolloutId === null ? "environment" : `rollout ${w.rolloutId}`;
}
