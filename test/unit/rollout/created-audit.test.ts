import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRollout } from "../../../src/domain/rollout/create.js";
import { rolloutCreatedAfter, webhookHost } from "../../../src/domain/rollout/created-audit.js";
import { redactUrl } from "../../../src/domain/outbound-url.js";
import { RolloutRequest } from "../../../src/domain/rollout/model.js";
import { IDS, makeFlag, T0 } from "./fixtures.js";

describe("redactUrl / webhookHost", () => {
  it("masks userinfo and query, drops the fragment, keeps scheme, host, port and path", () => {
    expect(redactUrl("https://u:p@health.test:8443/a/b?token=x#f")).toBe("https://***@health.test:8443/a/b?***");
    expect(redactUrl("http://health.test/ok")).toBe("http://health.test/ok");
    expect(redactUrl("not a url")).toBe("***");
    expect(webhookHost("https://hooks.slack.test/services/T/B/secret?x=1")).toBe("hooks.slack.test");
    expect(webhookHost("https://hooks.test:8443/x")).toBe("hooks.test:8443");
  });

  it("property: no userinfo or query survives, whatever they hold", () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{6,20}$/).map((s) => `SECRET${s}`);
    fc.assert(
      fc.property(fc.webUrl(), secret, secret, secret, (url, user, pass, query) => {
        const u = new URL(url);
        u.username = user;
        u.password = pass;
        u.search = `?token=${query}`;
        const redacted = redactUrl(u.href);
        for (const s of [user, pass, query]) expect(redacted).not.toContain(s);
        expect(new URL(redacted).host).toBe(u.host);
        expect(webhookHost(u.href)).toBe(u.host);
      }),
    );
  });
});

describe("rolloutCreatedAfter", () => {
  it("records the plan, the guards as resolved, redacted health checks and webhook hosts", () => {
    const request = RolloutRequest.parse({
      flag: "checkout", variant: "new", strategy: "fast",
      guards: { p95: { enabled: false } },
      healthChecks: [{ url: "https://h.test/ok?k=1" }],
      webhooks: ["https://hooks.test/secret"],
    });
    const built = createRollout(request, makeFlag(), { ...IDS }, T0);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const after = rolloutCreatedAfter(built.rollout);
    expect(after).toEqual({
      rolloutId: IDS.id,
      strategy: "fast",
      stages: built.rollout.stages,
      finalBakeSeconds: built.rollout.finalBakeSeconds,
      startAt: new Date(T0).toISOString(),
      guards: built.rollout.guards,
      healthChecks: [{ url: "https://h.test/ok?***", timeoutMs: 2_000 }],
      webhooks: ["hooks.test"],
    });
    expect((after["guards"] as { metrics: { name: string }[] }).metrics.map((g) => g.name)).toEqual(["errorRate", "p99"]);
  });
});
