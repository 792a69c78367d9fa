/** A JSON diff (ui/src/json-diff.ts) as a table: each changed path with old → new. */
import type { JSX } from "preact";
import { type DiffEntry, diffValueText } from "../json-diff.js";

export function DiffTable(props: { diff: readonly DiffEntry[]; label: string }): JSX.Element {
  return (
    <table aria-label={props.label} class="changes">
      <tbody>
        {props.diff.map((d) => (
          <tr key={d.path}>
            <th scope="row">
              <code>{d.path === "" ? "(whole flag)" : d.path}</code>
            </th>
            <td>
              <code class="bad">{diffValueText(d.before)}</code> → <code class="ok">{diffValueText(d.after)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
