/**
 * A segment's page (/ui/{env}/segments/{key}, reached from the key in the Segments table): its
 * facts (version, bucketBy, counts, the flags that use it), the JSON editor, the members form, the
 * searchable included ids and Delete. Live through the admin event stream, so "Used by" follows
 * flag changes; the editor keeps unsaved text across those reloads (segment-editor.tsx).
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { hasRole } from "../flag-editor-model.js";
import { useLive } from "../live.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import { getSegment, type SegmentView } from "../segment-api.js";
import { segmentCounts } from "../segment-model.js";
import type { Principal } from "../types.js";
import { SegmentDelete } from "./segment-delete.js";
import { SegmentEditor } from "./segment-editor.js";
import { IncludedIds, SegmentMembers } from "./segment-members.js";
import { FlagLinks } from "./segments.js";

export function SegmentPage(props: { api: Api; env: string; principal: Principal; segmentKey: string }): JSX.Element {
  const { api, env, segmentKey } = props;
  const [view, setView] = useState<SegmentView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const writable = hasRole(props.principal, env, "operator");

  const load = useCallback(async () => {
    try {
      setView(await getSegment(api, env, segmentKey));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api, env, segmentKey]);
  useEffect(() => {
    setView(null);
    void load();
  }, [load]);
  useLive(api, env, () => void load());

  const segment = view?.segment;
  const counts = segment && segmentCounts(segment);
  return (
    <section aria-labelledby="segment-title">
      <p>
        <Link href={href(env, "segments")}>← all segments in {env}</Link>
      </p>
      <h1 id="segment-title">
        Segment <code>{segmentKey}</code> in {env}
      </h1>
      {error && <p role="alert">{error}</p>}
      {!writable && <p class="notice">Read-only: this token may not change segments in {env}.</p>}
      {view && segment && counts && (
        <>
          <dl class="facts" aria-label="Segment facts">
            <dt>Version</dt>
            <dd>{segment.version}</dd>
            {segment.description && (
              <>
                <dt>Description</dt>
                <dd>{segment.description}</dd>
              </>
            )}
            <dt>Bucket by</dt>
            <dd>
              <code>{segment.bucketBy}</code>
            </dd>
            <dt>Included ids</dt>
            <dd>{counts.included}</dd>
            <dt>Excluded ids</dt>
            <dd>{counts.excluded}</dd>
            <dt>Rules</dt>
            <dd>{counts.rules}</dd>
            <dt>Used by</dt>
            <dd>
              <FlagLinks env={env} flags={view.usedBy} />
            </dd>
          </dl>
          <div class="segment-columns">
            <SegmentEditor api={api} env={env} segment={segment} writable={writable} onSaved={(r) => setView({ segment: r.segment, usedBy: r.usedBy })} onReload={() => void load()} />
            <div>
              <SegmentMembers api={api} env={env} segmentKey={segmentKey} writable={writable} onChanged={(r) => setView({ segment: r.segment, usedBy: r.usedBy })} />
              <IncludedIds include={segment.include} />
            </div>
          </div>
          <SegmentDelete api={api} env={env} segmentKey={segmentKey} usedBy={view.usedBy} writable={writable} />
        </>
      )}
    </section>
  );
}
