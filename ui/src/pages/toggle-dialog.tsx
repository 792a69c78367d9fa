/**
 * The kill-switch dialog: a reason (required) and, on production, the flag key typed out before
 * Confirm is enabled. A native modal `<dialog>`, so focus is trapped and Escape cancels.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ConfirmDialog, ReasonField } from "./confirm-dialog.js";

export interface ToggleRequest {
  key: string;
  enable: boolean;
}

export function ToggleDialog(props: {
  request: ToggleRequest;
  env: string;
  onConfirm: (reason: string) => Promise<void>;
  onClose: () => void;
}): JSX.Element {
  const [reason, setReason] = useState("");
  const [typed, setTyped] = useState("");
  const guarded = props.env === "production";
  const verb = props.request.enable ? "Enable" : "Disable";

  return (
    <ConfirmDialog
      titleId="toggle-title"
      title={`${verb} ${props.request.key} in ${props.env}`}
      class="toggle-dialog"
      confirmLabel="Confirm"
      canConfirm={reason.trim() !== "" && (!guarded || typed === props.request.key)}
      onConfirm={() => props.onConfirm(reason.trim())}
      onClose={props.onClose}
    >
      <ReasonField id="toggle-reason" value={reason} onInput={setReason} />
      {guarded && (
        <>
          <label for="toggle-confirm-key">Type the flag key to confirm</label>
          <input
            id="toggle-confirm-key"
            autocomplete="off"
            spellcheck={false}
            value={typed}
            onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)}
          />
        </>
      )}
    </ConfirmDialog>
  );
}
