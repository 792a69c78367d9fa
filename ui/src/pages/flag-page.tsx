/**
 * A flag's page (/ui/{env}/flags/{key}): its summary, the editor (form and JSON), "Evaluate as",
 * compare with / promote to another environment, its versions with restore, and the history from
 * the audit log. Reached from the key in the flags table.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { getFlag } from "../flag-api.js";
import { hasRole } from "../flag-editor-model.js";
import { href } from "../routes.js";
import { Link } from "../router.js";
import { flagServeSummary } from "../serve-summary.js";
import type { Flag, Principal } from "../types.js";
import { FlagCompare } from "./flag-compare.js";
import { FlagEditor } from "./flag-editor.js";
import { FlagExplain } from "./flag-explain.js";
import { FlagHistory } from "./flag-history.js";
import { FlagVersions } from "./flag-versions.js";

export function FlagPage(props: { api: Api; env: string; flagKey: string; principal: Principal; environments: readonly string[] }): JSX.Element {
  const { api, env, flagKey } = props;
  const [flag, setFlag] = useState<Flag | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [historyTick, setHistoryTick] = useState(0);
  const writable = hasRole(props.principal, env, "operator");

  const load = useCallback(async () => {
    try {
      setFlag((await getFlag(api, env, flagKey)).flag);
      setError(null);
      // A reload (after a 409, say) also shows the history that led to the current version.
      setHistoryTick((n) => n + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api, env, flagKey]);
  useEffect(() => {
    setFlag(null);
    void load();
  }, [load]);

  return (
    <section aria-labelledby="flag-title">
      <p>
        <Link href={href(env, "flags")}>← all flags in {env}</Link>
      </p>
      <h1 id="flag-title">
        Flag <code>{flagKey}</code> in {env}
      </h1>
      {error && <p role="alert">{error}</p>}
      {!writable && <p class="notice">Read-only: this token may not change flags in {env}.</p>}
      {flag && (
        <>
          <dl class="facts">
            <dt>Type</dt>
            <dd>{flag.type}</dd>
            <dt>Enabled</dt>
            <dd>{flag.enabled ? "on" : "off"}</dd>
            <dt>Serves</dt>
            <dd>{flagServeSummary(flag)}</dd>
            {flag.description && (
              <>
                <dt>Description</dt>
                <dd>{flag.description}</dd>
              </>
            )}
          </dl>
          <div class="flag-columns">
            <FlagEditor
              api={api}
              env={env}
              flag={flag}
              writable={writable}
              onSaved={(next) => {
                setFlag(next);
                setHistoryTick((n) => n + 1);
              }}
              onReload={() => void load()}
            />
            <FlagExplain api={api} env={env} flagKey={flagKey} />
          </div>
          <FlagCompare api={api} env={env} flag={flag} principal={props.principal} environments={props.environments} />
          <FlagVersions
            api={api}
            env={env}
            flag={flag}
            writable={writable}
            reloadKey={historyTick}
            onRestored={(next) => {
              setFlag(next);
              setHistoryTick((n) => n + 1);
            }}
            onReload={() => void load()}
          />
          <FlagHistory api={api} env={env} flagKey={flagKey} reloadKey={historyTick} />
        </>
      )}
    </section>
  );
}
