/**
 * The guards' warning tier (src/domain/rollout/warnings.ts), pure: a guard over its warning level
 * for WARNING_MINUTES closed minutes of a stage raises one warning for that stage, never pauses,
 * holds or rolls back, and is judged afresh in the next stage.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/rollout/machine.js";
import type { MinuteBucket, Rollout } from "../../../src/domain/rollout/model.js";
import { rolloutStatus } from "../../../src/domain/rollout/status.js";
import { assessWarnings, WARNING_MINUTES, warningText } from "../../../src/domain/rollout/warnings.js";
import { makeRollout, MINUTE, ok, T0, tickInput } from "./fixtures.js";

/** A minute at `errorsPerTenThousand` / 10,000 errors, with latency counts at every threshold the guards read. */
function minute(at: number, errorsPer10k: number, slowShare = { "100": 0, "200": 0 }): MinuteBucket {
  const n = 10_000;
  return { minute: at, requests: n, errors: errorsPer10k, slowerThanMs: { "100": Math.round(slowShare["100"] * n), "200": Math.round(slowShare["200"] * n), "500": 0, "1000": 0 } };
}

/** Started at T0 (stage 0 entered at T0). */
function started(request: Record<string, unknown> = {}): Rollout {
  return ok(decide(makeRollout(request), tickInput(new Map()), T0)).rollout;
}

const series = (from: number, count: number, make: (at: number) => MinuteBucket | undefined): Map<number, MinuteBucket> => {
  const m = new Map<number, MinuteBucket>();
  for (let i = 0; i < count; i++) {
    const b = make(from + i * MINUTE);
    if (b) m.set(b.minute, b);
  }
  return m;
};

describe("warning tier", () => {
  it("0.5 % errors (over the 0.1 % warning, under the 1 % breach) for 3 minutes: one warning, nothing else changes", () => {
    const r = started();
    const buckets = series(T0, 3, (at) => minute(at, 50));
    const d = ok(decide(r, tickInput(buckets), T0 + 3 * MINUTE + 1));
    expect(d.event).toBeNull();
    expect(d.effect).toBeNull();
    expect(d.rollout.state).toBe("RUNNING");
    expect(d.rollout.percentage).toBe(r.percentage);
    expect(d.rollout.version).toBe(r.version);
    expect(d.warnings).toEqual([{ guard: "errorRate", observed: 0.005, threshold: 0.001, stageIndex: 0, since: T0, raisedAt: T0 + 3 * MINUTE + 1 }]);
    expect(d.rollout.warnings).toEqual(d.warnings);
    expect(warningText(d.warnings?.[0] as never)).toBe("errorRate over its warning level: 0.50 % errors (level 0.10 %) for 3+ minutes");

    // Once per guard per stage: later minutes over the level raise nothing more.
    const more = series(T0, 6, (at) => minute(at, 80));
    const again = ok(decide(d.rollout, tickInput(more), T0 + 6 * MINUTE + 1));
    expect(again.warnings ?? []).toEqual([]);
    expect(again.rollout.warnings).toHaveLength(1);
    // The status shows it.
    expect(rolloutStatus(again.rollout, more, T0 + 6 * MINUTE + 1).warnings).toEqual([
      { guard: "errorRate", observed: 0.005, threshold: 0.001, thresholdMs: null, since: new Date(T0).toISOString(), raisedAt: new Date(T0 + 3 * MINUTE + 1).toISOString() },
    ]);
  });

  it(`needs ${WARNING_MINUTES} minutes over the level after the newest one under it; NODATA neither extends nor breaks the run`, () => {
    const r = started();
    expect(assessWarnings(r, series(T0, 2, (at) => minute(at, 50)), T0 + 2 * MINUTE + 1).raised).toEqual([]);
    // over, under, over, over: the run restarted.
    const broken = new Map([[T0, minute(T0, 50)], [T0 + MINUTE, minute(T0 + MINUTE, 0)], [T0 + 2 * MINUTE, minute(T0 + 2 * MINUTE, 50)], [T0 + 3 * MINUTE, minute(T0 + 3 * MINUTE, 50)]]);
    expect(assessWarnings(r, broken, T0 + 4 * MINUTE + 1).raised).toEqual([]);
    // over, (no data), over, over: three over.
    const gap = new Map([[T0, minute(T0, 50)], [T0 + 2 * MINUTE, minute(T0 + 2 * MINUTE, 50)], [T0 + 3 * MINUTE, minute(T0 + 3 * MINUTE, 50)]]);
    expect(assessWarnings(r, gap, T0 + 4 * MINUTE + 1).raised.map((w) => w.guard)).toEqual(["errorRate"]);
    // Under the level (0.05 %): nothing.
    expect(assessWarnings(r, series(T0, 8, (at) => minute(at, 5)), T0 + 8 * MINUTE + 1).raised).toEqual([]);
  });

  it("latency guards warn at their own thresholds (P95 100 ms, P99 200 ms by default), and overrides apply", () => {
    const r = started();
    const slow = series(T0, 3, (at) => minute(at, 0, { "100": 0.2, "200": 0.05 }));
    const raised = assessWarnings(r, slow, T0 + 3 * MINUTE + 1).raised;
    expect(raised.map((w) => [w.guard, w.thresholdMs, w.threshold, w.observed])).toEqual([
      ["p95", 100, 0.05, 0.2],
      ["p99", 200, 0.01, 0.05],
    ]);
    const tuned = started({ guards: { p95: { warning: { thresholdMs: 200, maxRate: 0.1 } }, p99: { warning: { enabled: false } } } });
    expect(assessWarnings(tuned, slow, T0 + 3 * MINUTE + 1).raised).toEqual([]);
  });

  it("a new stage is judged afresh; a terminal rollout is never judged", () => {
    const r = started();
    const warned = assessWarnings(r, series(T0, 3, (at) => minute(at, 50)), T0 + 3 * MINUTE + 1).rollout;
    const next: Rollout = { ...warned, stageIndex: 1, percentage: 50, stageEnteredAt: T0 + 10 * MINUTE };
    const fresh = assessWarnings(next, series(T0, 14, (at) => minute(at, 50)), T0 + 14 * MINUTE + 1);
    expect(fresh.raised.map((w) => [w.guard, w.stageIndex, w.since])).toEqual([["errorRate", 1, T0 + 10 * MINUTE]]);
    expect(fresh.rollout.warnings.map((w) => w.stageIndex)).toEqual([1]);
    const ended: Rollout = { ...warned, state: "ROLLED_BACK" };
    expect(assessWarnings(ended, series(T0, 14, (at) => minute(at, 50)), T0 + 14 * MINUTE + 1)).toEqual({ rollout: ended, raised: [] });
  });

  it("a whole stage between warning and breach advances on time, never paused or rolled back", () => {
    let r = started();
    const actions: string[] = [];
    const warnings: string[] = [];
    const buckets = new Map<number, MinuteBucket>();
    for (let i = 0; i < 12 && r.stageIndex === 0; i++) {
      buckets.set(T0 + i * MINUTE, minute(T0 + i * MINUTE, 50));
      const d = ok(decide(r, tickInput(buckets), T0 + (i + 1) * MINUTE));
      if (d.event) actions.push(d.event.action);
      for (const w of d.warnings ?? []) warnings.push(`${w.guard}@${w.stageIndex}`);
      r = d.rollout;
    }
    expect(actions).toEqual(["stage.advanced"]);
    expect(warnings).toEqual(["errorRate@0"]);
    expect(r.state).toBe("RUNNING");
  });

  it("property: the warning tier never changes what the machine decides", () => {
    const withTier = started();
    const withoutTier = started({ guards: { errorRate: { warning: { enabled: false } }, p95: { warning: { enabled: false } }, p99: { warning: { enabled: false } } } });
    const minuteArb = fc.record({ errors: fc.integer({ min: 0, max: 400 }), s100: fc.double({ min: 0, max: 0.3, noNaN: true }), s200: fc.double({ min: 0, max: 0.05, noNaN: true }), present: fc.boolean() });
    fc.assert(
      fc.property(fc.array(minuteArb, { minLength: 1, maxLength: 25 }), (minutes) => {
        let a = withTier;
        let b = withoutTier;
        const buckets = new Map<number, MinuteBucket>();
        minutes.forEach((m, i) => {
          if (m.present) buckets.set(T0 + i * MINUTE, minute(T0 + i * MINUTE, m.errors, { "100": m.s100, "200": m.s200 }));
          const t = T0 + (i + 1) * MINUTE;
          const da = ok(decide(a, tickInput(buckets), t));
          const db = ok(decide(b, tickInput(buckets), t));
          expect(da.event?.action ?? null).toBe(db.event?.action ?? null);
          expect(da.effect).toEqual(db.effect);
          const { warnings: _wa, guards: _ga, ...restA } = da.rollout;
          const { warnings: _wb, guards: _gb, ...restB } = db.rollout;
          expect(restA).toEqual(restB);
          expect(db.warnings ?? []).toEqual([]);
          a = da.rollout;
          b = db.rollout;
        });
      }),
      { numRuns: 100 },
    );
  });
});
