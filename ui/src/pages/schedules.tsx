/** PLACEHOLDER: replaced by the page's implementation before this lands. */
import type { JSX } from "preact";
import type { Api } from "../api.js";
import type { Principal } from "../types.js";

export function SchedulesPage(_props: { api: Api; env: string; principal: Principal }): JSX.Element {
  return <p>not yet</p>;
}
