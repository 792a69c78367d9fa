/**
 * The flag's JSON editor: the flag as the API returns it (without version/updatedAt) in a labelled
 * textarea; Save replaces it with `If-Match: "<version>"`. A 422 lists each `details[].path` with
 * its message beside the editor; a 409 (someone changed the flag since it was loaded) says so and
 * offers a reload; success takes the new version.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type Api, ApiError } from "../api.js";
import { putFlag } from "../flag-api.js";
import { editableFlagJson, errorLines, parseFlagJson } from "../flag-editor-model.js";
import type { Flag } from "../types.js";

export function FlagEditor(props: { api: Api; env: string; flag: Flag; writable: boolean; onSaved: (flag: Flag) => void; onReload: () => void }): JSX.Element {
  const { api, env, flag } = props;
  const [text, setText] = useState(() => editableFlagJson(flag as unknown as Record<string, unknown>));
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const version = flag.version ?? 0;

  // A reload (or a save) brings a new version: show what the server now holds.
  useEffect(() => {
    setText(editableFlagJson(flag as unknown as Record<string, unknown>));
    setConflict(false);
    setErrors([]);
  }, [flag.version, flag.key]);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const parsed = parseFlagJson(text);
    if (!parsed.ok) {
      setErrors([parsed.message]);
      return;
    }
    setBusy(true);
    try {
      const result = await putFlag(api, env, flag.key, parsed.value, version, reason);
      setErrors([]);
      setConflict(false);
      setSaved(result.changed ? `Saved: version ${result.flag.version ?? "?"}.` : "No change: the flag already was this.");
      props.onSaved(result.flag);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setConflict(true);
        setErrors([]);
      } else if (e instanceof ApiError) {
        setErrors(errorLines(e.message, e.details));
      } else {
        setErrors([(e as Error).message]);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="flag-editor" aria-labelledby="editor-title" onSubmit={save}>
      <h2 id="editor-title">Edit as JSON</h2>
      <p class="muted">
        Version {version}. Saving replaces the whole flag, guarded by this version.
      </p>
      <div class="editor-grid">
        <span class="field">
          <label for="flag-json">Flag JSON</label>
          <textarea
            id="flag-json"
            class="code"
            rows={24}
            spellcheck={false}
            readOnly={!props.writable}
            aria-invalid={errors.length > 0}
            aria-describedby="flag-json-errors"
            value={text}
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </span>
        <div id="flag-json-errors" aria-live="polite">
          {errors.length > 0 && (
            <ul role="alert" aria-label="Validation errors" class="errors">
              {errors.map((line) => (
                <li key={line}>
                  <code>{line}</code>
                </li>
              ))}
            </ul>
          )}
          {conflict && (
            <div role="alert" class="notice">
              <p>This flag changed since it was loaded (version {version} is stale). Reload to get the current version, then apply your edit again.</p>
              <button type="button" onClick={props.onReload}>
                Reload
              </button>
            </div>
          )}
          {saved && (
            <p role="status" class="ok">
              {saved}
            </p>
          )}
        </div>
      </div>
      <div class="toolbar">
        <span class="field">
          <label for="flag-change-reason">Change reason</label>
          <input id="flag-change-reason" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
        </span>
        <button type="submit" class="primary" disabled={!props.writable || busy}>
          Save
        </button>
      </div>
    </form>
  );
}
