/**
 * Flags: the environment's flags as a table (search, filter by category/tag/owner, sort) with a
 * kill switch per flag. A flip asks for a reason (and the key on production), then updates the row
 * from the answer; the list reloads when the admin event stream reports a change.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { canWrite, EMPTY_QUERY, type FlagQuery, filterOptions, type SortKey, visibleFlags } from "../flag-table-model.js";
import { useLive } from "../live.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import { flagServeSummary } from "../serve-summary.js";
import type { FlagView, Principal } from "../types.js";
import { ToggleDialog, type ToggleRequest } from "./toggle-dialog.js";

/**
 * Rows rendered at once: with 1,000 flags a full table costs about a second per re-render on a
 * slow machine (docs/benchmarks.md, "Dashboard"); search, filters and "Show more" reach the rest.
 */
export const PAGE_ROWS = 200;

/** One formatter for every row: `toLocaleString()` builds a new one per call, which is slow. */
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });

const SORTS: { key: SortKey; label: string }[] = [
  { key: "key", label: "Key" },
  { key: "type", label: "Type" },
  { key: "enabled", label: "Enabled" },
  { key: "updatedAt", label: "Last change" },
];

function Select(props: { id: string; label: string; value: string; options: string[]; onChange: (value: string) => void }): JSX.Element {
  return (
    <span class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">all</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </span>
  );
}

export function FlagsPage(props: { api: Api; env: string; principal: Principal }): JSX.Element {
  const { api, env } = props;
  const [flags, setFlags] = useState<FlagView[] | null>(null);
  const [actors, setActors] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState<FlagQuery>(EMPTY_QUERY);
  const [toggle, setToggle] = useState<ToggleRequest | null>(null);
  const [limit, setLimit] = useState(PAGE_ROWS);
  const writable = canWrite(props.principal, env);

  const load = useCallback(async () => {
    try {
      const [next, audit] = await Promise.all([api.flags(env), api.audit(env, {}).catch(() => [])]);
      // The newest audit entry per flag names who changed it last (the list is newest first).
      const last = new Map<string, string>();
      for (const entry of audit) if (entry.target.type === "flag" && !last.has(entry.target.id)) last.set(entry.target.id, entry.actor);
      setFlags(next);
      setActors(last);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api, env]);

  useEffect(() => {
    setFlags(null);
    void load();
  }, [load]);
  useLive(api, env, load);

  const options = useMemo(() => filterOptions(flags ?? []), [flags]);
  const rows = useMemo(() => visibleFlags(flags ?? [], query), [flags, query]);
  const set = (patch: Partial<FlagQuery>) => {
    setQuery((q) => ({ ...q, ...patch }));
    setLimit(PAGE_ROWS);
  };

  const confirm = async (reason: string) => {
    if (!toggle) return;
    const { flag } = await api.setEnabled(env, toggle.key, toggle.enable, reason);
    setFlags((current) => (current ?? []).map((v) => (v.flag.key === flag.key ? { ...v, flag } : v)));
    setActors((current) => new Map(current).set(flag.key, props.principal.actor));
  };

  return (
    <section aria-labelledby="flags-title">
      <h1 id="flags-title">Flags in {env}</h1>
      {!writable && <p class="notice">Read-only: this token may not change flags in {env}.</p>}
      <div class="toolbar" role="search">
        <span class="field">
          <label for="flag-search">Search flags</label>
          <input id="flag-search" type="search" value={query.search} onInput={(e) => set({ search: (e.currentTarget as HTMLInputElement).value })} />
        </span>
        <Select id="flag-category" label="Category" value={query.category} options={options.categories} onChange={(category) => set({ category })} />
        <Select id="flag-tag" label="Tag" value={query.tag} options={options.tags} onChange={(tag) => set({ tag })} />
        <Select id="flag-owner" label="Owner" value={query.owner} options={options.owners} onChange={(owner) => set({ owner })} />
        <span class="field">
          <label for="flag-sort">Sort by</label>
          <select id="flag-sort" value={query.sort} onChange={(e) => set({ sort: (e.currentTarget as HTMLSelectElement).value as SortKey })}>
            {SORTS.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </span>
        <label class="check">
          <input type="checkbox" checked={query.descending} onChange={(e) => set({ descending: (e.currentTarget as HTMLInputElement).checked })} /> Descending
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      {flags === null ? (
        <p>Loading…</p>
      ) : (
        <table aria-label="Flags" class="flags">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Type</th>
              <th scope="col">Enabled</th>
              <th scope="col">Serves</th>
              <th scope="col">Overrides</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, limit).map(({ flag, override }) => (
              <tr key={flag.key}>
                <th scope="row">
                  <Link href={href(env, "flags", flag.key)}>
                    <code>{flag.key}</code>
                  </Link>
                  {flag.category && <span class="badge">{flag.category}</span>}
                  {flag.description && <div class="muted">{flag.description}</div>}
                </th>
                <td>{flag.type}</td>
                <td>
                  <button
                    type="button"
                    role="switch"
                    class="switch"
                    aria-checked={flag.enabled}
                    aria-label={flag.key}
                    disabled={!writable}
                    aria-disabled={!writable}
                    onClick={() => setToggle({ key: flag.key, enable: !flag.enabled })}
                  >
                    <span class="knob" aria-hidden="true" />
                    <span class="switch-text">{flag.enabled ? "on" : "off"}</span>
                  </button>
                </td>
                <td>{flagServeSummary(flag)}</td>
                <td>{override !== undefined && override !== null ? <span class="badge warn" title={JSON.stringify(override)}>override</span> : ""}</td>
                <td>
                  {flag.updatedAt ? <time dateTime={flag.updatedAt}>{TIME_FORMAT.format(new Date(flag.updatedAt))}</time> : "—"}
                  {actors.has(flag.key) && <div class="muted">{actors.get(flag.key)}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">
        {rows.length > limit ? `Showing ${limit} of ${rows.length} matching flags (${flags?.length ?? 0} in all). ` : `${rows.length} of ${flags?.length ?? 0} flags`}
        {rows.length > limit && (
          <>
            <button type="button" onClick={() => setLimit((n) => n + PAGE_ROWS)}>
              Show {Math.min(PAGE_ROWS, rows.length - limit)} more
            </button>{" "}
            <button type="button" onClick={() => setLimit(rows.length)}>
              Show all {rows.length}
            </button>
          </>
        )}
      </p>
      {toggle && <ToggleDialog request={toggle} env={env} onConfirm={confirm} onClose={() => setToggle(null)} />}
    </section>
  );
}
