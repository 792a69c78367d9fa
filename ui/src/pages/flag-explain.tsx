/**
 * "Evaluate as": a context as JSON → POST …/flags/{key}/explain → the value, variant and reason an
 * SDK would get now — or, with "At", what it got then, from the flag (and its segments and
 * prerequisites) as they were, rebuilt from the audit log — and why: what decided (override,
 * disabled, a prerequisite, a rule, the fallthrough), the rule, the context's bucket and the bound
 * it was compared with, and which flag version was evaluated.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { type Api, ApiError } from "../api.js";
import { type Explanation, explainFlag } from "../flag-api.js";
import { errorLines } from "../flag-editor-model.js";
import { ErrorList } from "./save-feedback.js";

export function FlagExplain(props: { api: Api; env: string; flagKey: string }): JSX.Element {
  const [text, setText] = useState('{\n  "targetingKey": "user-42"\n}');
  const [result, setResult] = useState<Explanation | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [at, setAt] = useState("");

  const run = async (event: Event) => {
    event.preventDefault();
    let context: unknown;
    try {
      context = JSON.parse(text);
    } catch (e) {
      setErrors([`not valid JSON: ${(e as Error).message}`]);
      return;
    }
    // Anything Date reads ("2026-12-01T10:00" is local time, "…Z" UTC) is sent as ISO 8601 UTC.
    const atMs = at.trim() === "" ? undefined : Date.parse(at.trim());
    if (atMs !== undefined && Number.isNaN(atMs)) {
      setErrors(["at: not a date and time (e.g. 2026-12-01T10:00:00Z)"]);
      return;
    }
    try {
      setResult(await explainFlag(props.api, props.env, props.flagKey, context, atMs === undefined ? undefined : new Date(atMs).toISOString()));
      setErrors([]);
    } catch (e) {
      setResult(null);
      setErrors(e instanceof ApiError ? errorLines(e.message, e.details) : [(e as Error).message]);
    }
  };

  const rule = result?.ruleId !== undefined ? `${result.ruleId} (#${result.ruleIndex ?? "?"})` : "—";
  return (
    <form class="explain" aria-labelledby="explain-title" onSubmit={run}>
      <h2 id="explain-title">Evaluate as</h2>
      <span class="field">
        <label for="explain-context">Context (JSON)</label>
        <textarea id="explain-context" class="code" rows={5} spellcheck={false} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
      </span>
      <span class="field">
        <label for="explain-at">At (optional: a past time)</label>
        <input id="explain-at" placeholder="now, or e.g. 2026-12-01T10:00:00Z" value={at} onInput={(e) => setAt((e.currentTarget as HTMLInputElement).value)} />
      </span>
      <div class="toolbar">
        <button type="submit">Evaluate</button>
      </div>
      <ErrorList lines={errors} />
      {result && (
        <dl class="facts" aria-label="Explanation">
          <dt>Value</dt>
          <dd>
            <code>{result.value === undefined ? "—" : JSON.stringify(result.value)}</code>
          </dd>
          <dt>Variant</dt>
          <dd>{result.variant ?? "—"}</dd>
          <dt>Reason</dt>
          <dd>
            {result.reason}
            {result.errorCode && ` (${result.errorCode}${result.errorDetails ? `: ${result.errorDetails}` : ""})`}
          </dd>
          <dt>Decided by</dt>
          <dd>
            {result.decidedBy === "override"
              ? `override (FLAG_OVERRIDES → ${result.override ?? "?"})`
              : result.prerequisite
                ? `PREREQUISITE_FAILED: ${result.prerequisite.flag} is ${result.prerequisite.variant ?? "missing or an error"}, needs ${result.prerequisite.variants.join(" or ")}`
                : result.decidedBy}
          </dd>
          <dt>Rule</dt>
          <dd>{rule}</dd>
          <dt>Bucket</dt>
          <dd>{result.bucket ?? "—"}</dd>
          <dt>Bound</dt>
          <dd>{result.bound === undefined ? "—" : `${result.bound}${result.bucket !== undefined ? (result.bucket < result.bound ? " (bucket below)" : " (bucket at or above)") : ""}`}</dd>
          <dt>Flag version</dt>
          <dd>{result.flagVersion}</dd>
          <dt>Evaluated at</dt>
          <dd>
            <time dateTime={result.evaluatedAt}>{result.evaluatedAt}</time>
          </dd>
        </dl>
      )}
    </form>
  );
}
