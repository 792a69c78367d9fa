/**
 * "Schedule a change" on the Schedules page: Flag (the environment's flags), Action, When (a
 * `datetime-local` in the browser's time, sent as ISO 8601 with its offset), the merge patch for
 * "patch", an optional reason. Problems the browser can see (no flag, no time, a patch that is
 * not a JSON object) and the API's refusals are listed alike, `path: message`, in one alert.
 * A read-only token gets the form with every control disabled.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type Api, ApiError } from "../api.js";
import { createSchedule } from "../schedule-api.js";
import { buildRequest, EMPTY_FORM, environmentNow, instantToWall, type Problem, SCHEDULE_ACTIONS, type Schedule, type ScheduleAction, type ScheduleForm as Form } from "../schedule-model.js";
import type { FlagView } from "../types.js";
import type { ClockReading } from "./schedule-clock.js";
import { FlagOptions } from "./table-head.js";

const text = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;
/** A problem's field: the API may prefix paths with `body.`. */
const fieldOf = (p: Problem) => p.path.replace(/^body\./, "").split(".")[0] ?? "";

export function ScheduleForm(props: { api: Api; env: string; writable: boolean; clock: ClockReading | null; onCreated: () => void }): JSX.Element {
  const { api, env } = props;
  const [flags, setFlags] = useState<FlagView[]>([]);
  const [form, setForm] = useState<Form>(EMPTY_FORM);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [created, setCreated] = useState<Schedule | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.flags(env).then(setFlags, (e: Error) => setProblems([{ path: "flag", message: e.message }]));
  }, [api, env]);

  const update = (next: Partial<Form>) => {
    setForm({ ...form, ...next });
    setProblems([]);
  };
  const inOneMinute = () => {
    const now = props.clock ? environmentNow(props.clock.clock, props.clock.readAt, Date.now()) : Date.now();
    update({ when: instantToWall(now + 60_000) });
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setCreated(null);
    const built = buildRequest(form);
    if (!built.ok) return setProblems(built.problems);
    setBusy(true);
    try {
      setCreated(await createSchedule(api, env, built.request));
      setForm({ ...EMPTY_FORM, flag: form.flag, action: form.action });
      props.onCreated();
    } catch (e) {
      setProblems(e instanceof ApiError && e.details.length > 0 ? e.details : [{ path: "", message: (e as Error).message }]);
    } finally {
      setBusy(false);
    }
  };
  const invalid = (field: string) => (problems.some((p) => fieldOf(p) === field) ? { "aria-invalid": "true" as const, "aria-describedby": "schedule-problems" } : {});

  return (
    <section aria-labelledby="schedule-form-title" class="panel">
      <h2 id="schedule-form-title">Schedule a change</h2>
      <form class="schedule-form" onSubmit={submit}>
        <fieldset class="bare" disabled={!props.writable || busy}>
          <div class="form-row">
            <div class="field">
              <label for="schedule-flag">Flag</label>
              <select id="schedule-flag" value={form.flag} onChange={(e) => update({ flag: text(e) })} {...invalid("flag")}>
                <FlagOptions flags={flags} />
              </select>
            </div>
            <div class="field">
              <label for="schedule-action">Action</label>
              <select id="schedule-action" value={form.action} onChange={(e) => update({ action: text(e) as ScheduleAction })}>
                {SCHEDULE_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="schedule-when">When</label>
              <input id="schedule-when" type="datetime-local" step={1} value={form.when} onInput={(e) => update({ when: text(e) })} {...invalid("at")} />
            </div>
            <button type="button" onClick={inOneMinute}>
              In 1 minute
            </button>
          </div>
          {form.action === "patch" && (
            <div class="field">
              <label for="schedule-patch">Patch (JSON merge patch)</label>
              <textarea id="schedule-patch" rows={5} spellcheck={false} value={form.patch} onInput={(e) => update({ patch: text(e) })} {...invalid("patch")} />
            </div>
          )}
          <div class="field">
            <label for="schedule-reason">Reason (optional)</label>
            <input id="schedule-reason" value={form.reason} onInput={(e) => update({ reason: text(e) })} />
          </div>
          <button type="submit" class="primary">
            Schedule
          </button>
        </fieldset>
      </form>
      {problems.length > 0 && (
        <div role="alert" id="schedule-problems" class="error">
          <p>The change was not scheduled:</p>
          <ul>
            {problems.map((p) => (
              <li key={`${p.path}:${p.message}`}>{p.path === "" ? p.message : `${p.path}: ${p.message}`}</li>
            ))}
          </ul>
        </div>
      )}
      {created && (
        <p role="status">
          Scheduled {created.id}: {created.action} {created.flag} at <time dateTime={created.at}>{new Date(created.at).toLocaleString()}</time> ({created.state}).
        </p>
      )}
    </section>
  );
}
