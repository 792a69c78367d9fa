/**
 * A just-created secret (an SDK key or an API token), shown this once with a Copy button
 * (navigator.clipboard); the API never shows it again.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";

export function SecretOnce(props: { label: string; secret: string; onDismiss: () => void }): JSX.Element {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied("Copied.");
    } catch {
      setCopied("Copy failed: select the text and copy it by hand.");
    }
  };
  return (
    <div class="secret notice" role="region" aria-label={`New ${props.label}`}>
      <p>
        The new {props.label}, shown only now. Store it before you leave this page:
      </p>
      <code class="secret-value" aria-label={`${props.label} secret`}>
        {props.secret}
      </code>
      <div class="actions">
        <button type="button" onClick={copy}>
          Copy
        </button>
        <button type="button" onClick={props.onDismiss}>
          Done
        </button>
      </div>
      {copied && <p role="status">{copied}</p>}
    </div>
  );
}
