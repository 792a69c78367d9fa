/**
 * A segment's JSON editor: the whole segment minus the server-owned version/updatedAt in a
 * labelled textarea, "Change reason" and Save (`PUT …/segments/{key}`). A refusal lists each
 * `details[].path: message` as an alert; a segment that changed since it was loaded (the save is
 * guarded by `If-Match`, so the API refuses it with 409) says so and
 * offers Reload. The page is live, so the text follows the server's segment until it is edited.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { editableJson, parseJsonObject } from "../flag-editor-model.js";
import { type Segment, saveSegment, type SegmentWrite } from "../segment-api.js";
import { SaveFeedback, saveFailure } from "./save-feedback.js";

const editable = (segment: Segment) => editableJson(segment as unknown as Record<string, unknown>);

export function SegmentEditor(props: { api: Api; env: string; segment: Segment; writable: boolean; onSaved: (result: SegmentWrite) => void; onReload: () => void }): JSX.Element {
  const { api, env, segment } = props;
  const [text, setText] = useState(() => editable(segment));
  // The version the text was loaded from: the live page may show a newer one while the text is edited.
  const [base, setBase] = useState(segment.version);
  const [dirty, setDirty] = useState(false);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A new version (a save, a members change, a live reload) replaces the text unless it has unsaved edits.
  useEffect(() => {
    if (dirty) return;
    // A version this editor did not save: its "Saved" line is about an older one.
    if (segment.version !== base) setSaved(null);
    setText(editable(segment));
    setBase(segment.version);
  }, [segment.version, segment.key]);

  const reload = () => {
    setDirty(false);
    setConflict(false);
    setErrors([]);
    setText(editable(segment));
    setBase(segment.version);
    props.onReload();
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const parsed = parseJsonObject(text, "segment");
    if (!parsed.ok) {
      setErrors([parsed.message]);
      return;
    }
    setBusy(true);
    try {
      const result = await saveSegment(api, env, segment.key, parsed.value, base, reason);
      setErrors([]);
      setConflict(false);
      setDirty(false);
      setText(editable(result.segment));
      setBase(result.segment.version);
      setSaved(result.changed ? `Saved: version ${result.segment.version}.` : "No change: the segment already was this.");
      props.onSaved(result);
    } catch (e) {
      const failure = saveFailure(e);
      setConflict(failure.conflict);
      setErrors(failure.errors);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="segment-editor" aria-labelledby="segment-editor-title" onSubmit={save}>
      <h2 id="segment-editor-title">Edit</h2>
      <p class="muted">
        Version {base}. Saving replaces the whole segment (ids are stored unique and sorted); a segment that changed since it was loaded is not overwritten.
      </p>
      <SaveFeedback id="segment-json-errors" what="segment" version={base} errors={errors} conflict={conflict} saved={saved} onReload={reload} />
      <span class="field">
        <label for="segment-json">Segment JSON</label>
        <textarea
          id="segment-json"
          class="code"
          rows={20}
          spellcheck={false}
          readOnly={!props.writable}
          aria-invalid={errors.length > 0}
          aria-describedby="segment-json-errors"
          value={text}
          onInput={(e) => {
            setText((e.currentTarget as HTMLTextAreaElement).value);
            setDirty(true);
          }}
        />
      </span>
      <div class="toolbar">
        <span class="field">
          <label for="segment-change-reason">Change reason</label>
          <input id="segment-change-reason" disabled={!props.writable} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
        </span>
        <button type="submit" class="primary" disabled={!props.writable || busy}>
          Save
        </button>
      </div>
    </form>
  );
}
