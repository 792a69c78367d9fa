/**
 * The dashboard's webhooks page in a real browser (Debian's headless chromium via playwright-core)
 * against `npm run dev`, selecting by roles, names and labels (docs/dashboard.md): a pattern the
 * client refuses and a URL the API refuses (`url: …`), then a webhook added through the form for
 * `segment.*` with its generated secret shown once; a per-run segment created and deleted in staging
 * through the admin API makes deliveries to a local receiver (LOCAL_DEV lets the Worker call
 * 127.0.0.1), which the open delivery log shows live as `delivered` 204 — and, for the deletion the
 * receiver refuses once, a 503 `retrying` then the retry `delivered` — and whose signatures verify
 * with the secret the page showed; the webhook deleted through the dialog; an operator token sees
 * the admin-only notice, a disabled form and no list. It touches no seeded flag and leaves nothing
 * behind. DASHBOARD_SCREENSHOTS=1 saves docs/dashboard/webhooks.png.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifyWebhook } from "../../src/webhooks/verify.js";
import { ADMIN_TOKEN, adminClient } from "./support/admin.js";
import { launchChromium } from "./support/chromium.mjs";
import { signedInPage, signIn, UI_WAIT_MS } from "./support/dashboard.js";

const baseUrl = inject("baseUrl");
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === "1";
const ENV = "staging";
const RUN = Date.now().toString(36);
const SEGMENT = `e2e-webhooks-${RUN}`;

const admin = adminClient(baseUrl);

interface Received {
  body: string;
  signature: string | undefined;
  eventId: string | undefined;
  /** What the receiver answered. */
  status: number;
}

type Listed = { webhooks: { id: string; url: string }[] };

describe("dashboard: webhooks", () => {
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let receiver: Server;
  let url = "";
  let secret = "";
  const received: Received[] = [];
  const cleanup: { token?: string; segment?: boolean } = {};

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const eventId = req.headers["x-edgeflags-event-id"] as string | undefined;
        // This run's segment.deleted is refused once, so the log shows a retry and the attempt that took it.
        const refuse = body.includes('"type":"segment.deleted"') && body.includes(`"id":"${SEGMENT}"`) && !received.some((r) => r.eventId === eventId);
        received.push({ body, signature: req.headers["x-edgeflags-signature"] as string | undefined, eventId, status: refuse ? 503 : 204 });
        res.writeHead(refuse ? 503 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook-${RUN}`;
    browser = await launchChromium();
    ({ page, errors: pageErrors } = await signedInPage(browser, baseUrl, ADMIN_TOKEN, { viewport: { width: 1280, height: 900 } }));
  });

  /** The receiver's delivery of this run's segment event of `type`, once it has arrived. */
  async function ownDelivery(type: string): Promise<Received & { event: { id: string } }> {
    const mine = () =>
      received
        .map((r) => ({ ...r, event: JSON.parse(r.body) as { id: string; type: string; environment: string; target: { id: string } } }))
        .find((r) => r.event.type === type && r.event.target.id === SEGMENT && r.event.environment === ENV);
    await expect.poll(() => mine() !== undefined).toBe(true);
    return mine() as Received & { event: { id: string } };
  }

  afterAll(async () => {
    await browser?.close();
    // Whatever step failed, nothing of this run stays: its subscription, its segment, its token.
    const { webhooks } = await admin<Listed>("GET", `/envs/${ENV}/webhooks`);
    for (const w of webhooks.filter((w) => w.url === url)) await admin("DELETE", `/envs/${ENV}/webhooks/${w.id}`);
    if (cleanup.segment) await admin("DELETE", `/envs/${ENV}/segments/${SEGMENT}`).catch(() => undefined);
    if (cleanup.token) await admin("DELETE", `/tokens/${cleanup.token}`);
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("refuses a bad pattern before sending and lists the API's refusal as path: message", async () => {
    await page.getByRole("combobox", { name: "Environment" }).selectOption(ENV);
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await page.waitForURL(new RegExp(`/ui/${ENV}/webhooks$`));
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();

    await page.getByLabel("Webhook URL").fill(url);
    await page.getByLabel("Other patterns (comma-separated)").fill("billing.*");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByRole("alert").filter({ hasText: /events: "billing\.\*" names no event family/ }).waitFor();

    // Cloud metadata is never a webhook target, LOCAL_DEV or not: the API says so under `url`.
    await page.getByLabel("Webhook URL").fill("http://169.254.169.254/latest");
    await page.getByLabel("Other patterns (comma-separated)").fill("");
    await page.getByLabel("segment.*", { exact: true }).check();
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByRole("alert").filter({ hasText: /url: \S/ }).waitFor();
    expect((await admin<Listed>("GET", `/envs/${ENV}/webhooks`)).webhooks.some((w) => w.url.startsWith("http://169.254"))).toBe(false);
  });

  it("adds a webhook for segment.* and shows its generated secret once", async () => {
    await page.getByLabel("Webhook URL").fill(url);
    expect(await page.getByLabel("segment.*", { exact: true }).isChecked()).toBe(true);
    await page.getByRole("button", { name: "Add webhook" }).click();
    const region = page.getByRole("region", { name: "New webhook secret" });
    await region.waitFor();
    secret = ((await region.locator("code").textContent()) ?? "").trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9]{40}$/);

    const row = page.getByRole("table", { name: "Webhooks" }).getByRole("row").filter({ hasText: url });
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("segment.*");
    expect(text).toContain("environment");
    expect(text).toContain("admin:bootstrap");
    expect(await page.getByRole("table", { name: "Webhooks" }).textContent()).not.toContain(secret);
    const { webhooks } = await admin<Listed & { webhooks: { events: string[] }[] }>("GET", `/envs/${ENV}/webhooks`);
    expect(webhooks.find((w) => w.url === url)).toMatchObject({ events: ["segment.*"], rolloutId: null });
  });

  it("shows the deliveries of a triggered event live, and the receiver verifies them with the secret shown", async () => {
    await page.getByRole("button", { name: `Deliveries for ${url}` }).click();
    const log = page.getByRole("table", { name: `Deliveries for ${url}` });
    await log.waitFor();
    // The log has loaded (empty, unless another file's segment events came first) before the trigger.
    await page.getByText(/^(No delivery attempts yet\.|\d+ events?, \d+ attempts?: .*)$/).waitFor();

    cleanup.segment = true;
    await admin("PUT", `/envs/${ENV}/segments/${SEGMENT}`, { key: SEGMENT, include: ["user-1"] });
    // Other files may change segments in staging too: this run's events are the ones about its segment.
    const created = await ownDelivery("segment.created");
    expect(await verifyWebhook({ secret, body: created.body, signature: created.signature })).toMatchObject({ ok: true });
    expect(await verifyWebhook({ secret: `${secret}x`, body: created.body, signature: created.signature })).toMatchObject({ ok: false, reason: "mismatch" });
    expect(created.eventId).toBe(created.event.id);
    expect(created.event.id).toMatch(new RegExp(`^${ENV}:\\d+$`));

    // No Refresh: the environment's event stream reloads the open log.
    const row = (eventId: string) => log.getByRole("row").filter({ has: page.getByRole("cell", { name: eventId, exact: true }) });
    await row(created.event.id).waitFor();
    const cells = (await row(created.event.id).getByRole("cell").allTextContents()).map((c) => c.trim());
    expect(cells.slice(1)).toEqual(["segment.created", created.event.id, "1", "204", "delivered"]);

    await admin("DELETE", `/envs/${ENV}/segments/${SEGMENT}`);
    cleanup.segment = false;
    const deleted = await ownDelivery("segment.deleted");
    expect(deleted.status).toBe(503);
    expect(await verifyWebhook({ secret, body: deleted.body, signature: deleted.signature })).toMatchObject({ ok: true });
    // The refused first attempt shows up live, then the retry (from the Durable Object's alarm, which
    // sends no stream event) through the log's own polling while an attempt is due: no Refresh yet.
    const refused = row(deleted.event.id).filter({ hasText: "retrying" });
    await refused.waitFor();
    expect((await refused.getByRole("cell").allTextContents()).map((c) => c.trim()).slice(3)).toEqual(["1", "503", "retrying"]);
    const retried = row(deleted.event.id).filter({ hasText: "delivered" });
    await retried.waitFor();
    expect((await retried.getByRole("cell").allTextContents()).map((c) => c.trim()).slice(3)).toEqual(["2", "204", "delivered"]);
    expect(received.filter((r) => r.eventId === deleted.event.id).map((r) => r.status)).toEqual([503, 204]);
    const retry = received.find((r) => r.eventId === deleted.event.id && r.status === 204) as Received;
    expect(await verifyWebhook({ secret, body: retry.body, signature: retry.signature })).toMatchObject({ ok: true });

    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(async () => (await page.getByText(/^\d+ events?, \d+ attempts?: /).textContent()) ?? "").toMatch(/^\d+ events, \d+ attempts: \d+ delivered$/);
    if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", "webhooks.png"), fullPage: true });

    await page.getByRole("region", { name: "New webhook secret" }).getByRole("button", { name: "Done" }).click();
    expect(await page.getByText(secret).count()).toBe(0);
  });

  it("deletes the webhook after the confirmation dialog", async () => {
    await page.getByRole("button", { name: `Delete webhook ${url}` }).click();
    const dialog = page.getByRole("dialog", { name: `Delete webhook ${url}?` });
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect.poll(async () => page.getByRole("button", { name: `Delete webhook ${url}` }).count()).toBe(0);
    expect(await page.getByRole("table", { name: `Deliveries for ${url}` }).count()).toBe(0);
    expect((await admin<Listed>("GET", `/envs/${ENV}/webhooks`)).webhooks.some((w) => w.url === url)).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it("gives an operator token the admin-only notice, a disabled form, and no list (nor a request for it)", async () => {
    const { id, token } = await admin<{ id: string; token: string }>("POST", "/tokens", { name: `dashboard-webhooks-operator-${RUN}`, role: "operator", environments: [ENV] });
    cleanup.token = id;
    const context = await browser.newContext();
    try {
      const p = await context.newPage();
      p.setDefaultTimeout(UI_WAIT_MS);
      const asked: string[] = [];
      p.on("request", (r) => {
        if (r.url().includes("/webhooks")) asked.push(r.url());
      });
      await signIn(p, baseUrl, token);
      await p.getByRole("heading", { name: "Overview" }).waitFor();
      await p.getByRole("link", { name: "Webhooks", exact: true }).click();
      await p.getByText("need an admin token").waitFor();
      expect(await p.getByRole("button", { name: "Add webhook" }).isDisabled()).toBe(true);
      expect(await p.getByLabel("Webhook URL").isDisabled()).toBe(true);
      expect(await p.getByLabel("flag.*", { exact: true }).isDisabled()).toBe(true);
      expect(await p.getByRole("table", { name: "Webhooks" }).count()).toBe(0);
      expect(asked).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
