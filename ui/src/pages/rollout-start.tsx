/**
 * Starting a rollout from the Rollouts page (operator+ on the env): flag, variant and strategy,
 * a dry-run plan preview (stages, percentages, times), then "Start", which opens the new rollout.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { canWrite } from "../flag-table-model.js";
import { startRollout, type StartRequest } from "../rollout-api.js";
import type { RolloutPlan } from "../rollout-types.js";
import { href } from "../routes.js";
import { navigate } from "../router.js";
import type { FlagView, Principal } from "../types.js";
import { FlagOptions } from "./table-head.js";

const STRATEGIES: StartRequest["strategy"][] = ["safe", "fast", "instant"];
const value = (e: Event) => (e.currentTarget as HTMLSelectElement).value;
/** A seconds field: a whole number, or absent (the strategy's default) when empty; other text is sent for the API to refuse. */
const seconds = (text: string): number | undefined => (text.trim() === "" ? undefined : Number(text));

export function StartRollout(props: { api: Api; env: string; principal: Principal }): JSX.Element | null {
  const { api, env } = props;
  const writable = canWrite(props.principal, env);
  const [flags, setFlags] = useState<FlagView[]>([]);
  const [request, setRequest] = useState<StartRequest>({ flag: "", variant: "", strategy: "safe" });
  const [plan, setPlan] = useState<RolloutPlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (writable) api.flags(env).then(setFlags, (e: Error) => setError(e.message));
  }, [api, env, writable]);
  if (!writable) return null;

  const flag = flags.find((f) => f.flag.key === request.flag)?.flag;
  const update = (next: Partial<StartRequest>) => {
    setRequest({ ...request, ...next });
    setPlan(null);
    setError(null);
  };
  const call = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await startRollout(api, env, request, dryRun);
      if (dryRun) setPlan(answer.plan);
      else if (answer.rollout) navigate(href(env, "rollouts", answer.rollout.id));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="start-title" class="panel">
      <h2 id="start-title">Start a rollout</h2>
      <form
        class="start-form"
        onSubmit={(e) => {
          e.preventDefault();
          void call(true);
        }}
      >
        <div class="field">
          <label for="start-flag">Flag</label>
          <select id="start-flag" value={request.flag} onChange={(e) => update({ flag: value(e), variant: "" })} required>
            <FlagOptions flags={flags} />
          </select>
        </div>
        <div class="field">
          <label for="start-variant">Variant</label>
          <select id="start-variant" value={request.variant} onChange={(e) => update({ variant: value(e) })} required disabled={!flag}>
            <option value="">choose…</option>
            {Object.keys(flag?.variants ?? {}).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="start-strategy">Strategy</label>
          <select id="start-strategy" value={request.strategy} onChange={(e) => update({ strategy: value(e) as StartRequest["strategy"] })}>
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="start-min-stage">Minimum stage duration (s, optional)</label>
          <input id="start-min-stage" inputMode="numeric" size={8} value={request.minStageDurationSeconds ?? ""} onInput={(e) => update({ minStageDurationSeconds: seconds(value(e)) })} />
        </div>
        <div class="field">
          <label for="start-final-bake">Final bake (s, optional)</label>
          <input id="start-final-bake" inputMode="numeric" size={8} value={request.finalBakeSeconds ?? ""} onInput={(e) => update({ finalBakeSeconds: seconds(value(e)) })} />
        </div>
        <div class="field">
          <label for="start-reason">Start reason (optional)</label>
          <input id="start-reason" value={request.reason ?? ""} onInput={(e) => update({ reason: value(e).trim() === "" ? undefined : value(e) })} />
        </div>
        <button type="submit" disabled={busy || request.flag === "" || request.variant === ""}>
          Preview plan
        </button>
      </form>
      {error && <p role="alert">{error}</p>}
      {plan && (
        <div class="plan">
          <table aria-label="Plan">
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Percentage</th>
                <th scope="col">Starts</th>
                <th scope="col">Ends</th>
              </tr>
            </thead>
            <tbody>
              {plan.steps.map((s) => (
                <tr key={s.stage}>
                  <th scope="row">{s.phase === "FINAL_BAKE" ? "final bake" : s.stage + 1}</th>
                  <td>{s.percentage} %</td>
                  <td>{new Date(s.startsAt).toLocaleString()}</td>
                  <td>{new Date(s.endsAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>Completes at {new Date(plan.completesAt).toLocaleString()} if every stage passes its guards on time.</p>
          <button type="button" class="primary" disabled={busy} onClick={() => void call(false)}>
            Start
          </button>
        </div>
      )}
    </section>
  );
}
