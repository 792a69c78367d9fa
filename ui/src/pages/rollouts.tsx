/**
 * Rollouts: the environment's rollouts (each a link naming its flag) and, for operators, the form
 * that starts one (rollout-start.tsx). A rollout's own page is rollout.tsx.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { useLive } from "../live.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import type { Principal, Rollout } from "../types.js";
import { StartRollout } from "./rollout-start.js";

export function RolloutsPage(props: { api: Api; env: string; principal: Principal }): JSX.Element {
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
      <StartRollout api={api} env={env} principal={props.principal} />
      {rollouts === null ? (
        <p>Loading…</p>
      ) : rollouts.length === 0 ? (
        <p>No rollouts in {env} yet.</p>
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
