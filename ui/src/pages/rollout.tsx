/**
 * A rollout's page: state and outcome, the stage stepper, the commands (operator+ on the env, with
 * a reason and expectedStage), pause reasons, one uPlot chart per metric guard with its verdict
 * strip, the health-probe strip, the guard table and the timeline from the audit log. Live: it
 * reloads the status, series and timeline on each admin stream event.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, type Api } from "../api.js";
import { canWrite } from "../flag-table-model.js";
import { useLive } from "../live.js";
import { flagAudit, rolloutCommand, rolloutDetail, rolloutSeries } from "../rollout-api.js";
import { allowedActions, needsExpectedStage, seriesRange } from "../rollout-model.js";
import type { RolloutAction, RolloutDetail, RolloutSeries } from "../rollout-types.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import type { AuditEntry, Principal } from "../types.js";
import { CommandDialog } from "./rollout-command-dialog.js";
import { GuardChart } from "./rollout-chart.js";

const SERIES_REFRESH_MS = 5_000;
const ACTIONS: RolloutAction[] = ["pause", "resume", "promote", "rollback", "cancel"];
const label = (a: RolloutAction) => `${a[0]?.toUpperCase()}${a.slice(1)}`;
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

function Stepper(props: { rollout: RolloutDetail }): JSX.Element {
  const { rollout } = props;
  const started = rollout.startedAt !== null;
  return (
    <ol class="stepper" aria-label="Stages">
      {rollout.stages.map((s, i) => {
        const current = started && i === rollout.stageIndex && !rollout.outcome;
        return (
          <li key={i} class={started && i < rollout.stageIndex ? "done" : ""} aria-current={current ? "step" : undefined}>
            {s.finalBake ? "final bake " : ""}
            {s.percentage} % · {Math.round(s.durationSeconds / 60)} min
          </li>
        );
      })}
    </ol>
  );
}

function Timeline(props: { entries: AuditEntry[] }): JSX.Element {
  if (props.entries.length === 0) return <p>No events yet.</p>;
  return (
    <ol class="timeline" aria-label="Timeline">
      {props.entries.map((e) => (
        <li key={e.seq}>
          {new Date(e.at).toLocaleString()} — <strong>{e.action}</strong> by {e.actor}
          {e.reason ? `: ${e.reason}` : ""}
        </li>
      ))}
    </ol>
  );
}

export function RolloutPage(props: { api: Api; env: string; id: string; principal: Principal }): JSX.Element {
  const { api, env, id } = props;
  const [rollout, setRollout] = useState<RolloutDetail | null>(null);
  const [series, setSeries] = useState<RolloutSeries | null>(null);
  const [events, setEvents] = useState<AuditEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<RolloutAction | null>(null);

  const load = useCallback(() => {
    rolloutDetail(api, env, id).then(
      (next) => {
        setRollout(next);
        setError(null);
        const range = seriesRange(next.startedAt, next.outcome?.at ?? null);
        rolloutSeries(api, env, id, range).then(setSeries, (e: Error) => setError(`series: ${e.message}`));
        const since = Date.parse(next.createdAt ?? next.startedAt ?? "") - 1000;
        flagAudit(api, env, next.flag).then(
          (entries) => setEvents(entries.filter((e) => e.action.startsWith("rollout.") && !(Date.parse(e.at) < since))),
          () => setEvents([]),
        );
      },
      (e: Error) => setError(e.message),
    );
  }, [api, env, id]);
  useEffect(load, [load]);
  useLive(api, env, load);
  // A new metrics minute changes the charts without any stream event (only state changes send
  // one), so an active rollout's page also refreshes on a short timer.
  const active = rollout !== null && rollout.outcome === null;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(load, SERIES_REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, load]);

  if (rollout === null) return error ? <p role="alert">{error}</p> : <p>Loading…</p>;
  const writable = canWrite(props.principal, env);
  const allowed = allowedActions(rollout.state);

  const run = async (action: RolloutAction, reason: string) => {
    try {
      await rolloutCommand(api, env, id, action, reason, needsExpectedStage(action) ? rollout.stageIndex : undefined);
      setNotice(`${label(action)}: done.`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setNotice(`${label(action)} refused: the rollout moved on since you looked (${e.message}). Reloaded — check its stage and try again.`);
      } else throw e;
    } finally {
      load();
    }
  };

  return (
    <section aria-labelledby="rollout-title">
      <p>
        <Link href={href(env, "rollouts")}>← All rollouts</Link>
      </p>
      <h1 id="rollout-title">
        Rollout of {rollout.flag} in {env}
      </h1>
      {error && <p role="alert">{error}</p>}
      {notice && <p role="status">{notice}</p>}
      <dl class="facts">
        <dt>State</dt>
        <dd>
          {rollout.state}
          {rollout.phase ? ` (${rollout.phase})` : ""}
        </dd>
        <dt>Stage</dt>
        <dd>
          {rollout.stage} ({rollout.strategy})
        </dd>
        <dt>Percentage</dt>
        <dd>
          {rollout.percentage} % of contexts get {rollout.variant} (else {rollout.baseline}){" "}
          <progress max={100} value={rollout.percentage} aria-label="rollout progress" />
        </dd>
        <dt>Next</dt>
        <dd>
          {rollout.nextPercentage === null ? "—" : `${rollout.nextPercentage} %`}
          {rollout.timeLeftInStageSeconds !== null && ` in ${Math.ceil(rollout.timeLeftInStageSeconds / 60)} min`}
        </dd>
        <dt>Started</dt>
        <dd>{when(rollout.startedAt)}</dd>
        <dt>Created by</dt>
        <dd>{rollout.createdBy}</dd>
        {rollout.outcome && (
          <>
            <dt>Outcome</dt>
            <dd>
              {rollout.outcome.trigger}: {rollout.outcome.reason} ({when(rollout.outcome.at)})
            </dd>
          </>
        )}
      </dl>
      <Stepper rollout={rollout} />
      <div class="commands" role="group" aria-label="Rollout commands">
        {ACTIONS.map((a) => {
          const enabled = writable && allowed.has(a);
          return (
            <button key={a} type="button" disabled={!enabled} aria-disabled={enabled ? undefined : "true"} onClick={() => setPending(a)}>
              {label(a)}
            </button>
          );
        })}
      </div>
      {pending && (
        <CommandDialog action={pending} flag={rollout.flag} env={env} onConfirm={(reason) => run(pending, reason)} onClose={() => setPending(null)} />
      )}
      {rollout.pauseReasons.length > 0 && (
        <>
          <h2>Pause reasons</h2>
          <ul>
            {rollout.pauseReasons.map((p, i) => (
              <li key={i}>
                {when(p.at)}: {p.reason} by {p.by}
                {p.message ? ` — ${p.message}` : ""}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Guard charts</h2>
      {series?.metricsError && <p role="alert">Metrics unavailable: {series.metricsError}</p>}
      {series === null ? <p>Loading charts…</p> : series.guards.map((g) => <GuardChart key={g.name} series={g} />)}
      {series?.health && (
        <div class="health-strip" aria-label="Health probes">
          <strong>Health probes</strong>
          <span class={`verdict ${series.health.consecutiveFailures === 0 ? "v-ok" : "v-breach"}`}>
            {series.health.consecutiveFailures} / {series.health.failuresToRollback} failed rounds in a row
          </span>
          <span>last round {when(series.health.lastRoundAt)}</span>
        </div>
      )}
      <h2>Guards</h2>
      <table aria-label="Guards">
        <thead>
          <tr>
            <th scope="col">Guard</th>
            <th scope="col">Status</th>
            <th scope="col">Streak</th>
            <th scope="col">Latest minute</th>
          </tr>
        </thead>
        <tbody>
          {rollout.guards.map((g) => {
            const latest = g.verdicts.at(-1);
            return (
              <tr key={g.name}>
                <th scope="row">{g.name}</th>
                <td>
                  <span class={`badge ${g.status === "FIRE" ? "bad" : g.status === "OK" ? "ok" : "warn"}`}>{g.status}</span>
                </td>
                <td>{g.streak}</td>
                <td>{latest ? `${latest.verdict}, ${latest.n} requests` : "no data yet"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Timeline</h2>
      <Timeline entries={events} />
    </section>
  );
}
