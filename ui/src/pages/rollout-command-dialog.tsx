/**
 * The reason dialog of a rollout command (pause, resume, promote, rollback, cancel), in the style
 * of the kill-switch dialog: a native modal `<dialog>` with a required "Reason" and "Confirm".
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { RolloutAction } from "../rollout-types.js";

export function CommandDialog(props: {
  action: RolloutAction;
  flag: string;
  env: string;
  onConfirm: (reason: string) => Promise<void>;
  onClose: () => void;
}): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const ready = reason.trim() !== "" && !busy;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    try {
      await props.onConfirm(reason.trim());
      ref.current?.close();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} aria-labelledby="command-title" onClose={props.onClose} class="toggle-dialog">
      <form onSubmit={submit}>
        <h2 id="command-title">
          {props.action[0]?.toUpperCase()}
          {props.action.slice(1)} the rollout of {props.flag} in {props.env}
        </h2>
        <label for="command-reason">Reason</label>
        <textarea id="command-reason" required rows={3} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
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
            Confirm
          </button>
        </div>
      </form>
    </dialog>
  );
}
