/** The rollout page's pure shaping (ui/src/rollout-model.ts): chart columns, verdict strip, series window, commands. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allowedActions, chartColumns, latestStreak, needsExpectedStage, seriesRange, verdictStrip } from "../../../ui/src/rollout-model.js";
import type { GuardSeries, SeriesPoint, Verdict } from "../../../ui/src/rollout-types.js";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const MIN = 60_000;

function point(i: number, verdict: Verdict, extra: Partial<SeriesPoint> = {}): SeriesPoint {
  return {
    minute: new Date(T0 + i * MIN).toISOString(),
    requests: 2000,
    events: 40,
    rate: 0.02,
    lowerBound: 0.0151,
    threshold: 0.01,
    verdict,
    streak: 0,
    status: "OK",
    ...extra,
  };
}

const series = (points: SeriesPoint[]): GuardSeries => ({ name: "errorRate", threshold: 0.01, thresholdMs: null, minSamples: 100, points });

describe("chartColumns", () => {
  it("aligns epoch seconds with rate, lower bound and threshold in % and the requests", () => {
    const columns = chartColumns(series([point(0, "BREACH"), point(1, "NODATA", { requests: 0, events: null, rate: null, lowerBound: null })]));
    expect(columns).toEqual([
      [T0 / 1000, T0 / 1000 + 60],
      [2, null],
      [1.51, null],
      [1, 1],
      [2000, 0],
    ]);
  });

  it("gives every column one value per point", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Verdict>("BREACH", "OK", "NODATA", "UNKNOWN"), { maxLength: 50 }), (verdicts) => {
        const columns = chartColumns(series(verdicts.map((v, i) => point(i, v))));
        for (const column of columns) expect(column).toHaveLength(verdicts.length);
      }),
    );
  });
});

describe("verdictStrip", () => {
  it("merges runs of the same verdict and keeps the streak at each run's end", () => {
    const strip = verdictStrip(
      series([point(0, "NODATA"), point(1, "BREACH", { streak: 1 }), point(2, "BREACH", { streak: 2 }), point(3, "OK", { streak: 2 })]),
    );
    expect(strip).toEqual([
      { verdict: "NODATA", from: new Date(T0).toISOString(), minutes: 1, streak: 0 },
      { verdict: "BREACH", from: new Date(T0 + MIN).toISOString(), minutes: 2, streak: 2 },
      { verdict: "OK", from: new Date(T0 + 3 * MIN).toISOString(), minutes: 1, streak: 2 },
    ]);
  });

  it("covers every minute once, with no two neighbours alike", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Verdict>("BREACH", "OK", "NODATA", "UNKNOWN"), { maxLength: 60 }), (verdicts) => {
        const strip = verdictStrip(series(verdicts.map((v, i) => point(i, v))));
        expect(strip.reduce((n, s) => n + s.minutes, 0)).toBe(verdicts.length);
        for (let i = 1; i < strip.length; i++) expect(strip[i]?.verdict).not.toBe(strip[i - 1]?.verdict);
      }),
    );
  });
});

describe("latestStreak", () => {
  it("is the newest point's streak and status, or nothing without points", () => {
    expect(latestStreak(series([point(0, "BREACH", { streak: 1, status: "PENDING" }), point(1, "BREACH", { streak: 3, status: "FIRE" })]))).toEqual({ streak: 3, status: "FIRE" });
    expect(latestStreak(series([]))).toEqual({ streak: 0, status: "OK" });
  });
});

describe("seriesRange", () => {
  it("asks for nothing (the environment's last hour) while a rollout is not over", () => {
    expect(seriesRange(null, null)).toBeNull();
    expect(seriesRange(new Date(T0).toISOString(), null)).toBeNull();
  });

  it("charts an ended rollout from its start minute to the minute after its outcome", () => {
    expect(seriesRange(new Date(T0 + 30_000).toISOString(), new Date(T0 + 12 * MIN).toISOString())).toEqual({ from: T0, to: T0 + 13 * MIN });
  });

  it("keeps within the endpoint's 24 h", () => {
    const range = seriesRange(new Date(T0).toISOString(), new Date(T0 + 3 * 24 * 60 * MIN).toISOString());
    expect(range && range.to - range.from).toBe(24 * 60 * MIN);
  });
});

describe("allowedActions", () => {
  it("offers nothing on a finished rollout, resume only when paused, pause only when running", () => {
    for (const state of ["COMPLETED", "ROLLED_BACK", "CANCELLED"]) expect([...allowedActions(state)]).toEqual([]);
    expect(allowedActions("PAUSED").has("resume")).toBe(true);
    expect(allowedActions("PAUSED").has("pause")).toBe(false);
    expect(allowedActions("RUNNING").has("pause")).toBe(true);
    expect(allowedActions("RUNNING").has("resume")).toBe(false);
    expect([...allowedActions("SCHEDULED")]).toEqual(["cancel"]);
  });

  it("sends expectedStage with resume and promote only", () => {
    expect(["pause", "resume", "promote", "rollback", "cancel"].filter((a) => needsExpectedStage(a as "pause"))).toEqual(["resume", "promote"]);
  });
});
