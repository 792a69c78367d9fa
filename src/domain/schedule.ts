/**
 * Scheduled changes (docs/schedules.md): a flag change — enable, disable or a JSON merge patch —
 * that the environment applies by itself at a chosen instant of its clock. This module holds the
 * one schema of each shape (request, record, state), the limits, and the pure rules: which
 * schedules are due at `now` and in what order, when the next one is due, and the plain-data
 * outcome of applying one to a flag. No I/O, no clock reads: time is passed in as `now`.
 */
import { z } from "zod";
import { FlagKey, type Flag } from "./flag.js";
import { patchFlag, type PatchProblem } from "./flag-patch.js";
import { plainText } from "./text.js";

/** At most this many PENDING schedules per environment: the alarm pass and the list stay small. */
export const MAX_PENDING_SCHEDULES = 1_000;
/** How far ahead of the environment clock `at` may be: one year (365 days). */
export const MAX_SCHEDULE_LEAD_MS = 365 * 24 * 60 * 60 * 1000;

export const ScheduleAction = z.enum(["enable", "disable", "patch"]);
export type ScheduleAction = z.infer<typeof ScheduleAction>;

/** PENDING until applied (APPLIED), refused when due (FAILED) or cancelled first (CANCELLED). */
export const ScheduleState = z.enum(["PENDING", "APPLIED", "FAILED", "CANCELLED"]);
export type ScheduleState = z.infer<typeof ScheduleState>;

/** A merge patch of a flag: an object (its fields are checked against the flag it applies to). */
export const SchedulePatch = z.record(z.string(), z.unknown());

/** `POST /envs/{env}/schedules`: what to change, and when (ISO 8601 on the environment clock). */
export const ScheduleRequest = z
  .object({
    at: z.iso.datetime({ offset: true }).describe("when to apply, ISO 8601; read on the environment's clock; at or before now applies at once"),
    flag: FlagKey,
    action: ScheduleAction,
    patch: SchedulePatch.optional().describe('a JSON merge patch of the flag (RFC 7396), as PATCH /envs/{env}/flags/{key} takes; only with action "patch"'),
    reason: plainText(1000).optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.action === "patch" && request.patch === undefined) ctx.addIssue({ code: "custom", path: ["patch"], message: 'action "patch" needs a patch' });
    if (request.action !== "patch" && request.patch !== undefined) ctx.addIssue({ code: "custom", path: ["patch"], message: `action "${request.action}" takes no patch` });
  });
export type ScheduleRequest = z.infer<typeof ScheduleRequest>;

/** A schedule as stored and as the admin API shows it. */
export const Schedule = z.object({
  id: z.string().describe("`sch_<16>`"),
  state: ScheduleState,
  at: z.string().describe("ISO 8601: when it is (or was) due, on the environment clock"),
  flag: FlagKey,
  action: ScheduleAction,
  patch: SchedulePatch.nullable(),
  reason: z.string().nullable(),
  createdBy: z.string().describe("the actor who created it; the applied change is audited as theirs"),
  createdAt: z.string(),
  appliedAt: z.string().nullable().describe("when it was applied or failed"),
  failure: z.string().nullable().describe("why it could not be applied (FAILED)"),
  flagVersion: z.number().int().nullable().describe("the flag's version after the change (APPLIED)"),
  cancelledAt: z.string().nullable(),
  cancelledBy: z.string().nullable(),
});
export type Schedule = z.infer<typeof Schedule>;

/** What can be wrong with a request before anything is stored: a path into the body and why. */
export interface ScheduleProblem {
  readonly path: string;
  readonly message: string;
}

/** `at` as epoch ms. */
export const atMs = (schedule: Pick<Schedule, "at">): number => Date.parse(schedule.at);

/**
 * Why `request` may not be scheduled at `now` with `pending` schedules already waiting, or
 * undefined: `at` at most a year ahead, at most MAX_PENDING_SCHEDULES waiting (a schedule that is
 * already due counts too: it waits until it is applied, an instant later).
 */
export function scheduleLimitProblem(request: Pick<ScheduleRequest, "at">, now: number, pending: number): ScheduleProblem | undefined {
  if (Date.parse(request.at) > now + MAX_SCHEDULE_LEAD_MS) return { path: "at", message: `may be at most 365 days after the environment clock (${new Date(now).toISOString()})` };
  if (pending >= MAX_PENDING_SCHEDULES) return { path: "", message: `the environment already has ${pending} pending schedules; at most ${MAX_PENDING_SCHEDULES}` };
  return undefined;
}

/** The schedules due at `now`, in the order they apply: by `at`, ties by id. Only PENDING ones. */
export function dueSchedules<S extends Pick<Schedule, "id" | "at" | "state">>(schedules: readonly S[], now: number): S[] {
  return schedules.filter((s) => s.state === "PENDING" && atMs(s) <= now).sort(byDueOrder);
}

/** The earliest `at` (epoch ms) of the PENDING schedules, or null when none waits. */
export function nextDueAt(schedules: readonly Pick<Schedule, "at" | "state">[]): number | null {
  let next: number | null = null;
  for (const s of schedules) if (s.state === "PENDING" && (next === null || atMs(s) < next)) next = atMs(s);
  return next;
}

/** Apply order: earlier `at` first; equal `at` by id (code-unit order). */
export function byDueOrder(a: Pick<Schedule, "id" | "at">, b: Pick<Schedule, "id" | "at">): number {
  return atMs(a) - atMs(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The flag a schedule makes of `current`, or why it cannot (a FAILED schedule's `failure`). */
export type ScheduledFlag = { ok: true; flag: Flag } | { ok: false; failure: string; problems: readonly PatchProblem[] };

/**
 * What `schedule` does to `current` (undefined: the flag does not exist, or is archived). Enable
 * and disable set `enabled`; a patch is merged and validated exactly as the PATCH route does.
 */
export function scheduledFlag(schedule: Pick<Schedule, "flag" | "action" | "patch">, current: Flag | undefined): ScheduledFlag {
  if (!current) return { ok: false, failure: `flag "${schedule.flag}" does not exist`, problems: [] };
  if (schedule.action !== "patch") return { ok: true, flag: { ...current, enabled: schedule.action === "enable" } };
  const patched = patchFlag(current, schedule.patch ?? {});
  if (patched.ok) return patched;
  const first = patched.problems[0];
  const where = first === undefined ? "" : `: ${first.path === "" ? "" : `${first.path}: `}${first.message}`;
  return { ok: false, failure: `${patched.message}${where}`, problems: patched.problems };
}

/** The audit action of the flag change a schedule makes (as the same change made by hand). */
export function flagActionOf(action: ScheduleAction): "flag.enabled" | "flag.disabled" | "flag.updated" {
  return action === "enable" ? "flag.enabled" : action === "disable" ? "flag.disabled" : "flag.updated";
}
