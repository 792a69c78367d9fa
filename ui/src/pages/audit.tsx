/**
 * Audit: the environment's audit log (newest first), filtered by flag, actor and action, each
 * entry's before/after on demand, and "Verify chain" with the hash chain's verdict.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { useLive } from "../live.js";
import type { AuditEntry, AuditVerify } from "../types.js";

type Filters = { flag: string; actor: string; action: string };

export function AuditPage(props: { api: Api; env: string }): JSX.Element {
  const { api, env } = props;
  const [draft, setDraft] = useState<Filters>({ flag: "", actor: "", action: "" });
  const [filters, setFilters] = useState<Filters>(draft);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifying, setVerifying] = useState(false);

  const load = useCallback(() => {
    api.audit(env, filters).then(
      (next) => {
        setEntries(next);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, env, filters]);
  useEffect(load, [load]);
  useLive(api, env, load);
  useEffect(() => setVerify(null), [env]);

  const runVerify = async () => {
    setVerifying(true);
    try {
      setVerify(await api.verifyAudit(env));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setVerifying(false);
    }
  };

  const field = (name: keyof Filters, label: string) => (
    <span class="field">
      <label for={`audit-${name}`}>{label}</label>
      <input id={`audit-${name}`} value={draft[name]} onInput={(e) => setDraft((d) => ({ ...d, [name]: (e.currentTarget as HTMLInputElement).value }))} />
    </span>
  );

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log of {env}</h1>
      <form
        class="toolbar"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        {field("flag", "Flag")}
        {field("actor", "Actor")}
        {field("action", "Action")}
        <button type="submit">Filter</button>
        <button type="button" onClick={runVerify} disabled={verifying}>
          Verify chain
        </button>
      </form>
      {verify && (
        <p role="status" class={verify.ok ? "ok" : "bad"}>
          {verify.ok
            ? `Chain verified: ${verify.checked} entries checked, up to seq ${verify.lastSeq}${verify.pending ? `, ${verify.pending} waiting to flush` : ""}.`
            : `Chain broken at seq ${verify.brokenAt?.seq ?? "?"}: ${verify.brokenAt?.problem ?? "unknown problem"}.`}
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      {entries === null ? (
        <p>Loading…</p>
      ) : (
        <table aria-label="Audit entries">
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Reason</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.seq}>
                <td>{entry.seq}</td>
                <td>
                  <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                </td>
                <td>{entry.actor}</td>
                <td>{entry.action}</td>
                <td>
                  {entry.target.type} <code>{entry.target.id}</code>
                </td>
                <td>{entry.reason ?? ""}</td>
                <td>
                  <details>
                    <summary>before / after</summary>
                    <div class="diff">
                      <pre aria-label="before">{JSON.stringify(entry.before, null, 2)}</pre>
                      <pre aria-label="after">{JSON.stringify(entry.after, null, 2)}</pre>
                    </div>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
