/**
 * Overview: the /health checks, and per environment the Durable Object's version against the one
 * published in KV, active rollouts with progress, kill switches pulled and audit rows waiting.
 * Live: each environment's admin event stream reloads it (ui/src/live.ts), and it polls every 10 s
 * so a propagation or an audit flush, which send no event, still shows.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { useLive } from "../live.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import type { FlagView, Rollout, StatusReport } from "../types.js";

const ACTIVE = new Set(["SCHEDULED", "RUNNING", "PAUSED"]);

interface EnvironmentSummary {
  env: string;
  rollouts: Rollout[];
  disabled: string[];
}

/** Keeps the overview live on one environment's event stream (one hook per environment). */
function LiveEnvironment(props: { api: Api; env: string; reload: () => void }): null {
  useLive(props.api, props.env, props.reload);
  return null;
}

export function OverviewPage(props: { api: Api }): JSX.Element {
  const [status, setStatus] = useState<StatusReport | null>(null);
  const [summaries, setSummaries] = useState<EnvironmentSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const next = await props.api.status();
        const perEnv = await Promise.all(
          next.environments.map(async ({ env }) => {
            const [rollouts, flags] = await Promise.all([props.api.rollouts(env), props.api.flags(env)]);
            return {
              env,
              rollouts: rollouts.filter((r) => ACTIVE.has(r.state)),
              disabled: flags.filter((v: FlagView) => !v.flag.enabled).map((v) => v.flag.key),
            };
          }),
        );
        if (!live) return;
        setStatus(next);
        setSummaries(perEnv);
        setError(null);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    };
    void load();
    const timer = setInterval(load, 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [props.api, tick]);

  if (error) return <p role="alert">{error}</p>;
  if (status === null) return <p>Loading…</p>;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {status.environments.map((e) => (
        <LiveEnvironment key={e.env} api={props.api} env={e.env} reload={reload} />
      ))}
      <h2>Health: {status.status}</h2>
      <ul class="checks" aria-label="Health checks">
        {status.checks.map((check) => (
          <li key={check.name} class={check.ok ? "ok" : "bad"}>
            <span class="badge">{check.ok ? "OK" : "FAIL"}</span> {check.name}
            {!check.ok && <span class="detail"> — {check.detail}</span>}
          </li>
        ))}
      </ul>
      <h2>Environments</h2>
      <table aria-label="Environments">
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">Version (DO / KV)</th>
            <th scope="col">Flags</th>
            <th scope="col">Active rollouts</th>
            <th scope="col">Kill switches on</th>
            <th scope="col">Audit rows waiting</th>
          </tr>
        </thead>
        <tbody>
          {status.environments.map((e) => {
            const summary = summaries.find((s) => s.env === e.env);
            return (
              <tr key={e.env}>
                <th scope="row">{e.env}</th>
                <td>
                  {e.version} / {e.snapshotVersion ?? "none"}
                  {e.snapshotVersion !== e.version && <span class="badge warn"> propagating…</span>}
                  {e.lastPublishError && <span class="badge bad"> publish failed: {e.lastPublishError}</span>}
                </td>
                <td>{e.flagCount}</td>
                <td>
                  {summary?.rollouts.length ? (
                    <ul class="plain">
                      {summary.rollouts.map((r) => (
                        <li key={r.id}>
                          <Link href={href(e.env, "rollouts", r.id)}>{r.flag}</Link> {r.state} {r.percentage} %{" "}
                          <progress max={100} value={r.percentage} aria-label={`${r.flag} progress`} />
                        </li>
                      ))}
                    </ul>
                  ) : (
                    "none"
                  )}
                </td>
                <td>
                  {summary?.disabled.length
                    ? summary.disabled.map((key, i) => (
                        <span key={key}>
                          {i > 0 && ", "}
                          <Link href={href(e.env, "flags", key)}>{key}</Link>
                        </span>
                      ))
                    : "none"}
                </td>
                <td>
                  {e.audit.pending}
                  {e.audit.lastFlushError && <span class="badge bad"> {e.audit.lastFlushError}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
