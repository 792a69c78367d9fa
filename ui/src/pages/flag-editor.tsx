/**
 * The flag's editor: one draft (the flag as the API returns it, without version/updatedAt) shown
 * either as a form (ui/src/pages/flag-form.tsx) or as JSON in a labelled textarea, switched by two
 * tabs. Save replaces the flag with `If-Match: "<version>"`. A 422 lists each `details[].path`
 * with its message beside the editor, and in the form view also beside the field it names; a 409
 * (someone changed the flag since it was loaded) says so and offers a reload; success takes the
 * new version. Fields the form does not render stay in the draft untouched.
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { putFlag } from "../flag-api.js";
import { editableFlagJson, type ErrorDetail, parseFlagJson } from "../flag-editor-model.js";
import type { Draft } from "../flag-form-model.js";
import { formFieldPaths, placeErrors } from "../flag-form-paths.js";
import type { Flag } from "../types.js";
import { FlagForm } from "./flag-form.js";
import { SaveFeedback, saveFailure } from "./save-feedback.js";

type View = "form" | "json";
const VIEWS: [View, string][] = [
  ["form", "Form"],
  ["json", "JSON"],
];

const editable = (flag: Flag): Draft => JSON.parse(editableFlagJson(flag as unknown as Record<string, unknown>)) as Draft;

export function FlagEditor(props: { api: Api; env: string; flag: Flag; writable: boolean; onSaved: (flag: Flag) => void; onReload: () => void }): JSX.Element {
  const { api, env, flag } = props;
  const [view, setView] = useState<View>("json");
  const [text, setText] = useState(() => editableFlagJson(flag as unknown as Record<string, unknown>));
  const [draft, setDraftState] = useState<Draft>(() => editable(flag));
  // The latest draft, for a save right after a field's change event (before the re-render).
  const draftRef = useRef(draft);
  const setDraft = (next: Draft) => {
    draftRef.current = next;
    setDraftState(next);
  };
  const [details, setDetails] = useState<ErrorDetail[]>([]);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const version = flag.version ?? 0;

  // A reload (or a save) brings a new version: show what the server now holds.
  useEffect(() => {
    setText(editableFlagJson(flag as unknown as Record<string, unknown>));
    setDraft(editable(flag));
    setConflict(false);
    setErrors([]);
    setDetails([]);
  }, [flag.version, flag.key]);

  const placed = useMemo(() => placeErrors(details, formFieldPaths(draft)), [details, draft]);

  const switchTo = (next: View) => {
    if (next === view) return;
    if (next === "json") {
      setText(JSON.stringify(draftRef.current, null, 2));
    } else {
      const parsed = parseFlagJson(text);
      if (!parsed.ok) {
        setErrors([`${parsed.message} (fix the JSON to switch to the form)`]);
        return;
      }
      setDraft(parsed.value);
      setErrors([]);
    }
    setView(next);
  };

  const onTabKey = (event: KeyboardEvent) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    const next = view === "form" ? "json" : "form";
    switchTo(next);
    document.getElementById(`editor-tab-${next}`)?.focus();
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const parsed = view === "json" ? parseFlagJson(text) : { ok: true as const, value: draftRef.current };
    if (!parsed.ok) {
      setErrors([parsed.message]);
      return;
    }
    setBusy(true);
    try {
      const result = await putFlag(api, env, flag.key, parsed.value, version, reason);
      setErrors([]);
      setDetails([]);
      setConflict(false);
      setSaved(result.changed ? `Saved: version ${result.flag.version ?? "?"}.` : "No change: the flag already was this.");
      props.onSaved(result.flag);
    } catch (e) {
      const failure = saveFailure(e);
      setConflict(failure.conflict);
      setErrors(failure.errors);
      setDetails(failure.details);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="flag-editor" aria-labelledby="editor-title" onSubmit={save}>
      <h2 id="editor-title">Edit</h2>
      <p class="muted">
        Version {version}. Saving replaces the whole flag, guarded by this version. The form and the JSON edit the same draft.
      </p>
      <div role="tablist" aria-label="Editor view" class="tabs">
        {VIEWS.map(([v, label]) => (
          <button
            key={v}
            type="button"
            role="tab"
            id={`editor-tab-${v}`}
            aria-selected={view === v}
            aria-controls="editor-panel"
            tabIndex={view === v ? 0 : -1}
            onClick={() => switchTo(v)}
            onKeyDown={onTabKey}
          >
            {label}
          </button>
        ))}
      </div>
      <div class="editor-grid">
        <SaveFeedback id="flag-json-errors" what="flag" version={version} errors={errors} conflict={conflict} saved={saved} onReload={props.onReload} />
        <div id="editor-panel" role="tabpanel" aria-labelledby={`editor-tab-${view}`}>
          {view === "json" ? (
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
          ) : (
            // Enter in a one-line field does not submit (Save is a whole-flag write): only the button does.
            <fieldset class="bare" disabled={!props.writable} onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLElement).tagName === "INPUT" && e.preventDefault()}>
              <FlagForm ctx={{ draft, update: (change) => setDraft(change(draftRef.current)), errors: placed.byField }} />
            </fieldset>
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
