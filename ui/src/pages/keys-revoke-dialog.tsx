/** The confirmation before revoking an SDK key or API token: a modal `<dialog>` (Escape cancels). */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function RevokeDialog(props: { what: string; onConfirm: () => Promise<void>; onClose: () => void }): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await props.onConfirm();
      ref.current?.close();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby="revoke-title" onClose={props.onClose}>
      <form onSubmit={submit}>
        <h2 id="revoke-title">Revoke {props.what}?</h2>
        <p>Anything still using it stops working. This cannot be undone.</p>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Revoke
          </button>
        </div>
      </form>
    </dialog>
  );
}
