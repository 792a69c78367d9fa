/** Webhook event patterns, matching and the delivery body (src/domain/webhook.ts), and receiver-side verification (src/webhooks/verify.ts). */
import { describe, expect, it } from "vitest";
import { CreateWebhookInput, EventPattern, eventFamily, matchesEvent, webhookPayload } from "../../src/domain/webhook.js";
import { webhookSignature } from "../../src/environment/webhook-outbox.js";
import { ReplayGuard, timingSafeEqual, verifyWebhook } from "../../src/webhooks/verify.js";

describe("event patterns", () => {
  it("accepts *, <family>.* and event names of known families", () => {
    for (const p of ["*", "flag.*", "rollout.*", "schedule.*", "segment.*", "sdk_key.*", "environment.*", "webhook.*", "flag.updated", "stage.advanced", "rollout.guard_warning", "segment.whatever_comes"]) {
      expect(EventPattern.safeParse(p).success, p).toBe(true);
    }
  });

  it("refuses unknown families, malformed patterns and stage.* (part of rollout.*)", () => {
    for (const p of ["billing.*", "flag", "flag.", "flag.**", "*.updated", "Flag.updated", "flag.Updated", "stage.*", "", "flag.*.*", " flag.*"]) {
      expect(EventPattern.safeParse(p).success, p).toBe(false);
    }
    const bad = CreateWebhookInput.safeParse({ url: "https://hooks.test/x", events: ["flag.*", "nope.*"] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["events.1"]);
  });

  it("matches exact names, families (stage.* belongs to rollout) and everything", () => {
    expect(eventFamily("stage.advanced")).toBe("rollout");
    expect(matchesEvent(["flag.*"], "flag.updated")).toBe(true);
    expect(matchesEvent(["flag.*"], "rollout.started")).toBe(false);
    expect(matchesEvent(["rollout.*"], "stage.promoted")).toBe(true);
    expect(matchesEvent(["rollout.*"], "rollout.guard_warning")).toBe(true);
    expect(matchesEvent(["flag.enabled"], "flag.disabled")).toBe(false);
    expect(matchesEvent(["flag.enabled", "sdk_key.*"], "sdk_key.revoked")).toBe(true);
    expect(matchesEvent(["*"], "webhook.created")).toBe(true);
    expect(matchesEvent([], "flag.updated")).toBe(false);
  });
});

describe("the delivery body", () => {
  const source = { seq: 42, at: "2026-03-02T10:00:00.000Z", actor: "token:ci#tok_1", action: "flag.disabled", targetType: "flag", targetId: "checkout", before: { enabled: true }, after: { enabled: false }, reason: "<!here> incident & co" };

  it("carries the event id (the audit id), type, change and a Slack-escaped text", () => {
    expect(webhookPayload("production", source)).toEqual({
      id: "production:42",
      type: "flag.disabled",
      environment: "production",
      at: source.at,
      actor: "token:ci#tok_1",
      target: { type: "flag", id: "checkout" },
      reason: "<!here> incident & co",
      requestId: null,
      before: { enabled: true },
      after: { enabled: false },
      text: "[edgeflags/production] flag.disabled: flag checkout by token:ci#tok_1 — &lt;!here&gt; incident &amp; co",
    });
  });

  it("a command's own fields and text join it; the envelope's fields win", () => {
    const body = webhookPayload("production", source, { text: "custom", fields: { rolloutId: "ro_1", id: "forged", type: "forged" } });
    expect(body).toMatchObject({ id: "production:42", type: "flag.disabled", rolloutId: "ro_1", text: "custom" });
  });
});

describe("receiver-side verification", () => {
  const secret = "whsec_unit_test_secret_0123456789";
  const body = JSON.stringify({ id: "production:7", type: "flag.updated" });

  it("accepts what the outbox signs, within the window", async () => {
    const header = await webhookSignature(secret, 1_700_000_000, body);
    expect(await verifyWebhook({ secret, body, signature: header, now: 1_700_000_100 })).toEqual({ ok: true, timestamp: 1_700_000_000 });
    expect(await verifyWebhook({ secret, body, signature: header, now: 1_699_999_800 })).toEqual({ ok: true, timestamp: 1_700_000_000 });
  });

  it("refuses an altered body, another secret, a stale or future timestamp, a malformed or missing header", async () => {
    const header = await webhookSignature(secret, 1_700_000_000, body);
    const now = 1_700_000_000;
    expect(await verifyWebhook({ secret, body: body.replace("7", "8"), signature: header, now })).toEqual({ ok: false, reason: "mismatch" });
    expect(await verifyWebhook({ secret: `${secret}x`, body, signature: header, now })).toEqual({ ok: false, reason: "mismatch" });
    // The timestamp is signed too: moving it into the window breaks the MAC.
    expect(await verifyWebhook({ secret, body, signature: header.replace("t=1700000000", "t=1700000500"), now: 1_700_000_500 })).toEqual({ ok: false, reason: "mismatch" });
    expect(await verifyWebhook({ secret, body, signature: header, now: now + 301 })).toEqual({ ok: false, reason: "expired" });
    expect(await verifyWebhook({ secret, body, signature: header, now: now - 301 })).toEqual({ ok: false, reason: "expired" });
    expect(await verifyWebhook({ secret, body, signature: header, now: now + 3_601, toleranceSeconds: 3_600 })).toEqual({ ok: false, reason: "expired" });
    for (const bad of ["t=abc,v1=00", "v1=" + "0".repeat(64), "t=1700000000", "t=1700000000,v1=XYZ"]) {
      expect(await verifyWebhook({ secret, body, signature: bad, now }), bad).toEqual({ ok: false, reason: "malformed" });
    }
    expect(await verifyWebhook({ secret, body, signature: undefined, now })).toEqual({ ok: false, reason: "missing" });
  });

  it("the replay guard takes an event id once", () => {
    const guard = new ReplayGuard(300);
    expect(guard.firstSeen("production:7", 1_000)).toBe(true);
    expect(guard.firstSeen("production:7", 1_010)).toBe(false);
    expect(guard.firstSeen("production:8", 1_010)).toBe(true);
  });

  it("compares in constant time, by value", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
  });
});
