/**
 * "Add a webhook": the URL, one checkbox per event family plus other patterns, an optional signing
 * secret. The events list is checked here first (ui/src/webhook-model.ts), then by the API, whose
 * refusal is listed as `path: message` lines. Disabled as a whole for a token without admin.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { type Api, ApiError } from "../api.js";
import { errorLines } from "../flag-editor-model.js";
import { type CreatedWebhook, createWebhook } from "../webhook-api.js";
import { buildEvents, EVENT_FAMILIES, secretProblem } from "../webhook-model.js";
import { ErrorList } from "./save-feedback.js";

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

export function WebhookForm(props: { api: Api; env: string; writable: boolean; onCreated: (w: CreatedWebhook) => void }): JSX.Element {
  const [url, setUrl] = useState("");
  const [families, setFamilies] = useState<string[]>([]);
  const [extra, setExtra] = useState("");
  const [secret, setSecret] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const toggle = (family: string, on: boolean) => setFamilies((fs) => (on ? [...fs, family] : fs.filter((f) => f !== family)));

  const submit = async (event: Event) => {
    event.preventDefault();
    const built = buildEvents({ families, extra });
    const secretError = secretProblem(secret);
    const problems = [...(built.ok ? [] : built.errors), ...(secretError ? [secretError] : [])];
    if (!built.ok || problems.length > 0) {
      setErrors(problems);
      return;
    }
    setBusy(true);
    try {
      const created = await createWebhook(props.api, props.env, { url: url.trim(), events: built.events, ...(secret ? { secret } : {}) });
      setErrors([]);
      setUrl("");
      setFamilies([]);
      setExtra("");
      setSecret("");
      props.onCreated(created);
    } catch (e) {
      setErrors(e instanceof ApiError ? errorLines(e.message, e.details) : [(e as Error).message]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="webhook-form" aria-labelledby="webhook-form-title" onSubmit={submit}>
      <h2 id="webhook-form-title">Add a webhook</h2>
      <fieldset class="bare" disabled={!props.writable}>
        <span class="field">
          <label for="webhook-url">Webhook URL</label>
          <input id="webhook-url" type="url" required placeholder="https://hooks.example.com/edgeflags" value={url} onInput={(e) => setUrl(value(e))} />
        </span>
        <fieldset class="webhook-events">
          <legend>Events</legend>
          {EVENT_FAMILIES.map((family) => (
            <span class="check" key={family}>
              <input
                id={`webhook-family-${family}`}
                type="checkbox"
                checked={families.includes(family)}
                onChange={(e) => toggle(family, (e.currentTarget as HTMLInputElement).checked)}
              />
              <label for={`webhook-family-${family}`}>{`${family}.*`}</label>
            </span>
          ))}
          <span class="field">
            <label for="webhook-extra">Other patterns (comma-separated)</label>
            <input id="webhook-extra" placeholder="flag.disabled, rollout.guard_warning" value={extra} onInput={(e) => setExtra(value(e))} />
          </span>
        </fieldset>
        <span class="field">
          <label for="webhook-secret">Signing secret (optional)</label>
          <input id="webhook-secret" type="password" autocomplete="off" value={secret} onInput={(e) => setSecret(value(e))} />
          <span class="hint">Leave empty and one is generated, shown once.</span>
        </span>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Add webhook
          </button>
        </div>
      </fieldset>
      <ErrorList lines={errors} />
    </form>
  );
}
