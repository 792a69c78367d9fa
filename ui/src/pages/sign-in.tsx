/** Sign-in: paste an API token; Enter submits. A refused token shows the reason. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";

export function SignIn(props: { onSubmit: (token: string) => Promise<void> }): JSX.Element {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(token.trim());
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>edgeflags</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          value={token}
          onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)}
          aria-describedby={error ? "token-error" : undefined}
        />
        <p class="hint">Kept in this tab's session storage only; closing the tab signs you out.</p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p id="token-error" role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
