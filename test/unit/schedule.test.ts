/**
 * The pure rules of scheduled changes (src/domain/schedule.ts): which schedules are due at `now`
 * and in what order (by `at`, ties by id), the next due time, the limits, what a schedule makes of
 * a flag, and the request schema's refinements. Absolute dates are fine here: `now` is passed in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Flag } from "../../src/domain/flag.js";
import {
  byDueOrder, dueSchedules, flagActionOf, MAX_PENDING_SCHEDULES, MAX_SCHEDULE_LEAD_MS, nextDueAt, scheduledFlag, scheduleLimitProblem, ScheduleRequest,
  type ScheduleState,
} from "../../src/domain/schedule.js";
import { booleanFlag } from "../support/flags.js";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const s = (id: string, atMs: number, state: ScheduleState = "PENDING") => ({ id, at: new Date(atMs).toISOString(), state });

const arbitrarySchedules = fc.array(
  fc.record({
    id: fc.stringMatching(/^sch_[A-Za-z0-9]{1,4}$/),
    // Few distinct times, so ties happen.
    offset: fc.integer({ min: -3, max: 3 }).map((n) => n * 1000),
    state: fc.constantFrom<ScheduleState>("PENDING", "PENDING", "APPLIED", "FAILED", "CANCELLED"),
  }),
  { maxLength: 30 },
).map((rows) => rows.map((r) => s(r.id, NOW + r.offset, r.state)));

describe("dueSchedules", () => {
  it("picks the PENDING ones at or before now, earliest first, ties by id", () => {
    const list = [s("sch_b", NOW), s("sch_late", NOW + 1), s("sch_a", NOW), s("sch_early", NOW - 5_000), s("sch_done", NOW - 9_000, "APPLIED"), s("sch_x", NOW - 1, "CANCELLED")];
    expect(dueSchedules(list, NOW).map((x) => x.id)).toEqual(["sch_early", "sch_a", "sch_b"]);
    expect(dueSchedules(list, NOW - 6_000)).toEqual([]);
    expect(dueSchedules(list, NOW + 1).map((x) => x.id)).toEqual(["sch_early", "sch_a", "sch_b", "sch_late"]);
  });

  it("property: the result is sorted, complete, and independent of the input order", () => {
    fc.assert(
      fc.property(arbitrarySchedules, fc.integer({ min: -4_000, max: 4_000 }), (list, delta) => {
        const now = NOW + delta;
        const due = dueSchedules(list, now);
        for (let i = 1; i < due.length; i++) expect(byDueOrder(due[i - 1] as (typeof due)[number], due[i] as (typeof due)[number])).toBeLessThanOrEqual(0);
        expect(due.length).toBe(list.filter((x) => x.state === "PENDING" && Date.parse(x.at) <= now).length);
        expect(dueSchedules([...list].reverse(), now).map((x) => `${x.id}@${x.at}`)).toEqual(due.map((x) => `${x.id}@${x.at}`));
      }),
    );
  });
});

describe("nextDueAt", () => {
  it("is the earliest PENDING `at`, or null", () => {
    expect(nextDueAt([])).toBeNull();
    expect(nextDueAt([s("a", NOW, "APPLIED")])).toBeNull();
    expect(nextDueAt([s("a", NOW + 5), s("b", NOW - 3_000, "CANCELLED"), s("c", NOW + 2)])).toBe(NOW + 2);
  });

  it("property: it is the `at` of the first schedule due once everything is due", () => {
    fc.assert(
      fc.property(arbitrarySchedules, (list) => {
        const first = dueSchedules(list, Number.MAX_SAFE_INTEGER)[0];
        expect(nextDueAt(list)).toBe(first === undefined ? null : Date.parse(first.at));
      }),
    );
  });
});

describe("scheduleLimitProblem", () => {
  it("refuses `at` more than 365 days after now, and a full environment", () => {
    expect(scheduleLimitProblem({ at: new Date(NOW + MAX_SCHEDULE_LEAD_MS).toISOString() }, NOW, 0)).toBeUndefined();
    expect(scheduleLimitProblem({ at: new Date(NOW + MAX_SCHEDULE_LEAD_MS + 1).toISOString() }, NOW, 0)?.path).toBe("at");
    expect(scheduleLimitProblem({ at: new Date(NOW - 1).toISOString() }, NOW, MAX_PENDING_SCHEDULES - 1)).toBeUndefined();
    expect(scheduleLimitProblem({ at: new Date(NOW).toISOString() }, NOW, MAX_PENDING_SCHEDULES)?.message).toMatch(/1000/);
  });
});

describe("scheduledFlag", () => {
  const flag = Flag.parse({ ...booleanFlag("f"), variants: { on: true, off: false }, version: 3, updatedAt: "2026-05-01T00:00:00.000Z" });

  it("enable/disable set `enabled`; a patch merges and validates like the PATCH route", () => {
    expect(scheduledFlag({ flag: "f", action: "disable", patch: null }, flag)).toMatchObject({ ok: true, flag: { enabled: false } });
    expect(scheduledFlag({ flag: "f", action: "enable", patch: null }, { ...flag, enabled: false })).toMatchObject({ ok: true, flag: { enabled: true } });
    expect(scheduledFlag({ flag: "f", action: "patch", patch: { description: "x", tags: null } }, flag)).toMatchObject({ ok: true, flag: { description: "x", enabled: true } });
  });

  it("fails with a reason: no flag, an invalid result, a changed key", () => {
    expect(scheduledFlag({ flag: "f", action: "enable", patch: null }, undefined)).toEqual({ ok: false, failure: 'flag "f" does not exist', problems: [] });
    const invalid = scheduledFlag({ flag: "f", action: "patch", patch: { fallthrough: { variant: "gone" } } }, flag);
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) {
      expect(invalid.problems.map((p) => p.path)).toEqual(["fallthrough.variant"]);
      expect(invalid.failure).toMatch(/fallthrough\.variant: unknown variant "gone"/);
    }
    expect(scheduledFlag({ flag: "f", action: "patch", patch: { key: "g" } }, flag)).toMatchObject({ ok: false, problems: [{ path: "key" }] });
  });

  it("audits as the same change made by hand", () => {
    expect([flagActionOf("enable"), flagActionOf("disable"), flagActionOf("patch")]).toEqual(["flag.enabled", "flag.disabled", "flag.updated"]);
  });
});

describe("ScheduleRequest", () => {
  const base = { at: "2026-06-01T12:00:00Z", flag: "f" };
  it("needs a patch exactly for action patch, an ISO time with an offset, and no unknown fields", () => {
    expect(ScheduleRequest.safeParse({ ...base, action: "enable" }).success).toBe(true);
    expect(ScheduleRequest.safeParse({ ...base, at: "2026-06-01T14:00:00+02:00", action: "patch", patch: {} }).success).toBe(true);
    const paths = (v: unknown) => (ScheduleRequest.safeParse(v).error?.issues ?? []).map((i) => i.path.join("."));
    expect(paths({ ...base, action: "patch" })).toEqual(["patch"]);
    expect(paths({ ...base, action: "disable", patch: {} })).toEqual(["patch"]);
    expect(paths({ ...base, at: "2026-06-01 12:00", action: "enable" })).toEqual(["at"]);
    expect(paths({ ...base, action: "enable", extra: 1 })).toEqual([""]);
  });
});
