/**
 * Keys and tokens (/ui/{env}/keys): the environment's SDK keys and, for an admin on every
 * environment, the global API tokens — create (the secret shown once), list, revoke (confirmed).
 * Write controls are disabled for tokens without the admin role the API requires.
 */
import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { type ApiToken, createSdkKey, createToken, listSdkKeys, listTokens, revokeSdkKey, revokeToken, type SdkKey } from "../flag-api.js";
import { canManageTokens, hasRole } from "../flag-editor-model.js";
import type { Principal } from "../types.js";
import { RevokeDialog } from "./keys-revoke-dialog.js";
import { SecretOnce } from "./keys-secret.js";
import { TableHead } from "./table-head.js";

interface Revoking {
  what: string;
  run: () => Promise<unknown>;
}

const when = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;

/**
 * The create flow SDK keys and API tokens share: submit the form, show the new secret once, clear
 * the error and let the caller reset its form and reload — or show why the create failed.
 */
function useSecretCreation() {
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const creating = (make: () => Promise<string>, done: () => void) => async (event: Event) => {
    event.preventDefault();
    try {
      setSecret(await make());
      setError(null);
      done();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return { error, setError, secret, dismiss: () => setSecret(null), creating };
}

/**
 * What SDK keys and API tokens share below their create form: the create error, the new secret
 * (shown once), and the listing table, labelled by `${secretLabel}s`, whose header ends in
 * Created and State (the row's last two cells, see CreatedAndState).
 */
function CreatedAndListed(props: {
  error: string | null;
  secretLabel: string;
  secret: string | null;
  onDismiss: () => void;
  columns: string[];
  children: ComponentChildren;
}): JSX.Element {
  return (
    <>
      {props.error && <p role="alert">{props.error}</p>}
      {props.secret && <SecretOnce label={props.secretLabel} secret={props.secret} onDismiss={props.onDismiss} />}
      <table aria-label={`${props.secretLabel}s`}>
        <TableHead columns={[...props.columns, "Created", "State"]} />
        <tbody>{props.children}</tbody>
      </table>
    </>
  );
}

/** A row's Created cell and State cell: when it was revoked, or the button that asks to revoke it. */
function CreatedAndState(props: {
  createdAt: string;
  revokedAt: string | null;
  what: string;
  disabled?: boolean;
  onRevoke: (r: Revoking) => void;
  run: () => Promise<unknown>;
}): JSX.Element {
  return (
    <>
      <td>{when(props.createdAt)}</td>
      <td>
        {props.revokedAt ? (
          <>revoked {when(props.revokedAt)}</>
        ) : (
          <button type="button" disabled={props.disabled} aria-label={`Revoke ${props.what}`} onClick={() => props.onRevoke({ what: props.what, run: props.run })}>
            Revoke
          </button>
        )}
      </td>
    </>
  );
}

function SdkKeys(props: { api: Api; env: string; writable: boolean; onRevoke: (r: Revoking) => void; tick: number }): JSX.Element {
  const { api, env } = props;
  const [keys, setKeys] = useState<SdkKey[] | null>(null);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<SdkKey["kind"]>("server");
  const { error, setError, secret, dismiss, creating } = useSecretCreation();

  const load = useCallback(() => {
    listSdkKeys(api, env).then(setKeys, (e: Error) => setError(e.message));
  }, [api, env]);
  useEffect(load, [load, props.tick]);

  const create = creating(
    async () => (await createSdkKey(api, env, name.trim(), kind)).key,
    () => {
      setName("");
      load();
    },
  );

  return (
    <section aria-labelledby="sdk-keys-title">
      <h2 id="sdk-keys-title">SDK keys in {env}</h2>
      <form class="toolbar" aria-label="Create an SDK key" onSubmit={create}>
        <span class="field">
          <label for="sdk-key-name">Key name</label>
          <input id="sdk-key-name" required value={name} disabled={!props.writable} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </span>
        <span class="field">
          <label for="sdk-key-kind">Kind</label>
          <select id="sdk-key-kind" value={kind} disabled={!props.writable} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as SdkKey["kind"])}>
            <option value="server">server (all flags)</option>
            <option value="client">client (browser-safe flags)</option>
          </select>
        </span>
        <button type="submit" class="primary" disabled={!props.writable}>
          Create SDK key
        </button>
      </form>
      <CreatedAndListed error={error} secretLabel="SDK key" secret={secret} onDismiss={dismiss} columns={["Name", "Kind", "Id"]}>
        {(keys ?? []).map((k) => (
          <tr key={k.id}>
            <th scope="row">{k.name}</th>
            <td>{k.kind}</td>
            <td>
              <code>{k.id}</code>
            </td>
            <CreatedAndState
              createdAt={k.createdAt}
              revokedAt={k.revokedAt}
              what={`SDK key ${k.name}`}
              disabled={!props.writable}
              onRevoke={props.onRevoke}
              run={() => revokeSdkKey(api, env, k.id)}
            />
          </tr>
        ))}
      </CreatedAndListed>
    </section>
  );
}

function ApiTokens(props: { api: Api; onRevoke: (r: Revoking) => void; tick: number; environments: string[] }): JSX.Element {
  const { api } = props;
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState("");
  const [role, setRole] = useState<ApiToken["role"]>("viewer");
  const [scope, setScope] = useState("*");
  const { error, setError, secret, dismiss, creating } = useSecretCreation();

  const load = useCallback(() => {
    listTokens(api).then(setTokens, (e: Error) => setError(e.message));
  }, [api]);
  useEffect(load, [load, props.tick]);

  const create = creating(
    async () => (await createToken(api, name.trim(), role, [scope])).token,
    () => {
      setName("");
      load();
    },
  );

  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <form class="toolbar" aria-label="Create an API token" onSubmit={create}>
        <span class="field">
          <label for="token-name">Token name</label>
          <input id="token-name" required value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </span>
        <span class="field">
          <label for="token-role">Role</label>
          <select id="token-role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as ApiToken["role"])}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </span>
        <span class="field">
          <label for="token-env">Environments</label>
          <select id="token-env" value={scope} onChange={(e) => setScope((e.currentTarget as HTMLSelectElement).value)}>
            <option value="*">all (*)</option>
            {props.environments.map((env) => (
              <option key={env} value={env}>
                {env}
              </option>
            ))}
          </select>
        </span>
        <button type="submit" class="primary">
          Create API token
        </button>
      </form>
      <CreatedAndListed error={error} secretLabel="API token" secret={secret} onDismiss={dismiss} columns={["Name", "Role", "Environments"]}>
        {(tokens ?? []).map((t) => (
          <tr key={t.id}>
            <th scope="row">{t.name}</th>
            <td>{t.role}</td>
            <td>{t.environments.join(", ")}</td>
            <CreatedAndState createdAt={t.createdAt} revokedAt={t.revokedAt} what={`API token ${t.name}`} onRevoke={props.onRevoke} run={() => revokeToken(api, t.id)} />
          </tr>
        ))}
      </CreatedAndListed>
    </section>
  );
}

export function KeysPage(props: { api: Api; env: string; principal: Principal; environments: string[] }): JSX.Element {
  const [revoking, setRevoking] = useState<Revoking | null>(null);
  const [tick, setTick] = useState(0);
  const keysWritable = hasRole(props.principal, props.env, "admin");
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Keys and tokens</h1>
      {!keysWritable && <p class="notice">Read-only: creating and revoking SDK keys in {props.env} needs an admin token.</p>}
      <SdkKeys api={props.api} env={props.env} writable={keysWritable} onRevoke={setRevoking} tick={tick} />
      {canManageTokens(props.principal) ? (
        <ApiTokens api={props.api} onRevoke={setRevoking} tick={tick} environments={props.environments} />
      ) : (
        <p class="muted">API tokens are managed by an admin token on every environment (*).</p>
      )}
      {revoking && (
        <RevokeDialog
          what={revoking.what}
          onConfirm={async () => {
            await revoking.run();
            setTick((n) => n + 1);
          }}
          onClose={() => setRevoking(null)}
        />
      )}
    </section>
  );
}
