/**
 * Rollouts: the environment's rollouts (each a link naming its flag) and a rollout's page with its
 * state, stage, percentage, pause reasons and guard table. Guard charts come in a later slice.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { useLive } from "../live.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import type { Rollout } from "../types.js";

export function RolloutsPage(props: { api: Api; env: string }): JSX.Element {
  const { api, env } = props;
  const [rollouts, setRollouts] = useState<Rollout[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.rollouts(env).then(
      (next) => {
        setRollouts(next);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, env]);
  useEffect(load, [load]);
  useLive(api, env, load);

  return (
    <section aria-labelledby="rollouts-title">
      <h1 id="rollouts-title">Rollouts in {env}</h1>
      {error && <p role="alert">{error}</p>}
      {rollouts === null ? (
        <p>Loading…</p>
      ) : rollouts.length === 0 ? (
        <p>No rollouts in {env}. Start one with flagctl or the admin API (docs/rollouts.md).</p>
      ) : (
        <table aria-label="Rollouts">
          <thead>
            <tr>
              <th scope="col">Rollout</th>
              <th scope="col">State</th>
              <th scope="col">Stage</th>
              <th scope="col">Percentage</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {rollouts.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <Link href={href(env, "rollouts", r.id)}>
                    {r.flag}: {r.baseline} → {r.variant}
                  </Link>
                </th>
                <td>{r.state}</td>
                <td>{r.stage}</td>
                <td>
                  {r.percentage} % <progress max={100} value={r.percentage} aria-label={`${r.flag} progress`} />
                </td>
                <td>{r.startedAt ? new Date(r.startedAt).toLocaleString() : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function RolloutPage(props: { api: Api; env: string; id: string }): JSX.Element {
  const { api, env, id } = props;
  const [rollout, setRollout] = useState<Rollout | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.rollout(env, id).then(
      (next) => {
        setRollout(next);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, env, id]);
  useEffect(load, [load]);
  useLive(api, env, load);

  if (error) return <p role="alert">{error}</p>;
  if (rollout === null) return <p>Loading…</p>;
  return (
    <section aria-labelledby="rollout-title">
      <p>
        <Link href={href(env, "rollouts")}>← All rollouts</Link>
      </p>
      <h1 id="rollout-title">
        Rollout of {rollout.flag} in {env}
      </h1>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          {rollout.state}
          {rollout.phase ? ` (${rollout.phase})` : ""}
        </dd>
        <dt>Stage</dt>
        <dd>{rollout.stage}</dd>
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
        <dt>Created by</dt>
        <dd>{rollout.createdBy}</dd>
      </dl>
      {rollout.pauseReasons.length > 0 && (
        <>
          <h2>Pause reasons</h2>
          <ul>
            {rollout.pauseReasons.map((p, i) => (
              <li key={i}>
                {new Date(p.at).toLocaleString()}: {p.code ?? ""} {p.message ?? ""}
              </li>
            ))}
          </ul>
        </>
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
    </section>
  );
}
