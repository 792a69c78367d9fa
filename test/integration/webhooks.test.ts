/**
 * Webhook subscriptions through the real Worker (docs/webhooks.md): the routes' happy paths,
 * errors and access rules; every audited change reaching the subscriptions whose patterns match it
 * (and no other); signatures a receiver verifies with src/webhooks/verify.ts, refusing altered and
 * replayed deliveries; and the delivery log recording a failed attempt, then the retry that succeeds.
 */
import { describe, expect, it } from "vitest";
import { ReplayGuard, verifyWebhook } from "../../src/webhooks/verify.js";
import { adminJson, booleanFlag, createToken } from "./admin-helpers.js";
import { BASE } from "./helpers.js";
import { tickAt } from "./rollout-helpers.js";
import { MINUTE, SimClock } from "../support/sim-clock.js";

type Created = { id: string; url: string; events: string[]; rolloutId: string | null; createdAt: string; createdBy: string; secret?: string };
type Failure = { error: { code: string; details: { path: string; message: string }[] } };
type Captured = { body: string; signature: string | null; eventId: string | null; path: string };
type Delivery = { eventId: string; eventType: string; attempt: number; status: number | null; error: string | null; outcome: string; at: string };

const ENV = "staging";
let serial = 0;
const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${serial++}`;

async function subscribe(body: unknown, token?: string): Promise<{ status: number; body: Created }> {
  return adminJson<Created>("POST", `/envs/${ENV}/webhooks`, body, token);
}

/** What the fake receiver at https://hooks.test captured on `path`. */
async function captured(path: string): Promise<Captured[]> {
  const all = (await (await fetch("https://hooks.test/signed")).json()) as Captured[];
  return all.filter((c) => c.path === path);
}

async function deliveries(id: string): Promise<Delivery[]> {
  const res = await adminJson<{ deliveries: Delivery[] }>("GET", `/envs/${ENV}/webhooks/${id}/deliveries`);
  expect(res.status).toBe(200);
  return res.body.deliveries;
}

describe("webhook subscriptions: the routes", () => {
  it("creates (a generated secret shown once), lists without secrets, deletes", async () => {
    const created = await subscribe({ url: "https://hooks.test/ok/crud", events: ["flag.*", "rollout.*", "sdk_key.created"] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: "https://hooks.test/ok/crud", events: ["flag.*", "rollout.*", "sdk_key.created"], rolloutId: null, createdBy: "admin:bootstrap" });
    expect(created.body.id).toMatch(/^wh_[A-Za-z0-9]{16}$/);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9]{40}$/);
    expect(Number.isNaN(Date.parse(created.body.createdAt))).toBe(false);

    const own = await subscribe({ url: "https://hooks.test/ok/own-secret", events: ["*"], secret: "my-own-secret-0123456789" });
    expect(own.status).toBe(201);
    expect(own.body).not.toHaveProperty("secret");

    const list = await adminJson<{ webhooks: Created[] }>("GET", `/envs/${ENV}/webhooks`);
    expect(list.status).toBe(200);
    expect(list.body.webhooks.map((w) => w.id)).toEqual(expect.arrayContaining([created.body.id, own.body.id]));
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.body.secret as string);
    expect(text).not.toContain("my-own-secret-0123456789");
    expect(text).not.toContain('"secret"');

    const removed = await adminJson("DELETE", `/envs/${ENV}/webhooks/${created.body.id}`);
    expect(removed.status).toBe(200);
    const after = await adminJson<{ webhooks: Created[] }>("GET", `/envs/${ENV}/webhooks`);
    expect(after.body.webhooks.map((w) => w.id)).not.toContain(created.body.id);
    expect((await adminJson<Failure>("DELETE", `/envs/${ENV}/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await adminJson<Failure>("GET", `/envs/${ENV}/webhooks/${created.body.id}/deliveries`)).status).toBe(404);

    // Creating and deleting are audited, without the secret.
    const audit = await adminJson<{ entries: { action: string; target: { id: string }; after: unknown; before: unknown }[] }>("GET", `/envs/${ENV}/audit?action=webhook.created&limit=500`);
    expect(audit.body.entries.some((e) => e.target.id === own.body.id)).toBe(true);
    expect(JSON.stringify(audit.body)).not.toContain("my-own-secret-0123456789");
  });

  it("refuses unknown event patterns, naming events[i]; bad URLs and secrets; unknown environments and ids", async () => {
    const unknown = await adminJson<Failure>("POST", `/envs/${ENV}/webhooks`, { url: "https://hooks.test/ok", events: ["flag.*", "billing.*"] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.map((d) => d.path)).toEqual(["body.events.1"]);
    for (const events of [[], ["flag"], ["flag.**"], ["stage.*"], ["Flag.updated"]]) {
      const res = await adminJson<Failure>("POST", `/envs/${ENV}/webhooks`, { url: "https://hooks.test/ok", events });
      expect(res.status, JSON.stringify(events)).toBe(422);
    }
    const short = await adminJson<Failure>("POST", `/envs/${ENV}/webhooks`, { url: "https://hooks.test/ok", events: ["*"], secret: "short" });
    expect(short.status).toBe(422);
    expect(short.body.error.details.map((d) => d.path)).toEqual(["body.secret"]);
    const extra = await adminJson<Failure>("POST", `/envs/${ENV}/webhooks`, { url: "https://hooks.test/ok", events: ["*"], headers: {} });
    expect(extra.status).toBe(422);
    // The outbound policy at creation: no http, no private, loopback or metadata address, not this service.
    for (const url of ["http://hooks.test/ok", "https://10.0.0.1/hook", "https://127.0.0.1/", "https://169.254.169.254/latest", `${BASE}/admin/v1/tokens`]) {
      const res = await adminJson<Failure>("POST", `/envs/${ENV}/webhooks`, { url, events: ["*"] });
      expect(res.status, url).toBe(422);
      expect(res.body.error.details.map((d) => d.path), url).toEqual(["url"]);
    }
    expect((await adminJson<Failure>("POST", "/envs/nowhere/webhooks", { url: "https://hooks.test/ok", events: ["*"] })).status).toBe(404);
    expect((await adminJson<Failure>("GET", "/envs/nowhere/webhooks")).status).toBe(404);
    expect((await adminJson<Failure>("GET", `/envs/${ENV}/webhooks/wh_missing/deliveries`)).status).toBe(404);
    expect((await adminJson<Failure>("GET", `/envs/${ENV}/webhooks/wh_missing/deliveries?limit=0`)).status).toBe(422);
  });

  it("needs the admin role on the environment, for reads too", async () => {
    const created = await subscribe({ url: "https://hooks.test/ok/roles", events: ["flag.*"] });
    expect(created.status).toBe(201);
    const body = { url: "https://hooks.test/ok/roles-2", events: ["flag.*"] };
    for (const token of [await createToken("viewer", [ENV]), await createToken("operator", [ENV]), await createToken("admin", ["production"])]) {
      expect((await adminJson("POST", `/envs/${ENV}/webhooks`, body, token)).status).toBe(403);
      expect((await adminJson("GET", `/envs/${ENV}/webhooks`, undefined, token)).status).toBe(403);
      expect((await adminJson("GET", `/envs/${ENV}/webhooks/${created.body.id}/deliveries`, undefined, token)).status).toBe(403);
      expect((await adminJson("DELETE", `/envs/${ENV}/webhooks/${created.body.id}`, undefined, token)).status).toBe(403);
    }
    const scopedAdmin = await createToken("admin", [ENV]);
    const mine = await subscribe(body, scopedAdmin);
    expect(mine.status).toBe(201);
    expect(mine.body.createdBy).toMatch(/^token:/);
    expect((await adminJson("DELETE", `/envs/${ENV}/webhooks/${mine.body.id}`, undefined, scopedAdmin)).status).toBe(200);
  });
});

describe("webhook deliveries", () => {
  it("a flag change reaches a flag.* subscriber, not a rollout.* one; a rollout reaches the rollout.* one", async () => {
    const flags = await subscribe({ url: "https://hooks.test/ok/flag-subscriber", events: ["flag.*"] });
    const rollouts = await subscribe({ url: "https://hooks.test/ok/rollout-subscriber", events: ["rollout.*"] });
    expect([flags.status, rollouts.status]).toEqual([201, 201]);
    const key = unique("hooked_flag");
    expect((await adminJson("PUT", `/envs/${ENV}/flags/${key}`, booleanFlag(key, { fallthrough: { variant: "off" } }))).status).toBe(201);

    const aboutKey = (c: Captured) => (JSON.parse(c.body) as { target: { id: string } }).target.id === key;
    const toFlags = (await captured("/ok/flag-subscriber")).filter(aboutKey);
    expect(toFlags).toHaveLength(1);
    const event = JSON.parse(toFlags[0]?.body ?? "{}") as Record<string, unknown>;
    expect(event).toMatchObject({ type: "flag.created", environment: ENV, actor: "admin:bootstrap", target: { type: "flag", id: key }, before: null, after: { key } });
    expect(event.id).toMatch(/^staging:\d+$/);
    expect(toFlags[0]?.eventId).toBe(event.id);
    expect(String(event.text)).toContain(`flag.created: flag ${key}`);
    expect((await captured("/ok/rollout-subscriber")).filter(aboutKey)).toEqual([]);

    const started = await adminJson<{ rollout: { id: string } }>("POST", `/envs/${ENV}/rollouts`, { flag: key, variant: "on", strategy: "fast" });
    expect(started.status).toBe(201);
    const rolloutEvents = (await captured("/ok/rollout-subscriber")).map((c) => JSON.parse(c.body) as { type: string; rolloutId?: string }).filter((e) => e.rolloutId === started.body.rollout.id);
    expect(rolloutEvents.map((e) => e.type)).toEqual(["rollout.created", "rollout.started"]);
    expect((await captured("/ok/flag-subscriber")).filter(aboutKey)).toHaveLength(1);
  });

  it("signs with the subscription's secret: a receiver verifies it, and refuses an altered or replayed delivery", async () => {
    const secret = "receiver-secret-0123456789abcdef";
    const sub = await subscribe({ url: "https://hooks.test/ok/verified", events: ["flag.created"], secret });
    expect(sub.status).toBe(201);
    const key = unique("signed_flag");
    await adminJson("PUT", `/envs/${ENV}/flags/${key}`, booleanFlag(key));
    const got = (await captured("/ok/verified")).filter((c) => c.body.includes(key));
    expect(got).toHaveLength(1);
    const { body, signature, eventId } = got[0] as Captured;

    const verified = await verifyWebhook({ secret, body, signature });
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(eventId).toBe((JSON.parse(body) as { id: string }).id);
    // The receiver's replay guard takes the event once.
    const guard = new ReplayGuard();
    expect(guard.firstSeen(eventId as string, verified.timestamp)).toBe(true);
    expect(guard.firstSeen(eventId as string, verified.timestamp)).toBe(false);

    // Altered: one byte of the body, another secret (WEBHOOK_SECRET is not this subscription's), a forged MAC.
    const altered = body.replace(key, `${key}x`);
    expect(await verifyWebhook({ secret, body: altered, signature })).toEqual({ ok: false, reason: "mismatch" });
    expect(await verifyWebhook({ secret: "test-webhook-secret", body, signature })).toEqual({ ok: false, reason: "mismatch" });
    // Forged: the MAC's first hex digit changed (to another digit, whatever it was).
    const forged = (signature as string).replace(/v1=(.)/, (_m, d: string) => `v1=${d === "0" ? "1" : "0"}`);
    expect(forged).not.toBe(signature);
    expect(await verifyWebhook({ secret, body, signature: forged })).toMatchObject({ ok: false });
    // Replayed later: outside the window, whatever the MAC.
    expect(await verifyWebhook({ secret, body, signature, now: verified.timestamp + 301 })).toEqual({ ok: false, reason: "expired" });
    expect(await verifyWebhook({ secret, body, signature: null })).toEqual({ ok: false, reason: "missing" });
  });

  it("the delivery log records a failed attempt, then the retry that succeeds; a failing receiver keeps retrying", async () => {
    const clock = new SimClock();
    await tickAt(clock.now);
    const flaky = await subscribe({ url: "https://hooks.test/flaky/log", events: ["flag.*"] });
    const failing = await subscribe({ url: "https://hooks.test/fail", events: ["flag.*"] });
    const key = unique("logged_flag");
    await adminJson("PUT", `/envs/${ENV}/flags/${key}`, booleanFlag(key));

    const first = await deliveries(flaky.body.id);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ eventType: "flag.created", attempt: 1, status: 503, error: "HTTP 503", outcome: "retrying" });
    const eventId = first[0]?.eventId as string;
    expect(eventId).toMatch(/^staging:\d+$/);

    // The retry is due 2 s later on the environment clock: the next tick delivers it.
    await tickAt(clock.advance(MINUTE));
    const second = await deliveries(flaky.body.id);
    expect(second.map((d) => [d.eventId, d.attempt, d.status, d.outcome])).toEqual([
      [eventId, 2, 204, "delivered"],
      [eventId, 1, 503, "retrying"],
    ]);
    expect(Date.parse(second[0]?.at ?? "")).toBeGreaterThan(Date.parse(second[1]?.at ?? ""));
    expect((await captured("/flaky/log")).filter((c) => c.eventId === eventId)).toHaveLength(1);

    const failed = await deliveries(failing.body.id);
    expect(failed.map((d) => [d.attempt, d.status, d.outcome])).toEqual([
      [2, 500, "retrying"],
      [1, 500, "retrying"],
    ]);
    // Deleting the subscription drops what it still had queued.
    expect((await adminJson("DELETE", `/envs/${ENV}/webhooks/${failing.body.id}`)).status).toBe(200);
  });

  it("a rollout's webhooks are subscriptions scoped to it: its rollout events only, signed with WEBHOOK_SECRET, removed when it ends", async () => {
    const a = unique("scoped_a");
    const b = unique("scoped_b");
    for (const key of [a, b]) await adminJson("PUT", `/envs/${ENV}/flags/${key}`, booleanFlag(key, { fallthrough: { variant: "off" } }));
    const url = "https://hooks.test/ok/scoped";
    const ra = await adminJson<{ rollout: { id: string } }>("POST", `/envs/${ENV}/rollouts`, { flag: a, variant: "on", strategy: "fast", webhooks: [url] });
    const rb = await adminJson<{ rollout: { id: string } }>("POST", `/envs/${ENV}/rollouts`, { flag: b, variant: "on", strategy: "fast" });
    expect([ra.status, rb.status]).toEqual([201, 201]);
    const scoped = (await adminJson<{ webhooks: Created[] }>("GET", `/envs/${ENV}/webhooks`)).body.webhooks.filter((w) => w.rolloutId === ra.body.rollout.id);
    expect(scoped).toEqual([expect.objectContaining({ url, events: ["rollout.*"], rolloutId: ra.body.rollout.id })]);

    await adminJson("POST", `/envs/${ENV}/rollouts/${rb.body.rollout.id}/pause`, { reason: "not mine" });
    await adminJson("PUT", `/envs/${ENV}/flags/${a}`, booleanFlag(a, { description: "edited", fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 25 } } }));
    await adminJson("POST", `/envs/${ENV}/rollouts/${ra.body.rollout.id}/cancel`, { reason: "done here" });
    const got = await captured("/ok/scoped");
    const types = got.map((c) => JSON.parse(c.body) as { type: string; rolloutId?: string });
    expect(types.every((e) => e.rolloutId === ra.body.rollout.id)).toBe(true);
    expect(types.map((e) => e.type)).toEqual(["rollout.started", "rollout.cancelled"]);
    for (const c of got) expect((await verifyWebhook({ secret: "test-webhook-secret", body: c.body, signature: c.signature })).ok).toBe(true);
    // Ended: the subscription is gone, its final event delivered.
    const left = (await adminJson<{ webhooks: Created[] }>("GET", `/envs/${ENV}/webhooks`)).body.webhooks;
    expect(left.filter((w) => w.rolloutId === ra.body.rollout.id)).toEqual([]);
  });
});
