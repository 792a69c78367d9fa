/**
 * The scheduled-change calls of the admin API (docs/schedules.md), through the dashboard's Api
 * client: list (with the state filter), create, cancel, and the environment clock from
 * `GET /admin/v1/status`, on which every `at` is read.
 */
import type { Api } from "./api.js";
import type { Schedule, ScheduleRequest, ScheduleState } from "./schedule-model.js";

const base = (env: string) => `/admin/v1/envs/${encodeURIComponent(env)}/schedules`;

export async function listSchedules(api: Api, env: string, state: ScheduleState | null): Promise<Schedule[]> {
  const query = state === null ? "" : `?${new URLSearchParams({ state })}`;
  return (await api.request<{ schedules: Schedule[] }>("GET", `${base(env)}${query}`)).schedules;
}

export function createSchedule(api: Api, env: string, request: ScheduleRequest): Promise<Schedule> {
  return api.request("POST", base(env), request);
}

export function cancelSchedule(api: Api, env: string, id: string, reason: string): Promise<Schedule> {
  const query = reason.trim() === "" ? "" : `?${new URLSearchParams({ reason: reason.trim() })}`;
  return api.request("DELETE", `${base(env)}/${encodeURIComponent(id)}${query}`);
}

/** The environment clock (epoch ms) and the browser time it was read at; null when status omits it. */
export async function environmentClock(api: Api, env: string): Promise<{ clock: number; readAt: number } | null> {
  const report = await api.request<{ environments: { env: string; clock?: number }[] }>("GET", "/admin/v1/status");
  const clock = report.environments.find((e) => e.env === env)?.clock;
  return typeof clock === "number" ? { clock, readAt: Date.now() } : null;
}
