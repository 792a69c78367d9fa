/**
 * A segment's Delete: a button that opens the confirmation dialog (Reason, then Delete →
 * `DELETE …/segments/{key}`). While flags use the segment the API refuses (409 IN_USE), so the
 * button is disabled with the reason beside it naming them; a 409 that still happens (a flag
 * started using it since the page loaded) shows in the dialog as an alert.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Api } from "../api.js";
import { href } from "../routes.js";
import { navigate } from "../router.js";
import { deleteSegment } from "../segment-api.js";
import { deleteBlocked } from "../segment-model.js";
import { ConfirmDialog, ReasonField } from "./confirm-dialog.js";

export function SegmentDelete(props: { api: Api; env: string; segmentKey: string; usedBy: readonly string[]; writable: boolean }): JSX.Element {
  const { api, env, segmentKey } = props;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const blocked = deleteBlocked(props.usedBy, props.writable);

  return (
    <section aria-labelledby="segment-delete-title" class="segment-delete">
      <h2 id="segment-delete-title">Delete</h2>
      <div class="toolbar">
        <button type="button" class="danger" disabled={blocked !== null} aria-describedby={blocked ? "segment-delete-blocked" : undefined} onClick={() => setOpen(true)}>
          Delete segment
        </button>
        {blocked && (
          <p id="segment-delete-blocked" class="muted">
            {blocked}
          </p>
        )}
      </div>
      {open && (
        <ConfirmDialog
          titleId="segment-delete-dialog-title"
          title={
            <>
              Delete segment <code>{segmentKey}</code> from {env}?
            </>
          }
          confirmLabel="Delete"
          canConfirm={reason.trim() !== ""}
          onConfirm={async () => {
            await deleteSegment(api, env, segmentKey, reason);
            navigate(href(env, "segments"));
          }}
          onClose={() => {
            setOpen(false);
            setReason("");
          }}
        >
          <p>Flag rules can no longer name it once it is gone; its include and exclude lists are kept only in the audit log.</p>
          <ReasonField id="segment-delete-reason" value={reason} onInput={setReason} />
        </ConfirmDialog>
      )}
    </section>
  );
}
