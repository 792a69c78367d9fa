/**
 * The "Schedules" table: one row per scheduled change (in the order the page gives), its due
 * time, flag (a link to the flag's page), action, what the patch sets, state, creator, reason and
 * outcome; a pending row has "Cancel schedule {id}", which asks in ConfirmDialog and then DELETEs.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Api } from "../api.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import { cancelSchedule } from "../schedule-api.js";
import { outcome, patchSummary, type Schedule } from "../schedule-model.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { TableHead } from "./table-head.js";

const when = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;

export function ScheduleTable(props: { api: Api; env: string; writable: boolean; schedules: Schedule[]; onChanged: () => void }): JSX.Element {
  const { env } = props;
  const [cancelling, setCancelling] = useState<Schedule | null>(null);
  return (
    <>
      <table aria-label="Schedules" class="schedules">
        <TableHead columns={["Schedule", "Due", "Flag", "Action", "Patch", "State", "Created by", "Reason", "Outcome", { hidden: "Commands" }]} />
        <tbody>
          {props.schedules.length === 0 && (
            <tr>
              <td colSpan={10}>No scheduled changes.</td>
            </tr>
          )}
          {props.schedules.map((s) => (
            <tr key={s.id}>
              <th scope="row">
                <code>{s.id}</code>
              </th>
              <td>{when(s.at)}</td>
              <td>
                <Link href={href(env, "flags", s.flag)}>{s.flag}</Link>
              </td>
              <td>{s.action}</td>
              <td>{patchSummary(s)}</td>
              <td>
                <span class={`schedule-state state-${s.state.toLowerCase()}`}>{s.state}</span>
              </td>
              <td>{s.createdBy}</td>
              <td>{s.reason ?? "—"}</td>
              <td>{outcome(s)}</td>
              <td>
                {s.state === "PENDING" && (
                  <button type="button" disabled={!props.writable} aria-disabled={!props.writable} onClick={() => setCancelling(s)}>
                    Cancel schedule {s.id}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {cancelling && <CancelDialog api={props.api} env={env} schedule={cancelling} onDone={props.onChanged} onClose={() => setCancelling(null)} />}
    </>
  );
}

function CancelDialog(props: { api: Api; env: string; schedule: Schedule; onDone: () => void; onClose: () => void }): JSX.Element {
  const { schedule: s } = props;
  const [reason, setReason] = useState("");
  return (
    <ConfirmDialog
      titleId="cancel-schedule-title"
      title="Cancel the scheduled change"
      confirmLabel="Confirm"
      canConfirm
      onConfirm={async () => {
        await cancelSchedule(props.api, props.env, s.id, reason);
        props.onDone();
      }}
      onClose={props.onClose}
    >
      <p>
        <code>{s.id}</code>: {s.action} <strong>{s.flag}</strong> at {when(s.at)}. It will not be applied.
      </p>
      <label for="cancel-schedule-reason">Cancel reason (optional)</label>
      <input id="cancel-schedule-reason" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
    </ConfirmDialog>
  );
}
