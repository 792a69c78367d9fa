/**
 * The flag's history: its audit entries, newest first, each as the changed paths with old → new
 * (ui/src/json-diff.ts) rather than two whole JSON documents.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { flagHistory } from "../flag-api.js";
import { jsonDiff } from "../json-diff.js";
import type { AuditEntry } from "../types.js";
import { DiffTable } from "./diff-table.js";

/** The server-owned fields change on every write; leaving them out keeps the diff to the edit. */
function withoutBookkeeping(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const { version: _v, updatedAt: _u, ...rest } = value as Record<string, unknown>;
  return rest;
}

export function FlagHistory(props: { api: Api; env: string; flagKey: string; reloadKey: number }): JSX.Element {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    flagHistory(props.api, props.env, props.flagKey).then(
      (next) => {
        setEntries(next);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [props.api, props.env, props.flagKey, props.reloadKey]);

  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {error && <p role="alert">{error}</p>}
      {entries === null ? (
        <p>Loading…</p>
      ) : entries.length === 0 ? (
        <p class="muted">No audit entries for this flag yet.</p>
      ) : (
        <ol class="plain history" aria-label="Flag history">
          {entries.map((entry) => {
            const diff = jsonDiff(withoutBookkeeping(entry.before), withoutBookkeeping(entry.after));
            return (
              <li key={entry.seq}>
                <p>
                  <strong>{entry.action}</strong> by {entry.actor}, <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                  {entry.reason && <span class="muted"> — {entry.reason}</span>}
                </p>
                {diff.length === 0 ? (
                  <p class="muted">no change to the flag's fields</p>
                ) : (
                  <DiffTable diff={diff} label={`Changes in entry ${entry.seq}`} />
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
