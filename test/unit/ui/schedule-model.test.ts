/** The Schedules page's pure logic (ui/src/schedule-model.ts): order, patch summary, outcome, polling, local time → ISO. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildRequest,
  dueSoon,
  EMPTY_FORM,
  environmentNow,
  formatOffset,
  instantToWall,
  minutesAhead,
  orderSchedules,
  outcome,
  parsePatch,
  parseWallTime,
  patchPaths,
  patchSummary,
  type Schedule,
  SCHEDULE_STATES,
  type WallTime,
  wallToIso,
} from "../../../ui/src/schedule-model.js";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function schedule(id: string, extra: Partial<Schedule> = {}): Schedule {
  return {
    id,
    state: "PENDING",
    at: iso(T0),
    flag: "banner",
    action: "enable",
    patch: null,
    reason: null,
    createdBy: "admin:bootstrap",
    createdAt: iso(T0 - 60 * MIN),
    appliedAt: null,
    failure: null,
    flagVersion: null,
    cancelledAt: null,
    cancelledBy: null,
    ...extra,
  };
}

describe("orderSchedules", () => {
  it("puts PENDING first by due time (ties by id), then the settled ones newest first", () => {
    const rows = [
      schedule("sch_applied_old", { state: "APPLIED", at: iso(T0 - 50 * MIN), appliedAt: iso(T0 - 50 * MIN) }),
      schedule("sch_late", { at: iso(T0 + 30 * MIN) }),
      schedule("sch_cancelled", { state: "CANCELLED", at: iso(T0 + 90 * MIN), cancelledAt: iso(T0 - 5 * MIN) }),
      schedule("sch_b", { at: iso(T0 + 5 * MIN) }),
      schedule("sch_failed", { state: "FAILED", at: iso(T0 - 20 * MIN), appliedAt: iso(T0 - 20 * MIN) }),
      schedule("sch_a", { at: iso(T0 + 5 * MIN) }),
    ];
    expect(orderSchedules(rows).map((s) => s.id)).toEqual(["sch_a", "sch_b", "sch_late", "sch_cancelled", "sch_failed", "sch_applied_old"]);
  });

  const arbSchedule = fc.record({
    id: fc.stringMatching(/^sch_[a-z0-9]{4}$/),
    state: fc.constantFrom(...SCHEDULE_STATES),
    at: fc.integer({ min: -1000, max: 1000 }),
    settled: fc.integer({ min: -1000, max: 1000 }),
  }).map(({ id, state, at, settled }) =>
    schedule(id, { state, at: iso(T0 + at * MIN), appliedAt: state === "APPLIED" || state === "FAILED" ? iso(T0 + settled * MIN) : null, cancelledAt: state === "CANCELLED" ? iso(T0 + settled * MIN) : null }),
  );

  it("is a permutation with every PENDING row before every other, pending ascending by `at`, and independent of input order", () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbSchedule, { selector: (s) => s.id, maxLength: 30 }), (rows) => {
        const ordered = orderSchedules(rows);
        expect([...ordered].map((s) => s.id).sort()).toEqual(rows.map((s) => s.id).sort());
        const firstSettled = ordered.findIndex((s) => s.state !== "PENDING");
        if (firstSettled >= 0) expect(ordered.slice(firstSettled).every((s) => s.state !== "PENDING")).toBe(true);
        const pending = ordered.filter((s) => s.state === "PENDING").map((s) => Date.parse(s.at));
        expect(pending).toEqual([...pending].sort((a, b) => a - b));
        expect(orderSchedules([...rows].reverse()).map((s) => s.id)).toEqual(ordered.map((s) => s.id));
      }),
    );
  });
});

describe("patchPaths and patchSummary", () => {
  it("names the leaf paths a merge patch sets and the ones it removes (null)", () => {
    const patch = { description: "x", fallthrough: { variant: "on" }, owner: null, tags: ["a"], rules: [], meta: {} };
    expect(patchPaths(patch)).toEqual({ set: ["description", "fallthrough.variant", "tags", "rules", "meta"], removed: ["owner"] });
    expect(patchSummary({ patch })).toBe("sets description, fallthrough.variant, tags, rules, meta; removes owner");
    expect(patchSummary({ patch: { variants: { gone: null } } })).toBe("removes variants.gone");
  });

  it("shows — for enable and disable, and says so for an empty patch", () => {
    expect(patchSummary({ patch: null })).toBe("—");
    expect(patchSummary({ patch: {} })).toBe("changes nothing");
  });
});

describe("outcome", () => {
  it("gives the flag version for APPLIED, the failure for FAILED, the canceller for CANCELLED", () => {
    expect(outcome(schedule("a", { state: "APPLIED", flagVersion: 7 }))).toBe("flag version 7");
    expect(outcome(schedule("b", { state: "FAILED", failure: 'flag "banner" does not exist' }))).toBe('flag "banner" does not exist');
    expect(outcome(schedule("c", { state: "CANCELLED", cancelledBy: "token:ops" }))).toBe("cancelled by token:ops");
    expect(outcome(schedule("d"))).toBe("—");
  });
});

describe("dueSoon and the environment clock", () => {
  it("polls only while a PENDING schedule is due within a minute (or overdue)", () => {
    expect(dueSoon([schedule("a", { at: iso(T0 + 59_000) })], T0)).toBe(true);
    expect(dueSoon([schedule("a", { at: iso(T0 - 5_000) })], T0)).toBe(true);
    expect(dueSoon([schedule("a", { at: iso(T0 + 61_000) })], T0)).toBe(false);
    expect(dueSoon([schedule("a", { at: iso(T0), state: "APPLIED" })], T0)).toBe(false);
    expect(dueSoon([], T0)).toBe(false);
  });

  it("advances one reading of the environment clock at wall speed, never behind the browser", () => {
    expect(environmentNow(T0 + 60 * MIN, T0, T0 + 5_000)).toBe(T0 + 60 * MIN + 5_000);
    expect(environmentNow(T0 - 10_000, T0, T0 + 1_000)).toBe(T0 + 1_000);
    expect(minutesAhead(T0 + 61 * MIN, T0)).toBe(61);
    expect(minutesAhead(T0 + 30_000, T0)).toBe(0);
    expect(minutesAhead(T0 - MIN, T0)).toBe(0);
  });
});

describe("datetime-local ↔ ISO with offset", () => {
  it("reads wall times with or without seconds and refuses impossible ones", () => {
    expect(parseWallTime("2026-03-01T09:30")).toEqual({ year: 2026, month: 3, day: 1, hour: 9, minute: 30, second: 0 });
    expect(parseWallTime("2026-03-01T09:30:15.250")?.second).toBe(15);
    for (const bad of ["", "2026-02-30T10:00", "2026-03-01T24:00", "2026-03-01 09:30", "tomorrow"]) expect(parseWallTime(bad)).toBeNull();
  });

  it("writes the zone's offset at that wall time, including half hours, negative zones and DST", () => {
    expect(formatOffset(0)).toBe("+00:00");
    expect(formatOffset(330)).toBe("+05:30");
    expect(formatOffset(-480)).toBe("-08:00");
    expect(wallToIso("2026-03-01T09:30", () => 330)).toBe("2026-03-01T09:30:00+05:30");
    expect(Date.parse(wallToIso("2026-03-01T09:30", () => 330) ?? "")).toBe(Date.parse("2026-03-01T04:00:00Z"));
    // A zone on summer time from April: the offset follows the wall time entered.
    const berlin = (w: WallTime) => (w.month >= 4 && w.month <= 10 ? 120 : 60);
    expect(wallToIso("2026-07-01T12:00:05", berlin)).toBe("2026-07-01T12:00:05+02:00");
    expect(wallToIso("2026-01-01T12:00", berlin)).toBe("2026-01-01T12:00:00+01:00");
    expect(wallToIso("not a time", berlin)).toBeNull();
  });

  it("round-trips an instant through the input (to the second) in any fixed-offset zone", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2000-01-01T00:00:00Z"), max: Date.parse("2099-12-31T00:00:00Z") }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (instant, offset) => {
        const wall = instantToWall(instant, () => offset);
        const back = wallToIso(wall, () => offset);
        expect(back).not.toBeNull();
        expect(Date.parse(back ?? "")).toBe(Math.floor(instant / 1000) * 1000);
      }),
    );
  });
});

describe("buildRequest", () => {
  const utc = () => 0;

  it("builds the API's request: ISO `at` with offset, the patch only for patch, the reason when given", () => {
    expect(buildRequest({ ...EMPTY_FORM, flag: "banner", action: "disable", when: "2026-03-01T10:00", reason: "  end  " }, utc)).toEqual({
      ok: true,
      request: { at: "2026-03-01T10:00:00+00:00", flag: "banner", action: "disable", reason: "end" },
    });
    expect(buildRequest({ ...EMPTY_FORM, flag: "banner", action: "patch", when: "2026-03-01T10:00", patch: '{"description":"x"}' }, utc)).toEqual({
      ok: true,
      request: { at: "2026-03-01T10:00:00+00:00", flag: "banner", action: "patch", patch: { description: "x" } },
    });
  });

  it("lists what the browser can tell is wrong, by the API's field names", () => {
    const built = buildRequest({ ...EMPTY_FORM, action: "patch", when: "", patch: "{not json" }, utc);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.problems.map((p) => p.path)).toEqual(["flag", "at", "patch"]);
    expect(parsePatch("[1]")).toEqual({ ok: false, message: "a merge patch is a JSON object" });
    expect(parsePatch("{oops").ok).toBe(false);
    // The patch text is ignored unless the action is patch.
    expect(buildRequest({ ...EMPTY_FORM, flag: "f", action: "enable", when: "2026-03-01T10:00", patch: "{oops" }, utc).ok).toBe(true);
  });
});
