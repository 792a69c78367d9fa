/**
 * The webhooks page's admin API calls (docs/webhooks.md), on top of `Api.request`: list, create
 * (the generated secret comes back once), delete, and a subscription's delivery log. Every route
 * needs the admin role on the environment.
 */
import type { Api } from "./api.js";
import type { DeliveryRow } from "./webhook-model.js";

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  rolloutId: string | null;
  createdAt: string;
  createdBy: string;
}

/** The 201 answer: `secret` only when the request brought none. */
export interface CreatedWebhook extends Webhook {
  secret?: string;
}

const webhooksPath = (env: string) => `/admin/v1/envs/${encodeURIComponent(env)}/webhooks`;

export async function listWebhooks(api: Api, env: string): Promise<Webhook[]> {
  return (await api.request<{ webhooks: Webhook[] }>("GET", webhooksPath(env))).webhooks;
}

export function createWebhook(api: Api, env: string, body: { url: string; events: string[]; secret?: string }): Promise<CreatedWebhook> {
  return api.request("POST", webhooksPath(env), body);
}

export function deleteWebhook(api: Api, env: string, id: string): Promise<unknown> {
  return api.request("DELETE", `${webhooksPath(env)}/${encodeURIComponent(id)}`);
}

/** The newest attempts first; the server keeps the last 100. */
export async function listDeliveries(api: Api, env: string, id: string, limit = 50): Promise<DeliveryRow[]> {
  return (await api.request<{ deliveries: DeliveryRow[] }>("GET", `${webhooksPath(env)}/${encodeURIComponent(id)}/deliveries?limit=${limit}`)).deliveries;
}
