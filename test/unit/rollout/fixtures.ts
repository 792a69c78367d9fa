/**
 * Shared builders for the rollout unit tests: a flag, rollouts built through the real request
 * schema and `createRollout`, metric buckets, and a scripted clock (`Sim`) that drives `decide`
 * tick by tick and checks the per-transition invariants on every step.
 */
import { expect } from "vitest";
import { Flag, type FlagInput } from "../../../src/domain/flag.js";
import { createRollout } from "../../../src/domain/rollout/create.js";
import { MINUTE } from "../../../src/domain/rollout/guards.js";
import { decide, type Decision, type HealthRound, type Position, type RolloutInput } from "../../../src/domain/rollout/machine.js";
import { RolloutRequest, type MinuteBucket, type Rollout } from "../../../src/domain/rollout/model.js";

export { MINUTE };
export const SECOND = 1_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A Monday, minute-aligned. */
export const T0 = Date.parse("2026-03-02T00:00:00.000Z");

export const IDS = { id: "ro_1", env: "production", by: "user:alice" } as const;

export function makeFlag(overrides: Partial<FlagInput> = {}): Flag {
  return Flag.parse({
    key: "checkout",
    type: "string",
    variants: { old: "v1", new: "v2", other: "v3" },
    offVariant: "old",
    enabled: true,
    fallthrough: { variant: "old" },
    version: 7,
    ...overrides,
  });
}

/** Two 10-minute stages (10 %, 50 %) and a 10-minute final bake, unless overridden. */
export const SHORT_PLAN = {
  strategy: "custom",
  stages: [
    { percentage: 10, durationSeconds: 600 },
    { percentage: 50, durationSeconds: 600 },
  ],
  finalBakeSeconds: 600,
} as const;

export function makeRollout(request: Record<string, unknown> = {}, opts: { now?: number; flag?: Flag } = {}): Rollout {
  const parsed = RolloutRequest.parse({ flag: "checkout", variant: "new", ...SHORT_PLAN, ...request });
  const created = createRollout(parsed, opts.flag ?? makeFlag(), { ...IDS }, opts.now ?? T0);
  if (!created.ok) throw new Error(`createRollout failed: ${JSON.stringify(created.errors)}`);
  return created.rollout;
}

export function bucket(minute: number, requests: number, errors = 0, slow500 = 0, slow1000 = 0): MinuteBucket {
  return { minute, requests, errors, slowerThanMs: { "500": slow500, "1000": slow1000 } };
}
/** Well inside every default guard: 0.2 % errors, 1 % > 500 ms, 0.1 % > 1000 ms. */
export const healthy = (minute: number): MinuteBucket => bucket(minute, 2_000, 4, 20, 2);
/** 10 % errors: every minute BREACHes the error guard; latency is fine. */
export const erroring = (minute: number): MinuteBucket => bucket(minute, 2_000, 200, 20, 2);
/** Too little traffic for any guard: NODATA. */
export const trickle = (minute: number): MinuteBucket => bucket(minute, 20, 0, 0, 0);
export const missing = (): undefined => undefined;

export type MetricFn = (minute: number) => MinuteBucket | undefined;
export type Ok = Extract<Decision, { ok: true }>;

export function ok(d: Decision): Ok {
  if (!d.ok) throw new Error(`expected ok, got ${d.code}: ${d.message}`);
  return d;
}

export const tickInput = (buckets: ReadonlyMap<number, MinuteBucket>, health?: HealthRound): RolloutInput => ({ type: "tick", buckets, health });

export const positionOf = (r: Rollout): Position => ({ state: r.state, phase: r.phase, stageIndex: r.stageIndex, percentage: r.percentage });

/** The invariants every decision must satisfy, whatever the input. */
export function checkDecision(before: Rollout, d: Decision): void {
  if (!d.ok) return;
  if (d.event) {
    expect(d.rollout.version).toBe(before.version + 1);
    expect(d.event.from).toEqual(positionOf(before));
    expect(d.event.to).toEqual(positionOf(d.rollout));
  } else {
    expect(d.rollout.version).toBe(before.version);
    expect(positionOf(d.rollout)).toEqual(positionOf(before));
    expect(d.effect).toBeNull();
  }
}

export interface Recorded {
  readonly t: number;
  readonly decision: Ok;
}

/** A scripted clock and metric source. Buckets are added as their minutes close. */
export class Sim {
  rollout: Rollout;
  t: number;
  readonly buckets = new Map<number, MinuteBucket>();
  /** Decisions that carried an event, in order. */
  readonly transitions: Recorded[] = [];
  last: Ok | undefined;
  metrics: MetricFn;
  private filledUntil: number;

  constructor(rollout: Rollout, metrics: MetricFn = healthy, t = rollout.createdAt) {
    this.rollout = rollout;
    this.t = t;
    this.metrics = metrics;
    this.filledUntil = Math.floor(t / MINUTE) * MINUTE;
  }

  /** Record the buckets of every minute that has closed by `t`. */
  private fill(t: number): void {
    const lastClosed = Math.floor(t / MINUTE) * MINUTE - MINUTE;
    for (let m = this.filledUntil; m <= lastClosed; m += MINUTE) {
      const b = this.metrics(m);
      if (b) this.buckets.set(m, b);
    }
    this.filledUntil = Math.max(this.filledUntil, lastClosed + MINUTE);
  }

  tickAt(t: number, health?: HealthRound): Ok {
    this.fill(t);
    this.t = t;
    return this.apply(tickInput(this.buckets, health));
  }

  /** Apply any input at the current time; refusals are returned and leave the rollout as is. */
  send(input: RolloutInput): Decision {
    const before = this.rollout;
    const d = decide(before, input, this.t);
    checkDecision(before, d);
    if (d.ok) {
      this.rollout = d.rollout;
      this.last = d;
      if (d.event) this.transitions.push({ t: this.t, decision: d });
    }
    return d;
  }

  private apply(input: RolloutInput): Ok {
    return ok(this.send(input));
  }

  /**
   * Tick every `step` ms after the current time up to and including `until`, or until `stop`
   * returns true for a decision (that decision is the last one applied).
   */
  run(until: number, opts: { step?: number; health?: (t: number) => HealthRound | undefined; stop?: (d: Ok) => boolean } = {}): Ok | undefined {
    const step = opts.step ?? MINUTE;
    let last: Ok | undefined;
    for (let t = this.t + step; t <= until; t += step) {
      last = this.tickAt(t, opts.health?.(t));
      if (opts.stop?.(last)) return last;
    }
    return last;
  }

  /** Run until the next transition (or `until`); returns it. */
  runToEvent(until: number, opts: { step?: number; health?: (t: number) => HealthRound | undefined } = {}): Recorded | undefined {
    const before = this.transitions.length;
    this.run(until, { ...opts, stop: (d) => d.event !== null });
    return this.transitions.length > before ? this.transitions[this.transitions.length - 1] : undefined;
  }
}
