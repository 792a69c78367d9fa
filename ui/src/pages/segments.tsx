/**
 * Segments (/ui/{env}/segments): the environment's reusable audiences as a table (key, counts,
 * bucketBy and the flags that use each), live through the admin event stream, and for operators
 * the "New segment" form, which creates an empty segment and opens its page (segment-page.tsx).
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { type Api, ApiError } from "../api.js";
import { errorLines, hasRole } from "../flag-editor-model.js";
import { useLive } from "../live.js";
import { href } from "../routes.js";
import { Link, navigate } from "../router.js";
import { createSegment, listSegments, type SegmentView } from "../segment-api.js";
import { newSegmentBody, segmentCounts } from "../segment-model.js";
import type { Principal } from "../types.js";
import { TableHead } from "./table-head.js";

/** The flag keys of "Used by", each a link to the flag's page. */
export function FlagLinks(props: { env: string; flags: readonly string[] }): JSX.Element {
  if (props.flags.length === 0) return <span class="muted">no flags</span>;
  return (
    <ul class="inline-list">
      {props.flags.map((key) => (
        <li key={key}>
          <Link href={href(props.env, "flags", key)}>{key}</Link>
        </li>
      ))}
    </ul>
  );
}

function NewSegment(props: { api: Api; env: string; writable: boolean }): JSX.Element {
  const [key, setKey] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = newSegmentBody(key, description);
      await createSegment(props.api, props.env, body, "created in the dashboard");
      navigate(href(props.env, "segments", body.key));
    } catch (e) {
      // A refused key (422) names the field: `body.key: …`, as every other form lists it.
      setError(e instanceof ApiError ? errorLines(e.message, e.details).join("\n") : (e as Error).message);
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="new-segment-title" class="new-segment">
      <h2 id="new-segment-title">New segment</h2>
      {!props.writable && <p class="notice">Read-only: this token may not create segments in {props.env}.</p>}
      <form onSubmit={submit}>
        <fieldset class="bare form-row" disabled={!props.writable}>
          <span class="field">
            <label for="new-segment-key">Segment key</label>
            <input id="new-segment-key" required value={key} onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)} />
          </span>
          <span class="field grow">
            <label for="new-segment-description">Description</label>
            <input id="new-segment-description" value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} />
          </span>
          <button type="submit" class="primary" disabled={!props.writable || busy || key.trim() === ""}>
            Create segment
          </button>
        </fieldset>
      </form>
      {error && (
        <p role="alert" class="error lines">
          {error}
        </p>
      )}
    </section>
  );
}

export function SegmentsPage(props: { api: Api; env: string; principal: Principal }): JSX.Element {
  const { api, env } = props;
  const [segments, setSegments] = useState<SegmentView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const writable = hasRole(props.principal, env, "operator");

  const load = useCallback(() => {
    listSegments(api, env).then(
      (next) => {
        setSegments(next);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, env]);
  useEffect(() => {
    setSegments(null);
    load();
  }, [load]);
  useLive(api, env, load);

  return (
    <section aria-labelledby="segments-title">
      <h1 id="segments-title">Segments in {env}</h1>
      <p class="muted">Reusable audiences that flag rules name with inSegment / notInSegment.</p>
      {error && <p role="alert">{error}</p>}
      <NewSegment api={api} env={env} writable={writable} />
      {segments === null ? (
        <p>Loading…</p>
      ) : segments.length === 0 ? (
        <p>No segments in {env} yet.</p>
      ) : (
        <table aria-label="Segments">
          <TableHead columns={["Key", "Description", "Included ids", "Excluded ids", "Rules", "Bucket by", "Used by"]} />
          <tbody>
            {segments.map(({ segment, usedBy }) => {
              const counts = segmentCounts(segment);
              return (
                <tr key={segment.key}>
                  <th scope="row">
                    <Link href={href(env, "segments", segment.key)}>{segment.key}</Link>
                  </th>
                  <td>{segment.description ?? ""}</td>
                  <td>{counts.included}</td>
                  <td>{counts.excluded}</td>
                  <td>{counts.rules}</td>
                  <td>
                    <code>{segment.bucketBy}</code>
                  </td>
                  <td>
                    <FlagLinks env={env} flags={usedBy} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
