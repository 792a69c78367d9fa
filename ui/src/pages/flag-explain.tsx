/**
 * "Evaluate as": a context as JSON → POST …/flags/{key}/explain → the value, variant and reason an
 * SDK would get now, and why: what decided (override, disabled, a rule, the fallthrough), the rule,
 * the context's bucket and the bound it was compared with.
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

  const run = async (event: Event) => {
    event.preventDefault();
    let context: unknown;
    try {
      context = JSON.parse(text);
    } catch (e) {
      setErrors([`not valid JSON: ${(e as Error).message}`]);
      return;
    }
    try {
      setResult(await explainFlag(props.api, props.env, props.flagKey, context));
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
          <dd>{result.decidedBy === "override" ? `override (FLAG_OVERRIDES → ${result.override ?? "?"})` : result.decidedBy}</dd>
          <dt>Rule</dt>
          <dd>{rule}</dd>
          <dt>Bucket</dt>
          <dd>{result.bucket ?? "—"}</dd>
          <dt>Bound</dt>
          <dd>{result.bound === undefined ? "—" : `${result.bound}${result.bucket !== undefined ? (result.bucket < result.bound ? " (bucket below)" : " (bucket at or above)") : ""}`}</dd>
          <dt>Flag version</dt>
          <dd>{result.flagVersion}</dd>
        </dl>
      )}
    </form>
  );
}
