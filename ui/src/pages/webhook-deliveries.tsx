/**
 * One subscription's delivery log (`GET …/webhooks/{id}/deliveries`): every attempt, newest first,
 * with a summary of outcomes and Refresh. It reloads on the page's live tick (the admin event
 * stream, via useLive) and, while an event still awaits a retry, every few seconds: retries run
 * from the Durable Object's alarm, which sends no stream event.
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "../api.js";
import { listDeliveries, type Webhook } from "../webhook-api.js";
import { awaitingRetry, deliveryResult, type DeliveryRow, deliverySummary } from "../webhook-model.js";
import { TableHead } from "./table-head.js";

const RETRY_POLL_MS = 5_000;
const COLUMNS = ["Time", "Event type", "Event id", "Attempt", "HTTP status or error", "Outcome"];

export function WebhookDeliveries(props: { api: Api; env: string; webhook: Webhook; tick: number; onClose: () => void }): JSX.Element {
  const { api, env, webhook } = props;
  const [rows, setRows] = useState<DeliveryRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    listDeliveries(api, env, webhook.id).then(
      (r) => {
        setRows(r);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, env, webhook.id]);
  useEffect(load, [load, props.tick]);

  const polling = rows !== null && awaitingRetry(rows);
  useEffect(() => {
    if (!polling) return undefined;
    const timer = setInterval(load, RETRY_POLL_MS);
    return () => clearInterval(timer);
  }, [polling, load]);

  const name = `Deliveries for ${webhook.url}`;
  return (
    <section class="webhook-deliveries" aria-labelledby="webhook-deliveries-title">
      <div class="deliveries-head">
        <h2 id="webhook-deliveries-title">
          Delivery log <code>{webhook.url}</code>
        </h2>
        <button type="button" onClick={load}>
          Refresh
        </button>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {rows && <p class="muted">{deliverySummary(rows)}</p>}
      <table aria-label={name}>
        <TableHead columns={COLUMNS} />
        <tbody>
          {(rows ?? []).map((d) => (
            <tr key={`${d.eventId} ${d.attempt}`}>
              <td>
                <time dateTime={d.at}>{new Date(d.at).toLocaleString()}</time>
              </td>
              <td>{d.eventType}</td>
              <td>
                <code>{d.eventId}</code>
              </td>
              <td>{d.attempt}</td>
              <td>{deliveryResult(d)}</td>
              <td class={`outcome-${d.outcome}`}>{d.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
