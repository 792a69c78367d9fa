/**
 * Schedules: the environment's scheduled changes (docs/schedules.md) in one table — pending first
 * by due time, then the settled ones newest first (schedule-model.ts) — with a State filter, the
 * environment clock every `at` is read on, the "Schedule a change" form (schedule-form.tsx) and a
 * cancel per pending row (schedule-table.tsx). Live through the admin event stream (every
 * schedule event is audited), plus a 1 s poll while one is due within a minute, so APPLIED shows
 * within seconds even if the stream lags.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { hasRole } from "../flag-editor-model.js";
import { useLive } from "../live.js";
import { environmentClock, listSchedules } from "../schedule-api.js";
import { dueSoon, environmentNow, orderSchedules, SCHEDULE_STATES, type Schedule, type ScheduleState } from "../schedule-model.js";
import type { Principal } from "../types.js";
import { EnvironmentClock, type ClockReading } from "./schedule-clock.js";
import { ScheduleForm } from "./schedule-form.js";
import { ScheduleTable } from "./schedule-table.js";

/** How often the page polls while a schedule is about to apply. */
const SHORT_POLL_MS = 1_000;

export function SchedulesPage(props: { api: Api; env: string; principal: Principal }): JSX.Element {
  const { api, env } = props;
  const writable = hasRole(props.principal, env, "operator");
  const [state, setState] = useState<ScheduleState | null>(null);
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [clock, setClock] = useState<ClockReading | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Only the latest request's answer is shown: a slow one made under the previous filter is dropped.
  const requests = useRef(0);
  const loadList = useCallback(() => {
    const request = ++requests.current;
    listSchedules(api, env, state).then(
      (next) => {
        if (request !== requests.current) return;
        setSchedules(orderSchedules(next));
        setError(null);
      },
      (e: Error) => {
        if (request === requests.current) setError(e.message);
      },
    );
  }, [api, env, state]);
  const load = useCallback(() => {
    loadList();
    // The clock moves ahead when a cron tick carries a later time: read it again on every reload.
    environmentClock(api, env).then(setClock, () => setClock(null));
  }, [api, env, loadList]);
  useEffect(load, [load]);
  useLive(api, env, load);

  const soon = schedules !== null && dueSoon(schedules, clock ? environmentNow(clock.clock, clock.readAt, Date.now()) : Date.now());
  useEffect(() => {
    if (!soon) return;
    const timer = setInterval(loadList, SHORT_POLL_MS);
    return () => clearInterval(timer);
  }, [soon, loadList]);

  return (
    <section aria-labelledby="schedules-title">
      <h1 id="schedules-title">Scheduled changes in {env}</h1>
      <EnvironmentClock reading={clock} />
      {error && <p role="alert">{error}</p>}
      <ScheduleForm api={api} env={env} writable={writable} clock={clock} onCreated={load} />
      <div class="schedule-filter field">
        <label for="schedule-state">State</label>
        <select id="schedule-state" value={state ?? ""} onChange={(e) => setState(((e.currentTarget as HTMLSelectElement).value || null) as ScheduleState | null)}>
          <option value="">all</option>
          {SCHEDULE_STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {schedules === null ? <p>Loading…</p> : <ScheduleTable api={api} env={env} writable={writable} schedules={schedules} onChanged={loadList} />}
    </section>
  );
}
