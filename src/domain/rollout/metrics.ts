/**
 * The metrics ingest wire shape (docs/rollouts.md, "Metrics") and how it folds into per-minute bucket deltas.
 * Raw events count into the minute they happened in; their latency counts against every
 * threshold the flag's guards use (500 and 1000 ms by default).
 */
import { z } from "zod";
import { FlagKey, VariantName } from "../flag.js";
import { EnvironmentName } from "../snapshot.js";
import { MINUTE } from "./guards.js";

const Instant = z.union([
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.number().int().nonnegative().max(8_640_000_000_000_000),
]);
const Count = z.number().int().nonnegative().max(1_000_000_000);

export const MetricSample = z
  .object({
    flag: FlagKey,
    variant: VariantName,
    minute: Instant,
    requests: Count,
    errors: Count,
    slowerThanMs: z.record(z.string().regex(/^[1-9]\d{0,6}$/, "thresholds are whole milliseconds"), Count).default({}),
  })
  .superRefine((s, ctx) => {
    if (s.errors > s.requests) ctx.addIssue({ code: "custom", path: ["errors"], message: "errors cannot exceed requests" });
    for (const [ms, n] of Object.entries(s.slowerThanMs)) {
      if (n > s.requests) ctx.addIssue({ code: "custom", path: ["slowerThanMs", ms], message: "cannot exceed requests" });
    }
  });

export const MetricEvent = z.object({
  flag: FlagKey,
  variant: VariantName,
  at: Instant,
  error: z.boolean(),
  latencyMs: z.number().nonnegative().max(3_600_000).optional(),
});

/** Per request: pre-aggregated samples, and raw events (kept low, as each is folded one by one). */
export const MAX_SAMPLES_PER_REQUEST = 1_000;
export const MAX_EVENTS_PER_REQUEST = 1_000;

export const MetricsIngest = z
  .object({
    env: EnvironmentName.optional(),
    samples: z.array(MetricSample).max(MAX_SAMPLES_PER_REQUEST).default([]),
    events: z.array(MetricEvent).max(MAX_EVENTS_PER_REQUEST).default([]),
  })
  .refine((b) => b.samples.length + b.events.length > 0, { message: "send at least one sample or event", path: ["samples"] });
export type MetricsIngest = z.infer<typeof MetricsIngest>;

export interface Delta {
  readonly flag: string;
  readonly variant: string;
  readonly minute: number;
  readonly requests: number;
  readonly errors: number;
  readonly slowerThanMs: Record<string, number>;
}

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE) * MINUTE;

/** Folds samples and events into one delta per (flag, variant, minute). */
export function toDeltas(body: MetricsIngest, thresholdsFor: (flag: string) => readonly number[]): Delta[] {
  const deltas = new Map<string, Delta>();
  const at = (flag: string, variant: string, minute: number): Delta => {
    const key = `${flag}\u0000${variant}\u0000${minute}`;
    let d = deltas.get(key);
    if (!d) {
      d = { flag, variant, minute, requests: 0, errors: 0, slowerThanMs: {} };
      deltas.set(key, d);
    }
    return d;
  };
  for (const s of body.samples) {
    const d = at(s.flag, s.variant, minuteOf(s.minute));
    deltas.set(`${s.flag}\u0000${s.variant}\u0000${d.minute}`, {
      ...d,
      requests: d.requests + s.requests,
      errors: d.errors + s.errors,
      slowerThanMs: mergeCounts(d.slowerThanMs, s.slowerThanMs),
    });
  }
  for (const e of body.events) {
    const d = at(e.flag, e.variant, minuteOf(e.at));
    const slower: Record<string, number> = {};
    for (const ms of thresholdsFor(e.flag)) slower[String(ms)] = e.latencyMs !== undefined && e.latencyMs > ms ? 1 : 0;
    deltas.set(`${e.flag}\u0000${e.variant}\u0000${d.minute}`, {
      ...d,
      requests: d.requests + 1,
      errors: d.errors + (e.error ? 1 : 0),
      slowerThanMs: e.latencyMs === undefined ? d.slowerThanMs : mergeCounts(d.slowerThanMs, slower),
    });
  }
  return [...deltas.values()];
}

function mergeCounts(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}
