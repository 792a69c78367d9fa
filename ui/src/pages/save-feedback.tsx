/**
 * What the editors show above their fields after a save: the refusal's `path: message` lines (an
 * alert list), a stale version's notice with Reload (a 409: someone else wrote meanwhile), and the
 * success line. One component, so the flag and segment editors (and the other forms' error lists)
 * keep the same roles and names the accessibility contract fixes (docs/dashboard.md).
 */
import type { JSX } from "preact";
import { ApiError } from "../api.js";
import { type ErrorDetail, errorLines } from "../flag-editor-model.js";

/**
 * What a refused guarded save shows: a 409 is the stale-version notice (the thing changed since
 * it was loaded), any other refusal its `path: message` lines (and details, to place on fields).
 */
export function saveFailure(e: unknown): { conflict: boolean; errors: string[]; details: ErrorDetail[] } {
  if (e instanceof ApiError && e.status === 409) return { conflict: true, errors: [], details: [] };
  if (e instanceof ApiError) return { conflict: false, errors: errorLines(e.message, e.details), details: e.details };
  return { conflict: false, errors: [(e as Error).message], details: [] };
}

/** The `role="alert"` list of error lines (nothing when there are none). */
export function ErrorList(props: { lines: readonly string[]; label?: string }): JSX.Element | null {
  if (props.lines.length === 0) return null;
  return (
    <ul role="alert" aria-label={props.label} class="errors">
      {props.lines.map((line) => (
        <li key={line}>
          <code>{line}</code>
        </li>
      ))}
    </ul>
  );
}

export function SaveFeedback(props: {
  /** The id the edited field's `aria-describedby` names. */
  id: string;
  /** "flag" or "segment": what changed since it was loaded. */
  what: string;
  version: number;
  errors: readonly string[];
  conflict: boolean;
  saved: string | null;
  onReload: () => void;
}): JSX.Element {
  return (
    <div id={props.id} aria-live="polite">
      <ErrorList lines={props.errors} label="Validation errors" />
      {props.conflict && (
        <div role="alert" class="notice">
          <p>
            This {props.what} changed since it was loaded (version {props.version} is stale). Reload to get the current version, then apply your edit again.
          </p>
          <button type="button" onClick={props.onReload}>
            Reload
          </button>
        </div>
      )}
      {props.saved && (
        <p role="status" class="ok">
          {props.saved}
        </p>
      )}
    </div>
  );
}
