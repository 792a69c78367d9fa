/**
 * Which ingested metric buckets an environment keeps: those of an active rollout's new variant or
 * baseline; everything else is dropped and counted.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_EVENTS_PER_REQUEST, MetricsIngest } from "../../../src/domain/rollout/metrics.js";
import { keptPairs, scopeDeltas, type ScopedRollout } from "../../../src/domain/rollout/metrics-scope.js";
import { RolloutState, TERMINAL_STATES } from "../../../src/domain/rollout/model.js";
import { T0 } from "./fixtures.js";

const delta = (flag: string, variant: string, minute = T0) => ({ flag, variant, minute, requests: 1, errors: 0, slowerThanMs: {} });
const checkout: ScopedRollout = { flag: "checkout", variant: "new", baseline: "old", state: "RUNNING" };

describe("scopeDeltas", () => {
  it("keeps the variant and the baseline of an active rollout, drops other variants and other flags", () => {
    const { kept, dropped } = scopeDeltas([checkout], [
      delta("checkout", "new"), delta("checkout", "old"), delta("checkout", "other"), delta("unknown_flag", "new"), delta("new", "checkout"),
    ]);
    expect(kept.map((d) => `${d.flag}/${d.variant}`)).toEqual(["checkout/new", "checkout/old"]);
    expect(dropped).toBe(3);
  });

  it("counts a SCHEDULED or PAUSED rollout as active, and no terminal one", () => {
    for (const state of ["SCHEDULED", "RUNNING", "PAUSED"] as const) {
      expect(scopeDeltas([{ ...checkout, state }], [delta("checkout", "new")]).kept, state).toHaveLength(1);
    }
    for (const state of TERMINAL_STATES) {
      expect(scopeDeltas([{ ...checkout, state }], [delta("checkout", "new"), delta("checkout", "old")]), state).toEqual({ kept: [], dropped: 2 });
    }
  });

  it("drops everything when no rollout is active", () => {
    expect(scopeDeltas([], [delta("checkout", "new"), delta("checkout", "new", T0 + 60_000)])).toEqual({ kept: [], dropped: 2 });
  });

  it("property: kept + dropped is the input, and a delta is kept exactly when an active rollout's variant or baseline is its pair", () => {
    const name = fc.constantFrom("a", "b", "c");
    const rollout = fc.record({ flag: name, variant: name, baseline: name, state: fc.constantFrom(...RolloutState.options) });
    const d = fc.record({ flag: name, variant: name, minute: fc.integer({ min: 0, max: 3 }).map((i) => T0 + i * 60_000) });
    fc.assert(
      fc.property(fc.array(rollout, { maxLength: 4 }), fc.array(d, { maxLength: 20 }), (rollouts, ds) => {
        const deltas = ds.map((x) => delta(x.flag, x.variant, x.minute));
        const { kept, dropped } = scopeDeltas(rollouts, deltas);
        expect(kept.length + dropped).toBe(deltas.length);
        const owns = (x: { flag: string; variant: string }) =>
          rollouts.some((r) => !TERMINAL_STATES.includes(r.state) && r.flag === x.flag && (r.variant === x.variant || r.baseline === x.variant));
        expect(kept).toEqual(deltas.filter(owns));
        expect(keptPairs(rollouts).size).toBeLessThanOrEqual(2 * rollouts.length);
      }),
    );
  });
});

describe("per-request caps", () => {
  const event = { flag: "checkout", variant: "new", at: T0, error: false };
  it(`refuses more than ${MAX_EVENTS_PER_REQUEST} raw events, naming the field`, () => {
    expect(MetricsIngest.safeParse({ events: Array.from({ length: MAX_EVENTS_PER_REQUEST }, () => event) }).success).toBe(true);
    const over = MetricsIngest.safeParse({ events: Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => event) });
    expect(over.error?.issues.map((i) => i.path)).toEqual([["events"]]);
  });
});
