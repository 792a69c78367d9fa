/**
 * Webhooks (/ui/{env}/webhooks): the environment's subscriptions (docs/webhooks.md) — add one (a
 * generated secret shown once), list them with their scope, open a subscription's delivery log,
 * delete one after a confirmation. Every webhook route needs the admin role, reads included, so a
 * token without it gets a notice and the form disabled, and the page does not ask for the list.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { hasRole } from "../flag-editor-model.js";
import { useLive } from "../live.js";
import type { Principal } from "../types.js";
import { type CreatedWebhook, deleteWebhook, listWebhooks, type Webhook } from "../webhook-api.js";
import { webhookScope } from "../webhook-model.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { SecretOnce } from "./keys-secret.js";
import { WebhookDeliveries } from "./webhook-deliveries.js";
import { WebhookForm } from "./webhook-form.js";
import { TableHead } from "./table-head.js";

const COLUMNS = ["URL", "Events", "Scope", "Created", "Created by", "Actions"];

function WebhookRows(props: { webhooks: Webhook[]; open: string | null; onOpen: (w: Webhook) => void; onDelete: (w: Webhook) => void }): JSX.Element {
  return (
    <table aria-label="Webhooks">
      <TableHead columns={COLUMNS} />
      <tbody>
        {props.webhooks.map((w) => (
          <tr key={w.id} aria-current={props.open === w.id ? "true" : undefined}>
            <th scope="row" class="webhook-url">
              <code>{w.url}</code>
            </th>
            <td>{w.events.join(", ")}</td>
            <td>{webhookScope(w)}</td>
            <td>
              <time dateTime={w.createdAt}>{new Date(w.createdAt).toLocaleString()}</time>
            </td>
            <td>{w.createdBy}</td>
            <td>
              <div class="row-buttons">
                <button type="button" aria-label={`Deliveries for ${w.url}`} aria-expanded={props.open === w.id} onClick={() => props.onOpen(w)}>
                  Deliveries
                </button>
                <button type="button" aria-label={`Delete webhook ${w.url}`} onClick={() => props.onDelete(w)}>
                  Delete
                </button>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The admin's view: one live stream (useLive) ticks both the list and the open delivery log. */
function AdminWebhooks(props: { api: Api; env: string }): JSX.Element {
  const { api, env } = props;
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [tick, setTick] = useState(0);
  const bump = useCallback(() => setTick((n) => n + 1), []);
  useLive(api, env, bump);

  useEffect(() => {
    listWebhooks(api, env).then(
      (list) => {
        setWebhooks(list);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, env, tick]);

  // A subscription deleted elsewhere (or a rollout's, removed when the rollout ended) closes its log.
  const open = webhooks?.find((w) => w.id === openId) ?? null;

  return (
    <>
      <WebhookForm
        api={api}
        env={env}
        writable
        onCreated={(w) => {
          setCreated(w);
          bump();
        }}
      />
      {created && (
        <p role="status">
          Added webhook <code>{created.url}</code> ({created.events.join(", ")}).
        </p>
      )}
      {created?.secret && <SecretOnce label="webhook secret" secret={created.secret} onDismiss={() => setCreated(null)} />}
      {error && <p role="alert">{error}</p>}
      {webhooks && webhooks.length === 0 && <p class="muted">No webhooks in {env} yet.</p>}
      {webhooks && webhooks.length > 0 && <WebhookRows webhooks={webhooks} open={openId} onOpen={(w) => setOpenId(w.id)} onDelete={setDeleting} />}
      {open && <WebhookDeliveries key={open.id} api={api} env={env} webhook={open} tick={tick} onClose={() => setOpenId(null)} />}
      {deleting && (
        <ConfirmDialog
          titleId="webhook-delete-title"
          title={`Delete webhook ${deleting.url}?`}
          confirmLabel="Delete"
          canConfirm
          onConfirm={async () => {
            await deleteWebhook(api, env, deleting.id);
            if (openId === deleting.id) setOpenId(null);
            bump();
          }}
          onClose={() => setDeleting(null)}
        >
          <p>It stops receiving events at once; what it still had queued is not sent, and its delivery log goes with it.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

export function WebhooksPage(props: { api: Api; env: string; principal: Principal }): JSX.Element {
  const admin = hasRole(props.principal, props.env, "admin");
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      {admin ? (
        <AdminWebhooks key={props.env} api={props.api} env={props.env} />
      ) : (
        <>
          <p class="notice">
            Webhooks in {props.env} need an admin token: a subscription sends every change of the environment to a URL of its own, so even the list is
            admin-only. This token is {props.principal.role} on {props.principal.environments.join(", ")}.
          </p>
          <WebhookForm api={props.api} env={props.env} writable={false} onCreated={() => undefined} />
        </>
      )}
    </section>
  );
}
