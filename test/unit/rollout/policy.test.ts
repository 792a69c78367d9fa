/** The rollout rules around the machine: fallthrough after an effect, lookbacks, thresholds, retention. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MINUTE, WINDOW_MINUTES } from "../../../src/domain/rollout/guards.js";
import {
  DEFAULT_LATENCY_THRESHOLDS_MS, fallthroughAfter, latencyThresholdsFor, METRIC_RETENTION_MS, statusLookbackStart, tickLookbackStart,
} from "../../../src/domain/rollout/policy.js";
import { resolveGuards } from "../../../src/domain/rollout/strategies.js";

const rollout = { variant: "on", baseline: "off", snapshot: { fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 0 } }, flagVersion: 3 } };
const NOW = Date.parse("2026-06-01T12:00:00Z");

describe("fallthroughAfter", () => {
  it("a percentage step splits between the variant and the baseline", () => {
    expect(fallthroughAfter(rollout, { type: "setPercentage", percentage: 25 })).toEqual({ rollout: { variant: "on", baseline: "off", percentage: 25 } });
  });

  it("completion serves the variant to everyone (also contexts without a targetingKey)", () => {
    expect(fallthroughAfter(rollout, { type: "complete" })).toEqual({ variant: "on" });
  });

  it("rollback restores the fallthrough the flag had before the rollout", () => {
    const before = { ...rollout, snapshot: { fallthrough: { variant: "off" }, flagVersion: 1 } };
    expect(fallthroughAfter(before, { type: "restore" })).toEqual({ variant: "off" });
  });

  it("property: a step's percentage is carried as is", () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (percentage) => {
      expect(fallthroughAfter(rollout, { type: "setPercentage", percentage })).toEqual({ rollout: { variant: "on", baseline: "off", percentage } });
    }));
  });
});

describe("lookbacks", () => {
  const guards = resolveGuards(undefined);

  it("a tick reads the whole current stage when it is longer than the telemetry lookback", () => {
    const enteredAt = NOW - 6 * 3_600_000;
    expect(tickLookbackStart({ stageEnteredAt: enteredAt, guards }, NOW)).toBe(enteredAt);
  });

  it("a tick reads at least 15 minutes (the default no-telemetry pause) plus a 2-minute margin", () => {
    expect(tickLookbackStart({ stageEnteredAt: NOW - MINUTE, guards }, NOW)).toBe(NOW - 17 * MINUTE);
    expect(tickLookbackStart({ stageEnteredAt: null, guards }, NOW)).toBe(NOW - 17 * MINUTE);
  });

  it("a longer unknownPauseSeconds reads further back; a shorter one never below 15 minutes", () => {
    expect(tickLookbackStart({ stageEnteredAt: NOW, guards: { ...guards, unknownPauseSeconds: 3_600 } }, NOW)).toBe(NOW - 62 * MINUTE);
    expect(tickLookbackStart({ stageEnteredAt: NOW, guards: { ...guards, unknownPauseSeconds: 60 } }, NOW)).toBe(NOW - 17 * MINUTE);
  });

  it("a status reads the guards' window and the minute in progress", () => {
    expect(statusLookbackStart(NOW)).toBe(NOW - (WINDOW_MINUTES + 1) * MINUTE);
  });

  it("metric buckets outlive any realistic stage: 31 days", () => {
    expect(METRIC_RETENTION_MS).toBe(31 * 86_400_000);
  });
});

describe("latency thresholds counted at ingest", () => {
  it("the defaults are the p95 and p99 guards' (500 ms, 1000 ms) and their warning levels' (100 ms, 200 ms)", () => {
    expect([...DEFAULT_LATENCY_THRESHOLDS_MS].sort((a, b) => a - b)).toEqual([100, 200, 500, 1000]);
    expect(latencyThresholdsFor(undefined).sort((a, b) => a - b)).toEqual([100, 200, 500, 1000]);
  });

  it("an active rollout's own thresholds are added, without duplicates", () => {
    const guards = resolveGuards({ p95: { thresholdMs: 300, warning: { thresholdMs: 150 } }, p99: { thresholdMs: 1_000 } });
    expect(latencyThresholdsFor({ guards }).sort((a, b) => a - b)).toEqual([100, 150, 200, 300, 500, 1000]);
  });
});
