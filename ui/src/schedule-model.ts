/**
 * The Schedules page's pure logic (docs/schedules.md): the order rows are shown in, what a merge
 * patch sets, the outcome column, when the page must poll because a change is about to apply,
 * the environment clock as the browser estimates it, and turning the form into the API's request
 * — above all the `datetime-local` value (browser local time, no zone) into ISO 8601 with an
 * offset. No DOM, no clock reads: the time zone comes in as a function, so tests can pin it.
 */

export type ScheduleAction = "enable" | "disable" | "patch";
export type ScheduleState = "PENDING" | "APPLIED" | "FAILED" | "CANCELLED";

export const SCHEDULE_ACTIONS: readonly ScheduleAction[] = ["enable", "disable", "patch"];
export const SCHEDULE_STATES: readonly ScheduleState[] = ["PENDING", "APPLIED", "FAILED", "CANCELLED"];

/** A schedule as `GET /admin/v1/envs/{env}/schedules` lists it. */
export interface Schedule {
  id: string;
  state: ScheduleState;
  at: string;
  flag: string;
  action: ScheduleAction;
  patch: Record<string, unknown> | null;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  appliedAt: string | null;
  failure: string | null;
  flagVersion: number | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
}

/** `POST /admin/v1/envs/{env}/schedules`. */
export interface ScheduleRequest {
  at: string;
  flag: string;
  action: ScheduleAction;
  patch?: Record<string, unknown>;
  reason?: string;
}

/** A refusal line, shaped as the API's `details[]`, so client-side and server errors list alike. */
export interface Problem {
  path: string;
  message: string;
}

const ms = (iso: string): number => Date.parse(iso);

/** When a settled schedule settled: applied or failed, cancelled, else its due time. */
function settledAt(s: Schedule): number {
  return ms(s.appliedAt ?? s.cancelledAt ?? s.at);
}

/**
 * Row order: PENDING first, soonest due first (ties by id, as the environment applies them);
 * then the settled ones, the most recently settled first (ties: later `at`, then id).
 */
export function compareSchedules(a: Schedule, b: Schedule): number {
  const pa = a.state === "PENDING";
  const pb = b.state === "PENDING";
  if (pa !== pb) return pa ? -1 : 1;
  const byTime = pa ? ms(a.at) - ms(b.at) : settledAt(b) - settledAt(a) || ms(b.at) - ms(a.at);
  return byTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function orderSchedules(schedules: readonly Schedule[]): Schedule[] {
  return [...schedules].sort(compareSchedules);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The paths a JSON merge patch (RFC 7396) touches: `set` the dotted paths it writes (an array or a
 * scalar is written whole), `removed` the ones it deletes (a `null`). An empty object sets nothing.
 */
export function patchPaths(patch: Record<string, unknown>, prefix = ""): { set: string[]; removed: string[] } {
  const set: string[] = [];
  const removed: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (value === null) removed.push(path);
    else if (isObject(value) && Object.keys(value).length > 0) {
      const inner = patchPaths(value, path);
      set.push(...inner.set);
      removed.push(...inner.removed);
    } else set.push(path);
  }
  return { set, removed };
}

/** The patch column: "sets a, b.c; removes d", or "—" for enable/disable. */
export function patchSummary(s: Pick<Schedule, "patch">): string {
  if (s.patch === null) return "—";
  const { set, removed } = patchPaths(s.patch);
  const parts = [set.length ? `sets ${set.join(", ")}` : "", removed.length ? `removes ${removed.join(", ")}` : ""].filter((p) => p !== "");
  return parts.length ? parts.join("; ") : "changes nothing";
}

/** The outcome column: the flag version an APPLIED one made, a FAILED one's failure, who cancelled. */
export function outcome(s: Schedule): string {
  switch (s.state) {
    case "APPLIED":
      return s.flagVersion === null ? "applied" : `flag version ${s.flagVersion}`;
    case "FAILED":
      return s.failure ?? "failed";
    case "CANCELLED":
      return `cancelled by ${s.cancelledBy ?? "unknown"}`;
    default:
      return "—";
  }
}

/** How close to due a PENDING schedule must be for the page to poll (the stream may lag or drop). */
export const DUE_SOON_MS = 60_000;

/** Whether a PENDING schedule is due within `windowMs` of `envNow` (or already overdue). */
export function dueSoon(schedules: readonly Pick<Schedule, "state" | "at">[], envNow: number, windowMs = DUE_SOON_MS): boolean {
  return schedules.some((s) => s.state === "PENDING" && ms(s.at) - envNow <= windowMs);
}

/**
 * The environment clock now, from one reading of it (`clock`, taken at browser time `readAt`):
 * it runs at wall speed between cron ticks, and is never behind the wall clock.
 */
export function environmentNow(clock: number, readAt: number, now: number): number {
  return Math.max(now, clock + (now - readAt));
}

/** Whole minutes the environment clock is ahead of the browser's (0 when within a minute). */
export function minutesAhead(clock: number, readAt: number): number {
  return Math.max(0, Math.floor((clock - readAt) / 60_000));
}

/** A wall-clock reading without a zone, as `<input type="datetime-local">` holds it. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Minutes east of UTC of a wall time in the browser's zone (DST-aware, via the Date constructor). */
export const browserOffsetOfWall = (w: WallTime): number => -new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second).getTimezoneOffset();
/** Minutes east of UTC of the browser's zone at an instant. */
export const browserOffsetAt = (epochMs: number): number => -new Date(epochMs).getTimezoneOffset();

const WALL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

/** Reads a `datetime-local` value ("2026-03-01T09:30", seconds optional); null when it is not one. */
export function parseWallTime(value: string): WallTime | null {
  const m = WALL.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((p) => Number(p ?? "0")) as [number, number, number, number, number, number];
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Reject 2026-02-30 and 25:00, which Date would roll over.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** "+05:30", "-08:00", "+00:00" for minutes east of UTC. */
export function formatOffset(minutesEast: number): string {
  const sign = minutesEast < 0 ? "-" : "+";
  const abs = Math.abs(minutesEast);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * A `datetime-local` value as ISO 8601 with the zone's offset at that wall time
 * ("2026-03-01T09:30:00+01:00"), or null when the value is not a valid wall time.
 */
export function wallToIso(value: string, offsetOfWall: (w: WallTime) => number = browserOffsetOfWall): string | null {
  const w = parseWallTime(value);
  if (!w) return null;
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${formatOffset(offsetOfWall(w))}`;
}

/** An instant as a `datetime-local` value with seconds, in the zone `offsetAt` describes. */
export function instantToWall(epochMs: number, offsetAt: (epochMs: number) => number = browserOffsetAt): string {
  const shifted = new Date(Math.floor(epochMs / 1000) * 1000 + offsetAt(epochMs) * 60_000);
  return shifted.toISOString().slice(0, 19);
}

/** The form's fields as typed. */
export interface ScheduleForm {
  flag: string;
  action: ScheduleAction;
  when: string;
  patch: string;
  reason: string;
}

export const EMPTY_FORM: ScheduleForm = { flag: "", action: "disable", when: "", patch: "{\n  \n}", reason: "" };

/** The patch textarea as a JSON object, or why not. */
export function parsePatch(text: string): { ok: true; patch: Record<string, unknown> } | { ok: false; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not valid JSON (${(e as Error).message})` };
  }
  return isObject(parsed) ? { ok: true, patch: parsed } : { ok: false, message: "a merge patch is a JSON object" };
}

/**
 * The request the form makes, or the problems that keep it from being sent (paths as the API
 * names them: `at`, `flag`, `patch`). Only what the browser alone can tell is checked here; the
 * rest (the flag exists, the patch validates, the lead time) is the API's to refuse.
 */
export function buildRequest(form: ScheduleForm, offsetOfWall: (w: WallTime) => number = browserOffsetOfWall): { ok: true; request: ScheduleRequest } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  if (form.flag === "") problems.push({ path: "flag", message: "choose a flag" });
  const at = wallToIso(form.when, offsetOfWall);
  if (at === null) problems.push({ path: "at", message: "enter a date and time" });
  let patch: Record<string, unknown> | undefined;
  if (form.action === "patch") {
    const parsed = parsePatch(form.patch);
    if (parsed.ok) patch = parsed.patch;
    else problems.push({ path: "patch", message: parsed.message });
  }
  if (problems.length > 0 || at === null) return { ok: false, problems };
  const reason = form.reason.trim();
  return { ok: true, request: { at, flag: form.flag, action: form.action, ...(patch ? { patch } : {}), ...(reason ? { reason } : {}) } };
}
