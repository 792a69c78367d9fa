/**
 * The flag's versions (`GET …/flags/{key}/versions`, rebuilt from the audit log) with "Restore
 * version n": a dialog that shows what restoring would change in the flag as it is now (the same
 * diff as a promotion, ui/src/flag-compare-model.ts), asks for a reason (on production also the
 * flag key typed out) and sends `POST …/restore` guarded by the version the diff was made from. A
 * 409 (the flag moved on meanwhile) reloads the flag, so the dialog's diff is the current one.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type Api, ApiError } from "../api.js";
import { type FlagVersion, flagVersions, restoreFlag } from "../flag-api.js";
import { canConfirmPromote, promotePlan } from "../flag-compare-model.js";
import type { Flag } from "../types.js";
import { ConfirmDialog, ReasonField } from "./confirm-dialog.js";
import { DiffTable } from "./diff-table.js";
import { TableHead } from "./table-head.js";

function RestoreDialog(props: {
  api: Api;
  env: string;
  current: Flag;
  chosen: FlagVersion;
  onRestored: (flag: Flag, message: string) => void;
  onStale: () => void;
  onClose: () => void;
}): JSX.Element {
  const { current, chosen, env } = props;
  const [reason, setReason] = useState("");
  const [typed, setTyped] = useState("");
  // Restoring makes the flag what `chosen` was: the diff runs from the flag now to that content.
  const plan = promotePlan(chosen.flag as unknown as Record<string, unknown>, current as unknown as Record<string, unknown>);
  const restore = async () => {
    try {
      const result = await restoreFlag(props.api, env, current.key, chosen.version, plan.expectedVersion, reason.trim());
      const message = result.changed
        ? `Restored version ${chosen.version}'s content as version ${result.flag.version}.`
        : `Version ${chosen.version}'s content is already the flag's: nothing written.`;
      props.onRestored(result.flag, message);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        props.onStale();
        throw new Error("The flag changed since this page loaded: nothing was written. The diff above is now against its current version; confirm again to restore.");
      }
      throw e;
    }
  };
  return (
    <ConfirmDialog
      titleId="restore-title"
      title={`Restore ${current.key} to version ${chosen.version}`}
      confirmLabel="Confirm"
      canConfirm={canConfirmPromote(env, current.key, reason, typed)}
      onConfirm={restore}
      onClose={props.onClose}
      class="restore-dialog"
    >
      {plan.identical ? (
        <p class="ok">Version {chosen.version} has the flag's current content: restoring changes nothing.</p>
      ) : (
        <>
          <p>
            {plan.diff.length} change{plan.diff.length === 1 ? "" : "s"} to version {current.version} (now → version {chosen.version}):
          </p>
          <DiffTable diff={plan.diff} label={`Restoring version ${chosen.version}`} />
        </>
      )}
      <ReasonField id="restore-reason" value={reason} onInput={setReason} />
      {env === "production" && (
        <>
          <label for="restore-confirm-key">Type the flag key to confirm</label>
          <input id="restore-confirm-key" autocomplete="off" spellcheck={false} value={typed} onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)} />
        </>
      )}
    </ConfirmDialog>
  );
}

export function FlagVersions(props: {
  api: Api;
  env: string;
  flag: Flag;
  writable: boolean;
  reloadKey: number;
  onRestored: (flag: Flag) => void;
  onReload: () => void;
}): JSX.Element {
  const { api, env, flag } = props;
  const [versions, setVersions] = useState<FlagVersion[] | null>(null);
  const [nextCursor, setNextCursor] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<FlagVersion | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    flagVersions(api, env, flag.key).then(
      (page) => {
        setVersions(page.versions);
        setNextCursor(page.nextCursor);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, env, flag.key, props.reloadKey]);

  const older = async () => {
    if (nextCursor === null) return;
    try {
      const page = await flagVersions(api, env, flag.key, nextCursor);
      setVersions((shown) => [...(shown ?? []), ...page.versions]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      {error && <p role="alert">{error}</p>}
      {done && <p role="status">{done}</p>}
      {versions === null ? (
        <p>Loading…</p>
      ) : (
        <table aria-label="Flag versions">
          <TableHead columns={["Version", "When", "Actor", "Change", { hidden: "Restore" }]} />
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <th scope="row">{v.version}</th>
                <td>
                  <time dateTime={v.at}>{new Date(v.at).toLocaleString()}</time>
                </td>
                <td>{v.actor}</td>
                <td>
                  {v.action}
                  {v.reason && <span class="muted"> — {v.reason}</span>}
                </td>
                <td>
                  {v.version === flag.version ? (
                    <span class="muted">current</span>
                  ) : (
                    <button type="button" disabled={!props.writable} aria-disabled={props.writable ? undefined : "true"} onClick={() => setChosen(v)}>
                      Restore version {v.version}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor !== null && (
        <button type="button" onClick={() => void older()}>
          Show older versions
        </button>
      )}
      {chosen && (
        <RestoreDialog
          api={api}
          env={env}
          current={flag}
          chosen={chosen}
          onRestored={(next, message) => {
            setDone(message);
            props.onRestored(next);
          }}
          onStale={props.onReload}
          onClose={() => setChosen(null)}
        />
      )}
    </section>
  );
}
