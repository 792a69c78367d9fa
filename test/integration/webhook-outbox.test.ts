/**
 * The webhook outbox and subscription store on a real Durable Object's SQLite: an older outbox
 * table gains the new columns; an event is queued in the change's transaction (a rolled-back change
 * queues nothing), once per matching subscription, and signed with the subscription's own secret
 * (WEBHOOK_SECRET for rollout-scoped ones); the delivery log keeps the newest 100 attempts.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OutboundPolicy } from "../../src/domain/outbound-url.js";
import type { EnvironmentDurableObject } from "../../src/environment/durable-object.js";
import { WebhookOutbox } from "../../src/environment/webhook-outbox.js";
import { LOG_KEEP } from "../../src/environment/webhook-subscriptions.js";
import { verifyWebhook } from "../../src/webhooks/verify.js";

const prod: OutboundPolicy = { localDev: false, allowHosts: [], ownHostnames: [] };
const NOW = 1_700_000_000_000;
const stub = (name: string) => env.ENVIRONMENT.getByName(name) as unknown as DurableObjectStub<EnvironmentDurableObject>;
const event = (seq: number, action: string) => ({ seq, at: new Date(NOW).toISOString(), actor: "test", action, targetType: "flag", targetId: "f" });

describe("webhook outbox", () => {
  it("adds the new columns to an older webhook_outbox table, keeping its rows", async () => {
    await runInDurableObject(stub("outbox-migrate"), async (_i, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE IF EXISTS webhook_outbox");
      sql.exec("CREATE TABLE webhook_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT)");
      sql.exec("INSERT INTO webhook_outbox (url, payload, next_at) VALUES ('https://hooks.test/ok', '{}', 1)");
      const outbox = new WebhookOutbox(sql, prod);
      outbox.migrate();
      outbox.migrate(); // idempotent
      const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('webhook_outbox')").toArray().map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(["subscription_id", "event_id", "event_type"]));
      expect(sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_outbox").one().n).toBe(1);
    });
  });

  it("queues in the change's transaction, once per matching subscription; signs with each one's secret", async () => {
    await runInDurableObject(stub("outbox-emit"), async (_i, state) => {
      const outbox = new WebhookOutbox(state.storage.sql, prod, "global-secret-0123456789");
      outbox.migrate();
      const { subscriptions } = outbox;
      subscriptions.insert({ id: "wh_flags", url: "https://hooks.test/ok/a", events: ["flag.*"], secret: "own-secret-0123456789", rolloutId: null, createdAt: "t", createdBy: "test" });
      subscriptions.insert({ id: "wh_all", url: "https://hooks.test/ok/b", events: ["*"], secret: "other-secret-0123456789", rolloutId: null, createdAt: "t", createdBy: "test" });
      subscriptions.insert({ id: "wh_ro", url: "https://hooks.test/ok/c", events: ["rollout.*"], secret: null, rolloutId: "ro_1", createdAt: "t", createdBy: "test" });

      // A change that throws is rolled back with what it queued.
      expect(() => state.storage.transactionSync(() => {
        outbox.emit("outbox-emit", event(1, "flag.updated"), undefined, NOW);
        throw new Error("the change fails");
      })).toThrow("the change fails");
      expect(outbox.stats().pending).toBe(0);

      state.storage.transactionSync(() => {
        expect(outbox.emit("outbox-emit", event(2, "flag.updated"), undefined, NOW)).toBe(2);
        expect(outbox.emit("outbox-emit", event(3, "rollout.paused"), { rolloutId: "ro_2" }, NOW)).toBe(1);
        expect(outbox.emit("outbox-emit", event(4, "stage.advanced"), { rolloutId: "ro_1" }, NOW)).toBe(2);
      });
      const sent: { url: string; body: string; signature: string | null; eventId: string | null }[] = [];
      const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        sent.push({ url: String(input), body: String(init?.body), signature: headers.get("x-edgeflags-signature"), eventId: headers.get("x-edgeflags-event-id") });
        return new Response(null, { status: 204 });
      }) as typeof fetch;
      expect(await outbox.deliver(NOW, fetcher)).toBeNull();
      expect(sent.map((s) => [s.url, s.eventId]).sort((x, y) => String(x[1]).localeCompare(String(y[1])) || String(x[0]).localeCompare(String(y[0])))).toEqual([
        ["https://hooks.test/ok/a", "outbox-emit:2"],
        ["https://hooks.test/ok/b", "outbox-emit:2"],
        ["https://hooks.test/ok/b", "outbox-emit:3"],
        ["https://hooks.test/ok/b", "outbox-emit:4"],
        ["https://hooks.test/ok/c", "outbox-emit:4"],
      ]);
      const secretOf: Record<string, string> = { "https://hooks.test/ok/a": "own-secret-0123456789", "https://hooks.test/ok/b": "other-secret-0123456789", "https://hooks.test/ok/c": "global-secret-0123456789" };
      for (const s of sent) {
        expect((await verifyWebhook({ secret: secretOf[s.url] as string, body: s.body, signature: s.signature })).ok, s.url).toBe(true);
        expect((await verifyWebhook({ secret: "global-secret-0123456789", body: s.body, signature: s.signature })).ok).toBe(s.url.endsWith("/c"));
      }
      expect(subscriptions.deliveries("wh_all", 10).map((d) => [d.eventId, d.outcome])).toEqual([["outbox-emit:4", "delivered"], ["outbox-emit:3", "delivered"], ["outbox-emit:2", "delivered"]]);
    });
  });

  it(`keeps the newest ${LOG_KEEP} attempts of a subscription`, async () => {
    await runInDurableObject(stub("outbox-log"), async (_i, state) => {
      const outbox = new WebhookOutbox(state.storage.sql, prod);
      outbox.migrate();
      for (let i = 1; i <= LOG_KEEP + 5; i++) outbox.subscriptions.log({ subscriptionId: "wh_x", eventId: `e:${i}`, eventType: "flag.updated", attempt: 1, status: 500, error: "HTTP 500", outcome: "retrying", at: NOW + i });
      const log = outbox.subscriptions.deliveries("wh_x", 1_000);
      expect(log).toHaveLength(LOG_KEEP);
      expect(log[0]?.eventId).toBe(`e:${LOG_KEEP + 5}`);
      expect(log[LOG_KEEP - 1]?.eventId).toBe("e:6");
    });
  });
});
