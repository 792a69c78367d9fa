/**
 * The outbound policy is checked again right before every request, with an injected fetcher:
 * a webhook whose URL is refused now (configuration changed since it was queued) is not fetched
 * but dropped as failed with its error kept; redirects are never followed; a refused health-check
 * URL is not probed and the round fails. The outbox runs on a real Durable Object's SQLite.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OutboundPolicy } from "../../src/domain/outbound-url.js";
import type { EnvironmentDurableObject } from "../../src/environment/durable-object.js";
import { probe } from "../../src/environment/health-probe.js";
import { WebhookOutbox } from "../../src/environment/webhook-outbox.js";

const prod: OutboundPolicy = { localDev: false, allowHosts: [], ownHostnames: [] };
const NOW = 1_700_000_000_000;

/** A fetcher that records what it was asked and answers by path. */
function recordingFetcher(answers: Record<string, number>) {
  const calls: { url: string; redirect: RequestInit["redirect"] }[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, redirect: init?.redirect });
    const status = answers[new URL(url).pathname] ?? 204;
    return new Response(null, { status, headers: status >= 300 && status < 400 ? { Location: "https://hooks.test/elsewhere" } : {} });
  }) as typeof fetch;
  return { calls, fetcher };
}

describe("outbound check at send time", () => {
  it("webhooks: refused URLs are dropped unfetched with their error recorded; 3xx is a failure, never followed", async () => {
    const stub = env.ENVIRONMENT.getByName("send-time-check") as unknown as DurableObjectStub<EnvironmentDurableObject>;
    await runInDurableObject(stub, async (_instance, state) => {
      // Queued while allowed; now the allow-list names only another host.
      const outbox = new WebhookOutbox(state.storage.sql, { ...prod, allowHosts: ["hooks.test"] });
      outbox.migrate();
      outbox.enqueue(["https://hooks.test/ok", "https://hooks.test/redirect", "https://other.test/secret-path", "https://10.0.0.1/hook"], { hello: 1 }, NOW);
      const { calls, fetcher } = recordingFetcher({ "/redirect": 302 });
      const next = await outbox.deliver(NOW, fetcher);

      expect(calls).toEqual([
        { url: "https://hooks.test/ok", redirect: "manual" },
        { url: "https://hooks.test/redirect", redirect: "manual" },
      ]);
      const stats = outbox.stats();
      expect(stats).toMatchObject({ delivered: 1, failed: 2, pending: 1 });
      // Host only: a webhook's path can be its secret.
      expect(stats.lastFailure).toEqual({ host: "10.0.0.1", error: 'refused: "10.0.0.1" is a private address', at: NOW });
      expect(JSON.stringify(stats)).not.toContain("secret-path");
      const left = state.storage.sql.exec<{ url: string; last_error: string }>("SELECT url, last_error FROM webhook_outbox").toArray();
      expect(left).toEqual([{ url: "https://hooks.test/redirect", last_error: "HTTP 302 (redirects are not followed)" }]);
      expect(next).toBeGreaterThan(NOW);
    });
  });

  it("health probes: a refused URL is not fetched and the round fails; 3xx fails; public 2xx passes", async () => {
    const { calls, fetcher } = recordingFetcher({ "/moved": 301 });
    expect(await probe([{ url: "https://health.test/ok", timeoutMs: 1_000 }], prod, fetcher)).toBe("PASS");
    expect(await probe([{ url: "https://health.test/ok", timeoutMs: 1_000 }, { url: "https://169.254.169.254/", timeoutMs: 1_000 }], prod, fetcher)).toBe("FAIL");
    expect(await probe([{ url: "https://health.test/ok", timeoutMs: 1_000 }], { ...prod, allowHosts: ["status.example.org"] }, fetcher)).toBe("FAIL");
    expect(await probe([{ url: "http://health.test/ok", timeoutMs: 1_000 }], prod, fetcher)).toBe("FAIL");
    expect(await probe([{ url: "https://health.test/moved", timeoutMs: 1_000 }], prod, fetcher)).toBe("FAIL");
    expect(calls).toEqual([
      { url: "https://health.test/ok", redirect: "manual" },
      { url: "https://health.test/ok", redirect: "manual" },
      { url: "https://health.test/moved", redirect: "manual" },
    ]);
  });
});
