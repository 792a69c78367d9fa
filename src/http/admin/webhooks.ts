/**
 * Admin routes for webhook subscriptions (docs/webhooks.md): create, list, delete, and each
 * subscription's delivery log. All need the admin role on the environment: a subscription sends
 * every change of the environment (flag bodies included) to a URL of the caller's choosing, and a
 * webhook URL is often itself the credential (chat tools' incoming webhooks).
 */
import { z } from "zod";
import { CreatedWebhook, CreateWebhookInput, WebhookDelivery, WebhookRecord } from "../../domain/webhook.js";
import { environmentStub } from "../../environment/api.js";
import { adminRoute } from "./access.js";
import { ChangeResult, EnvParam, IdParams } from "./schemas.js";
import { changeMeta, createAdminRouter, errorResponses, jsonContent, unwrap } from "./support.js";

export const webhookRoutes = createAdminRouter();

const DeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

webhookRoutes.openapi(
  adminRoute({ role: "admin", on: "path" }, {
    method: "post",
    path: "/envs/{env}/webhooks",
    summary: "Subscribe a URL to the environment's events (a generated secret is shown once)",
    request: { params: EnvParam, body: { ...jsonContent(CreateWebhookInput, "url, event patterns and an optional signing secret"), required: true } },
    responses: { 201: jsonContent(CreatedWebhook, "the subscription; `secret` only when it was generated"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    // The request's own origin is this service, which a webhook may not call.
    const { webhook } = unwrap(await environmentStub(c.env, env).createWebhook(c.req.valid("json"), changeMeta(c), new URL(c.req.url).origin));
    return c.json(webhook, 201);
  },
);

webhookRoutes.openapi(
  adminRoute({ role: "admin", on: "path" }, {
    method: "get",
    path: "/envs/{env}/webhooks",
    summary: "List webhook subscriptions (without secrets), rollout-scoped ones included",
    request: { params: EnvParam },
    responses: { 200: jsonContent(z.object({ webhooks: z.array(WebhookRecord) }), "the subscriptions"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    return c.json({ webhooks: await environmentStub(c.env, env).listWebhooks() }, 200);
  },
);

webhookRoutes.openapi(
  adminRoute({ role: "admin", on: "path" }, {
    method: "delete",
    path: "/envs/{env}/webhooks/{id}",
    summary: "Delete a webhook subscription (what it still had queued is not sent)",
    request: { params: IdParams },
    responses: { 200: jsonContent(ChangeResult, "deleted"), ...errorResponses },
  }),
  async (c) => {
    const { env, id } = c.req.valid("param");
    const r = unwrap(await environmentStub(c.env, env).deleteWebhook(id, changeMeta(c)));
    return c.json({ environmentVersion: r.version, published: r.published }, 200);
  },
);

webhookRoutes.openapi(
  adminRoute({ role: "admin", on: "path" }, {
    method: "get",
    path: "/envs/{env}/webhooks/{id}/deliveries",
    summary: "A subscription's delivery log: its newest attempts, newest first",
    request: { params: IdParams, query: DeliveriesQuery },
    responses: { 200: jsonContent(z.object({ deliveries: z.array(WebhookDelivery) }), "the attempts"), ...errorResponses },
  }),
  async (c) => {
    const { env, id } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    const { deliveries } = unwrap(await environmentStub(c.env, env).webhookDeliveries(id, limit));
    return c.json({ deliveries }, 200);
  },
);
