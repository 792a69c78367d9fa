/**
 * A segment's include list: the members form (ids to add and to remove, one per line, sent as one
 * `POST …/segments/{key}/members` batch, answered with how many really changed) and the included
 * ids with a search box. A segment may include 10,000 ids, so the list renders only the first
 * SHOWN_IDS matches (segment-model.ts) and says how many there are.
 */
import type { JSX } from "preact";
import { useMemo, useState } from "preact/hooks";
import { type Api, ApiError } from "../api.js";
import { errorLines } from "../flag-editor-model.js";
import { changeMembers, type MembersResult } from "../segment-api.js";
import { membersRequest, membersSummary, searchIds, searchSummary } from "../segment-model.js";
import { ErrorList } from "./save-feedback.js";

const textOf = (e: Event) => (e.currentTarget as HTMLTextAreaElement).value;

export function SegmentMembers(props: { api: Api; env: string; segmentKey: string; writable: boolean; onChanged: (result: MembersResult) => void }): JSX.Element {
  const [add, setAdd] = useState("");
  const [remove, setRemove] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setStatus(null);
    const request = membersRequest(add, remove);
    if (!request.ok) {
      setErrors([request.message]);
      return;
    }
    setBusy(true);
    try {
      const result = await changeMembers(props.api, props.env, props.segmentKey, { add: request.add, remove: request.remove }, reason);
      setErrors([]);
      setAdd("");
      setRemove("");
      setStatus(membersSummary(request, result));
      props.onChanged(result);
    } catch (e) {
      setErrors(e instanceof ApiError ? errorLines(e.message, e.details) : [(e as Error).message]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="segment-members" aria-labelledby="segment-members-title" onSubmit={submit}>
      <h2 id="segment-members-title">Members</h2>
      <p class="muted">Adds ids to and removes ids from the include list in one change (an id in both is removed).</p>
      <fieldset class="bare" disabled={!props.writable}>
        <div class="form-row">
          <span class="field grow">
            <label for="segment-add-ids">Add ids (one per line)</label>
            <textarea id="segment-add-ids" class="code" rows={6} spellcheck={false} value={add} onInput={(e) => setAdd(textOf(e))} />
          </span>
          <span class="field grow">
            <label for="segment-remove-ids">Remove ids (one per line)</label>
            <textarea id="segment-remove-ids" class="code" rows={6} spellcheck={false} value={remove} onInput={(e) => setRemove(textOf(e))} />
          </span>
        </div>
        <div class="toolbar">
          <span class="field">
            <label for="segment-members-reason">Reason for the members change</label>
            <input id="segment-members-reason" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
          </span>
          <button type="submit" class="primary" disabled={!props.writable || busy}>
            Apply members change
          </button>
        </div>
      </fieldset>
      <ErrorList lines={errors} label="Members change errors" />
      {status && (
        <p role="status" class="ok">
          {status}
        </p>
      )}
    </form>
  );
}

/** The included ids that match the search, at most SHOWN_IDS of them. Reading, so open to viewers too. */
export function IncludedIds(props: { include: readonly string[] }): JSX.Element {
  const [query, setQuery] = useState("");
  const search = useMemo(() => searchIds(props.include, query), [props.include, query]);
  return (
    <section aria-labelledby="included-ids-title" class="included-ids">
      <h2 id="included-ids-title">Included ids</h2>
      <span class="field">
        <label for="segment-id-search">Search included ids</label>
        <input id="segment-id-search" type="search" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
      </span>
      <p class="muted" aria-live="polite">
        {searchSummary(search, props.include.length)}
      </p>
      {search.shown.length > 0 && (
        <ul aria-label="Included ids" class="id-list">
          {search.shown.map((id) => (
            <li key={id}>
              <code>{id}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
