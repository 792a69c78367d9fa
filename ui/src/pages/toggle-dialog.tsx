/**
 * The kill-switch dialog: a reason (required) and, on production, the flag key typed out before
 * Confirm is enabled. A native modal `<dialog>`, so focus is trapped and Escape cancels.
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

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
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const guarded = props.env === "production";

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const ready = reason.trim() !== "" && (!guarded || typed === props.request.key) && !busy;
  const verb = props.request.enable ? "Enable" : "Disable";

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
    <dialog ref={ref} aria-labelledby="toggle-title" onClose={props.onClose} class="toggle-dialog">
      <form onSubmit={submit}>
        <h2 id="toggle-title">
          {verb} {props.request.key} in {props.env}
        </h2>
        <label for="toggle-reason">Reason</label>
        <textarea id="toggle-reason" required rows={3} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
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
