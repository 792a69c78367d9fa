import { describe, expect, it } from "vitest";
import { environment } from "./helpers.js";
import { adminJson, booleanFlag } from "./admin-helpers.js";
import { tickAt } from "./rollout-helpers.js";
import { SimClock } from "../support/sim-clock.js";

type Delivery = { text: string; event: string; flag: string; rolloutId: string; from: { percentage: number }; to: { percentage: number } };

describe("rollout notifications", () => {
  it("every rollout event is delivered as JSON with a Slack-friendly text; failures are retried, not lost", async () => {
    await tickAt(new SimClock().now);
    await adminJson("PUT", "/envs/staging/flags/hooked", booleanFlag("hooked", { fallthrough: { variant: "off" } }));
    const created = await adminJson<{ rollout: { id: string } }>("POST", "/envs/staging/rollouts", {
      flag: "hooked", variant: "on", strategy: "fast", webhooks: ["https://hooks.test/ok", "https://hooks.test/fail"],
    });
    expect(created.status).toBe(201);
    const id = created.body.rollout.id;
    await adminJson("POST", `/envs/staging/rollouts/${id}/pause`, { reason: "checking dashboards" });
    await adminJson("POST", `/envs/staging/rollouts/${id}/rollback`, { reason: "not today" });

    const received = (await (await fetch("https://hooks.test/received")).json()) as Delivery[];
    const mine = received.filter((d) => d.rolloutId === id);
    expect(mine.map((d) => d.event)).toEqual(["rollout.started", "rollout.paused", "rollout.rolled_back"]);
    expect(mine[0]).toMatchObject({ flag: "hooked", to: { percentage: 25 } });
    expect(mine[2]?.text).toMatch(/^\[edgeflags\/staging\] hooked → on: rollout\.rolled_back \(PAUSED → ROLLED_BACK, 25 % → 0 %\) — not today$/);
    // The failing receiver's deliveries wait for a retry instead of being dropped.
    const stats = await environment("staging").notificationStats();
    expect(stats.delivered).toBeGreaterThanOrEqual(3);
    expect(stats.pending).toBeGreaterThanOrEqual(3);
    expect(stats.failed).toBe(0);
  });

  it("escapes <, > and & in the Slack text, so a reason cannot ping a channel; the JSON reason stays verbatim", async () => {
    await tickAt(new SimClock().now);
    await adminJson("PUT", "/envs/staging/flags/hooked_text", booleanFlag("hooked_text", { fallthrough: { variant: "off" } }));
    const created = await adminJson<{ rollout: { id: string } }>("POST", "/envs/staging/rollouts", {
      flag: "hooked_text", variant: "on", strategy: "fast", webhooks: ["https://hooks.test/ok"],
    });
    expect(created.status).toBe(201);
    const id = created.body.rollout.id;
    const reason = "<@here> & <!channel> see <https://evil.test|docs>";
    expect((await adminJson("POST", `/envs/staging/rollouts/${id}/pause`, { reason })).status).toBe(200);

    const received = (await (await fetch("https://hooks.test/received")).json()) as (Delivery & { reason: string | null })[];
    const paused = received.find((d) => d.rolloutId === id && d.event === "rollout.paused");
    expect(paused?.text).toBe(
      "[edgeflags/staging] hooked_text → on: rollout.paused (RUNNING → PAUSED, 25 %) — &lt;@here&gt; &amp; &lt;!channel&gt; see &lt;https://evil.test|docs&gt;",
    );
    expect(paused?.text).not.toMatch(/[<>]/);
    expect(paused?.reason).toBe(reason);
  });

  it("signs every delivery: X-Edgeflags-Signature is t=<unix>,v1=HMAC-SHA-256(secret, \"<t>.<body>\")", async () => {
    await adminJson("PUT", "/envs/staging/flags/hooked_signed", booleanFlag("hooked_signed", { fallthrough: { variant: "off" } }));
    const created = await adminJson<{ rollout: { id: string } }>("POST", "/envs/staging/rollouts", {
      flag: "hooked_signed", variant: "on", strategy: "fast", webhooks: ["https://hooks.test/ok"],
    });
    expect(created.status).toBe(201);
    const signed = (await (await fetch("https://hooks.test/signed")).json()) as { body: string; signature: string | null }[];
    const mine = signed.filter((d) => (JSON.parse(d.body) as { rolloutId: string }).rolloutId === created.body.rollout.id);
    expect(mine).toHaveLength(1);
    const { body, signature } = mine[0] as { body: string; signature: string | null };
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature ?? "");
    expect(match, String(signature)).not.toBeNull();
    const [, t, mac] = match as unknown as [string, string, string];
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(300);
    // What a receiver does: recompute the HMAC over "<t>.<body>" with the shared secret.
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("test-webhook-secret"), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    const bytes = new Uint8Array(mac.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
    expect(await crypto.subtle.verify("HMAC", key, bytes, new TextEncoder().encode(`${t}.${body}`))).toBe(true);
    expect(await crypto.subtle.verify("HMAC", key, bytes, new TextEncoder().encode(`${t}.${body} `))).toBe(false);
  });
});
