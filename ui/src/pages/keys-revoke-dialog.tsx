/** The confirmation before revoking an SDK key or API token: a modal `<dialog>` (Escape cancels). */
import type { JSX } from "preact";
import { ConfirmDialog } from "./confirm-dialog.js";

export function RevokeDialog(props: { what: string; onConfirm: () => Promise<void>; onClose: () => void }): JSX.Element {
  return (
    <ConfirmDialog titleId="revoke-title" title={`Revoke ${props.what}?`} confirmLabel="Revoke" canConfirm onConfirm={props.onConfirm} onClose={props.onClose}>
      <p>Anything still using it stops working. This cannot be undone.</p>
    </ConfirmDialog>
  );
}
