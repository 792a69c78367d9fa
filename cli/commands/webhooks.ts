/** `flagctl webhooks`: subscriptions to an environment's events, and their delivery logs (docs/webhooks.md). */
import { Command } from "commander";
import { z } from "zod";
import { CreateWebhookInput, EventPattern, WebhookSecret } from "../../src/domain/webhook.ts";
import { parse } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { UsageError } from "../lib/errors.ts";
import { out, table, time } from "../lib/output.ts";
import type { CreatedWebhook, CreateWebhookBody, WebhookDelivery, WebhookRecord } from "../lib/types.ts";

const Url = CreateWebhookInput.shape.url;
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "ids are 1-64 chars of [A-Za-z0-9_-]");
const Limit = z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "at least 1").max(100, "at most 100");

export function webhooksCommand(): Command {
  const webhooks = new Command("webhooks").description("webhook subscriptions: every change of an environment, signed, to a URL (admin role)");

  webhooks
    .command("create")
    .description("subscribe a URL to events; without --secret a signing secret is generated and shown once")
    .argument("<url>", "https URL that receives the POSTs")
    .requiredOption("--env <env>", "environment")
    .requiredOption("--events <list>", 'comma-separated patterns: "*", "flag.*", "rollout.*", "flag.disabled", …')
    .option("--secret <secret>", "your own signing secret (16-128 printable characters); prefer the generated one")
    .action(async (urlArg: string, opts: { env: string; events: string; secret?: string }, cmd: Command) => {
      const url = parse(Url, urlArg, "<url>");
      const events = opts.events.split(",").map((e) => e.trim()).filter((e) => e !== "");
      if (events.length === 0) throw new UsageError('--events needs at least one pattern, e.g. "flag.*"');
      for (const e of events) parse(EventPattern, e, "--events");
      const env = envOf(opts);
      const body: CreateWebhookBody = { url, events, ...(opts.secret === undefined ? {} : { secret: parse(WebhookSecret, opts.secret, "--secret", { secret: true }) }) };
      const { api, json } = context(cmd);
      const created = await api.admin<CreatedWebhook>("POST", `/envs/${env}/webhooks`, { body });
      if (json) return out.json(created);
      out.line(`created webhook ${created.id} in ${env}: ${created.url} (${created.events.join(", ")})`);
      if (created.secret !== undefined) {
        out.line(created.secret);
        out.err("this is the only time the signing secret is shown: store it with the receiver (docs/webhooks.md, \"Verifying a delivery\").");
      }
    });

  webhooks
    .command("list")
    .description("list the environment's webhook subscriptions (without secrets)")
    .requiredOption("--env <env>", "environment")
    .action(async (opts: { env: string }, cmd: Command) => {
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const body = await api.admin<{ webhooks: WebhookRecord[] }>("GET", `/envs/${env}/webhooks`);
      if (json) return out.json(body);
      if (body.webhooks.length === 0) return out.line(`no webhooks in ${env}`);
      const rows = body.webhooks.map((w) => [w.id, w.url, w.events.join(","), w.rolloutId ?? "", time(w.createdAt), w.createdBy]);
      for (const l of table(["id", "url", "events", "rollout", "created", "by"], rows)) out.line(l);
    });

  webhooks
    .command("delete")
    .description("delete a webhook subscription (what it still had queued is not sent)")
    .argument("<id>", "webhook id (from webhooks list)")
    .requiredOption("--env <env>", "environment")
    .action(async (idArg: string, opts: { env: string }, cmd: Command) => {
      const id = parse(Id, idArg, "<id>");
      const env = envOf(opts);
      const { api, json } = context(cmd);
      await api.admin<{ environmentVersion: number; published: boolean }>("DELETE", `/envs/${env}/webhooks/${id}`);
      if (json) return out.json({ id, deleted: true });
      out.line(`deleted webhook ${id} in ${env}`);
    });

  webhooks
    .command("deliveries")
    .description("a webhook's delivery log: its newest attempts, newest first")
    .argument("<id>", "webhook id (from webhooks list)")
    .requiredOption("--env <env>", "environment")
    .option("--limit <n>", "attempts to show (1-100)", "20")
    .action(async (idArg: string, opts: { env: string; limit: string }, cmd: Command) => {
      const id = parse(Id, idArg, "<id>");
      const limit = parse(Limit, opts.limit, "--limit");
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const body = await api.admin<{ deliveries: WebhookDelivery[] }>("GET", `/envs/${env}/webhooks/${id}/deliveries`, { query: { limit } });
      if (json) return out.json(body);
      if (body.deliveries.length === 0) return out.line(`no deliveries yet for ${id}`);
      const rows = body.deliveries.map((d) => [time(d.at), d.eventId, d.eventType, String(d.attempt), d.status === null ? "-" : String(d.status), d.outcome, d.error ?? ""]);
      for (const l of table(["at", "event", "type", "attempt", "status", "outcome", "error"], rows)) out.line(l);
    });

  return webhooks;
}
