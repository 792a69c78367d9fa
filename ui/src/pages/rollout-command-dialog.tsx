/**
 * The reason dialog of a rollout command (pause, resume, promote, rollback, cancel), in the style
 * of the kill-switch dialog: a native modal `<dialog>` with a required "Reason" and "Confirm".
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { RolloutAction } from "../rollout-types.js";
import { ConfirmDialog, ReasonField } from "./confirm-dialog.js";

export function CommandDialog(props: {
  action: RolloutAction;
  flag: string;
  env: string;
  onConfirm: (reason: string) => Promise<void>;
  onClose: () => void;
}): JSX.Element {
  const [reason, setReason] = useState("");
  const title = (
    <>
      {props.action[0]?.toUpperCase()}
      {props.action.slice(1)} the rollout of {props.flag} in {props.env}
    </>
  );
  return (
    <ConfirmDialog
      titleId="command-title"
      title={title}
      class="toggle-dialog"
      confirmLabel="Confirm"
      canConfirm={reason.trim() !== ""}
      onConfirm={() => props.onConfirm(reason.trim())}
      onClose={props.onClose}
    >
      <ReasonField id="command-reason" value={reason} onInput={setReason} />
    </ConfirmDialog>
  );
}
