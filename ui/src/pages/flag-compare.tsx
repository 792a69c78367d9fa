/**
 * "Compare with another environment" on the flag page: pick an environment the token sees, see
 * the diff between the flag there (or "absent") and here, and "Promote to <env>" — a dialog that
 * shows exactly that diff again, asks for a reason (and on production the flag key typed out),
 * then writes this flag's content there with `PUT` guarded by the target's version (`If-Match`,
 * "0" to create). A token that may not write the target gets a disabled button and the reason why.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { type Api, ApiError } from "../api.js";
import { getFlagOrNull, putFlag } from "../flag-api.js";
import { canConfirmPromote, compareTargets, promotePlan } from "../flag-compare-model.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import type { Flag, Principal } from "../types.js";
import { ConfirmDialog, ReasonField } from "./confirm-dialog.js";
import { DiffTable } from "./diff-table.js";

type Loaded = { env: string; flag: Flag | null };

function PlanView(props: { plan: ReturnType<typeof promotePlan>; here: string; target: string; label: string }): JSX.Element {
  const { plan } = props;
  if (plan.identical) return <p class="ok">Identical in {props.target} and {props.here}.</p>;
  if (plan.creates) {
    return (
      <>
        <p>
          <strong>Absent</strong> in {props.target}: promoting creates it as below.
        </p>
        <pre class="code diff-new" aria-label={props.label}>
          {JSON.stringify(plan.body, null, 2)}
        </pre>
      </>
    );
  }
  return (
    <>
      <p>
        {plan.diff.length} change{plan.diff.length === 1 ? "" : "s"} in {props.target} (its value → {props.here}'s), guarded by its version {plan.expectedVersion}:
      </p>
      <DiffTable diff={plan.diff} label={props.label} />
    </>
  );
}

export function FlagCompare(props: { api: Api; env: string; flag: Flag; principal: Principal; environments: readonly string[] }): JSX.Element {
  const { api, env, flag } = props;
  const targets = compareTargets(props.principal, props.environments, env);
  const [target, setTarget] = useState(targets[0]?.env ?? "");
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [promoting, setPromoting] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (target === "") return;
    try {
      setLoaded({ env: target, flag: (await getFlagOrNull(api, target, flag.key))?.flag ?? null });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api, target, flag.key]);
  useEffect(() => {
    setLoaded(null);
    setDone(null);
    void load();
  }, [load, flag.version]);

  if (targets.length === 0) return <></>;
  const blocked = targets.find((t) => t.env === target)?.blocked ?? null;
  const plan = loaded && loaded.env === target ? promotePlan(flag as unknown as Record<string, unknown>, loaded.flag as unknown as Record<string, unknown> | null) : null;

  return (
    <section aria-labelledby="compare-title" class="compare">
      <h2 id="compare-title">Compare with another environment</h2>
      <div class="toolbar">
        <span class="field">
          <label for="compare-env">Compare with</label>
          <select id="compare-env" value={target} onChange={(e) => setTarget((e.currentTarget as HTMLSelectElement).value)}>
            {targets.map((t) => (
              <option key={t.env} value={t.env}>
                {t.env}
              </option>
            ))}
          </select>
        </span>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        <button type="button" class="primary" disabled={blocked !== null || plan === null || plan.identical} aria-describedby={blocked ? "promote-blocked" : undefined} onClick={() => setPromoting(true)}>
          Promote to {target}
        </button>
      </div>
      {blocked && (
        <p id="promote-blocked" class="notice">
          Promote is disabled: {blocked}.
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      {done && (
        <p role="status" class="ok">
          {done} <Link href={href(target, "flags", flag.key)}>Open it in {target}</Link>
        </p>
      )}
      {plan === null ? <p>Loading…</p> : <PlanView plan={plan} here={env} target={target} label={`Differences in ${target}`} />}
      {promoting && plan && (
        <PromoteDialog
          flagKey={flag.key}
          env={env}
          target={target}
          plan={plan}
          onConfirm={async (reason) => {
            try {
              const result = await putFlag(api, target, flag.key, plan.body, plan.expectedVersion, `${reason} (promoted from ${env})`);
              setDone(`Promoted: ${flag.key} in ${target} is at version ${result.flag.version ?? "?"}.`);
              await load();
            } catch (e) {
              if (e instanceof ApiError && e.status === 409) {
                void load();
                throw new Error(`The flag changed in ${target} since this diff was made; nothing was written. The diff above is now the current one: review it, then confirm again.`);
              }
              if (e instanceof ApiError && e.details.length > 0) throw new Error(`${e.message}: ${e.details.map((d) => `${d.path}: ${d.message}`).join("; ")}`);
              throw e;
            }
          }}
          onClose={() => setPromoting(false)}
        />
      )}
    </section>
  );
}

function PromoteDialog(props: { flagKey: string; env: string; target: string; plan: ReturnType<typeof promotePlan>; onConfirm: (reason: string) => Promise<void>; onClose: () => void }): JSX.Element {
  const [reason, setReason] = useState("");
  const [typed, setTyped] = useState("");
  const guarded = props.target === "production";
  return (
    <ConfirmDialog
      titleId="promote-title"
      title={`Promote ${props.flagKey} to ${props.target}`}
      class="promote-dialog"
      confirmLabel="Confirm"
      canConfirm={canConfirmPromote(props.target, props.flagKey, reason, typed)}
      onConfirm={() => props.onConfirm(reason.trim())}
      onClose={props.onClose}
    >
      <PlanView plan={props.plan} here={props.env} target={props.target} label={`Promotion to ${props.target}`} />
      <ReasonField id="promote-reason" value={reason} onInput={setReason} />
      {guarded && (
        <>
          <label for="promote-confirm-key">Type the flag key to confirm</label>
          <input id="promote-confirm-key" autocomplete="off" spellcheck={false} value={typed} onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)} />
        </>
      )}
    </ConfirmDialog>
  );
}
