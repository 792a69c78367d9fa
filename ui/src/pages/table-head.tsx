/**
 * Small pieces the dashboard's tables and forms repeat: a table's header row of column names, and
 * the options of a "Flag" select (a "choose…" placeholder, then the environment's flag keys).
 */
import type { JSX } from "preact";

/** A column heading; `{ hidden }` is read by screen readers only (a column of row buttons). */
export type Column = string | { hidden: string };

export function TableHead(props: { columns: readonly Column[] }): JSX.Element {
  return (
    <thead>
      <tr>
        {props.columns.map((c) =>
          typeof c === "string" ? (
            <th key={c} scope="col">
              {c}
            </th>
          ) : (
            <th key={c.hidden} scope="col">
              <span class="sr-only">{c.hidden}</span>
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

export function FlagOptions(props: { flags: readonly { flag: { key: string } }[] }): JSX.Element {
  return (
    <>
      <option value="">choose…</option>
      {props.flags.map((f) => (
        <option key={f.flag.key} value={f.flag.key}>
          {f.flag.key}
        </option>
      ))}
    </>
  );
}
