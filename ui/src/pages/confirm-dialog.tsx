/**
 * The one confirmation dialog every destructive or audited action goes through: a native modal
 * `<dialog>` (focus trapped, Escape cancels) with a title, the caller's fields, an error line, and
 * Cancel plus a submit button. It owns the busy/error state so each caller only says what to ask.
 */
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function ConfirmDialog(props: {
  titleId: string;
  title: ComponentChildren;
  /** The submit button's text ("Confirm", "Revoke"). */
  confirmLabel: string;
  /** Whether the caller's fields are filled in enough to submit. */
  canConfirm: boolean;
  class?: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  children?: ComponentChildren;
}): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const ready = props.canConfirm && !busy;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    try {
      await props.onConfirm();
      // Closing fires onClose, so the caller unmounts the dialog only after success.
      ref.current?.close();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} aria-labelledby={props.titleId} onClose={props.onClose} class={props.class}>
      <form onSubmit={submit}>
        <h2 id={props.titleId}>{props.title}</h2>
        {props.children}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={!ready}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The required "Reason" textarea that audited actions (toggles, rollout commands) ask for. */
export function ReasonField(props: { id: string; value: string; onInput: (reason: string) => void }): JSX.Element {
  return (
    <>
      <label for={props.id}>Reason</label>
      <textarea id={props.id} required rows={3} value={props.value} onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)} />
    </>
  );
}
