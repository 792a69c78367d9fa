/**
 * The operator dashboard (/ui/) in a real browser (Debian's headless chromium via playwright-core)
 * against `npm run dev`, selecting only by the accessibility contract of docs/dashboard.md: sign-in
 * field "API token", links "Flags"/"Rollouts", the table named "Flags", switches named by flag key,
 * the dialog's "Reason" and "Confirm". With DASHBOARD_SCREENSHOTS=1 each page is saved to
 * docs/dashboard/*.png.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN_TOKEN, adminClient } from "./support/admin.js";
import { launchChromium } from "./support/chromium.mjs";
import { signIn as signInTo, watchPageErrors } from "./support/dashboard.js";

const baseUrl = inject("baseUrl");
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === "1";
const UI_WAIT_MS = 15_000;

const admin = adminClient(baseUrl);

/**
 * Seeded flags no other e2e file reads or flips. This file creates no flag (smoke.test.ts expects
 * every environment to hold exactly the default set) and puts back what it changes.
 */
const DEV_FLAG = "security_hardening_enabled";
const PROD_FLAG = "orchestration_enabled";
const ROLLOUT_FLAG = "security_hardening_enabled";

/** The keys of the default set (config/flags.json without the `demo` tag, what every environment seeds). */
function defaultKeys(): string[] {
  const file = JSON.parse(readFileSync(join(process.cwd(), "config", "flags.json"), "utf8")) as { flags: { key: string; tags?: string[] }[] };
  return file.flags.filter((f) => !(f.tags ?? []).includes("demo")).map((f) => f.key);
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", `${name}.png`), fullPage: true });
}

const signIn = (page: Page, token: string): Promise<void> => signInTo(page, baseUrl, token);

describe("dashboard: sign in, flags, kill switches, audit", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(UI_WAIT_MS);
    pageErrors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    // Put back what the tests changed, whichever step failed.
    for (const env of ["development", "production"]) {
      for (const key of [DEV_FLAG, PROD_FLAG]) await admin("POST", `/envs/${env}/flags/${key}/enable`, { reason: "dashboard e2e: restore" });
    }
    const { rollouts } = await admin<{ rollouts: { id: string; state: string }[] }>("GET", `/envs/production/rollouts?flag=${ROLLOUT_FLAG}`);
    for (const r of rollouts.filter((r) => ["SCHEDULED", "RUNNING", "PAUSED"].includes(r.state))) {
      await admin("POST", `/envs/production/rollouts/${r.id}/cancel`, { reason: "dashboard e2e: restore" });
    }
  });

  it("serves /ui with a strict CSP (script-src 'self', no inline) and nosniff, on the page and its bundle", async () => {
    for (const path of ["/ui/", "/ui/development/flags", "/ui/app.js", "/ui/app.css"]) {
      const res = await fetch(`${baseUrl}${path}`);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      await res.arrayBuffer();
    }
    const html = await (await fetch(`${baseUrl}/ui/flags`)).text();
    expect(html).toContain('<script type="module" src="/ui/app.js">');
    expect(html).not.toMatch(/<script>(?!<)/);
    // The API is untouched by the assets: still JSON, still 404 for unknown paths.
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/app.js`)).status).toBe(404);
  });

  it("refuses a wrong token with a message containing 'invalid', and keeps it out of storage", async () => {
    await signIn(page, "eft_not-a-real-token");
    await expect.poll(() => page.getByRole("alert").textContent(), { timeout: UI_WAIT_MS }).toContain("invalid");
    await screenshot(page, "sign-in");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("signs in with the admin token and opens on the first configured environment, development", async () => {
    await signIn(page, ADMIN_TOKEN);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/ui/development/overview");
    // The token is in sessionStorage only: never in the URL, a cookie or localStorage.
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k)))).toEqual([ADMIN_TOKEN]);
    await page.getByRole("table", { name: "Environments" }).getByText("production").waitFor();
    await screenshot(page, "overview");
  });

  it("lists the default flag set in the table named Flags, reached by the Flags link", async () => {
    await page.getByRole("link", { name: "Flags" }).click();
    await page.getByRole("heading", { name: "Flags in development" }).waitFor();
    const table = page.getByRole("table", { name: "Flags" });
    await table.waitFor();
    expect(new URL(page.url()).pathname).toBe("/ui/development/flags");
    const text = (await table.textContent()) ?? "";
    for (const key of defaultKeys()) expect(text).toContain(key);
    // The serve summary of a rollout fallthrough (config/flags.json: demo_checkout_v2 serves on to 25 %).
    const row = table.getByRole("row").filter({ hasText: "demo_checkout_v2" });
    await expect.poll(() => row.textContent()).toContain("on 25 % (else off)");
    await screenshot(page, "flags");
    // Search narrows the rows.
    await page.getByLabel("Search flags").fill(DEV_FLAG);
    await expect.poll(() => table.getByRole("row").count()).toBe(2);
    await page.getByLabel("Search flags").fill("");
  });

  it("a kill switch with a reason on development reaches OFREP, without a reload", async () => {
    const sw = page.getByRole("switch", { name: DEV_FLAG, exact: true });
    expect(await sw.getAttribute("aria-checked")).toBe("true");
    await sw.click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    const confirm = dialog.getByRole("button", { name: "Confirm" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Reason").fill("dashboard e2e: kill on development");
    await screenshot(page, "kill-switch-dialog");
    await confirm.click();
    await expect.poll(() => sw.getAttribute("aria-checked")).toBe("false");

    const read = await admin<{ flag: { enabled: boolean } }>("GET", `/envs/development/flags/${DEV_FLAG}`);
    expect(read.flag.enabled).toBe(false);
    const { key } = await admin<{ key: string }>("POST", "/envs/development/sdk-keys", { name: "dashboard-e2e", kind: "server" });
    const res = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/${DEV_FLAG}?consistency=strong`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ context: { targetingKey: "user-1" } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: DEV_FLAG, value: false, reason: "DISABLED" });

    const audit = await admin<{ entries: { actor: string; reason: string | null }[] }>("GET", `/envs/development/audit?flag=${DEV_FLAG}&limit=1`);
    expect(audit.entries[0]).toMatchObject({ actor: "admin:bootstrap", reason: "dashboard e2e: kill on development" });
    // Back on at once: other files evaluate development's flags.
    await admin("POST", `/envs/development/flags/${DEV_FLAG}/enable`, { reason: "dashboard e2e: restore" });
  });

  it("on production, Confirm stays disabled until the flag key is typed out", async () => {
    await page.getByLabel("Environment").selectOption("production");
    await page.waitForURL(/\/ui\/production\/flags$/);
    const sw = page.getByRole("switch", { name: PROD_FLAG, exact: true });
    await sw.click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Reason").fill("dashboard e2e: kill on production");
    const confirm = dialog.getByRole("button", { name: "Confirm" });
    expect(await confirm.isDisabled()).toBe(true);
    const typed = dialog.getByLabel("Type the flag key to confirm");
    await typed.fill(PROD_FLAG.slice(0, -1));
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill(PROD_FLAG);
    expect(await confirm.isDisabled()).toBe(false);
    await screenshot(page, "kill-switch-production");
    await confirm.click();
    await expect.poll(() => sw.getAttribute("aria-checked")).toBe("false");
    const read = await admin<{ flag: { enabled: boolean } }>("GET", `/envs/production/flags/${PROD_FLAG}`);
    expect(read.flag.enabled).toBe(false);
  });

  it("shows a change made elsewhere without a reload (admin event stream)", async () => {
    const sw = page.getByRole("switch", { name: PROD_FLAG, exact: true });
    await admin("POST", `/envs/production/flags/${PROD_FLAG}/enable`, { reason: "dashboard e2e: restored by the API" });
    await expect.poll(() => sw.getAttribute("aria-checked"), { timeout: UI_WAIT_MS }).toBe("true");
  });

  it("lists rollouts as links naming their flag, each leading to its page with the guard table", async () => {
    // Seeded flags serve `on`; rolling `off` out is a valid rollout that serves nobody anything new
    // the other tests read (production, a flag only this file touches; cancelled in afterAll).
    const created = await admin<{ rollout: { id: string } }>("POST", `/envs/production/rollouts`, {
      flag: ROLLOUT_FLAG,
      variant: "off",
      baseline: "on",
      strategy: "safe",
      reason: "dashboard e2e",
    });
    await page.getByRole("link", { name: "Rollouts" }).click();
    await page.getByRole("heading", { name: "Rollouts in production" }).waitFor();
    const link = page.getByRole("link", { name: new RegExp(ROLLOUT_FLAG) });
    await link.waitFor();
    await screenshot(page, "rollouts");
    await link.click();
    await page.waitForURL(new RegExp(`/ui/production/rollouts/${created.rollout.id}$`));
    await page.getByRole("table", { name: "Guards" }).waitFor();
    expect(await page.getByRole("table", { name: "Guards" }).textContent()).toContain("errorRate");
    await screenshot(page, "rollout");
  });

  it("lists the audit log with filters and verifies the chain", async () => {
    await page.getByLabel("Environment").selectOption("development");
    await page.getByRole("link", { name: "Audit" }).click();
    await page.getByRole("heading", { name: "Audit log of development" }).waitFor();
    await page.getByLabel("Flag", { exact: true }).fill(DEV_FLAG);
    await page.getByRole("button", { name: "Filter" }).click();
    const table = page.getByRole("table", { name: "Audit entries" });
    await expect.poll(async () => (await table.textContent()) ?? "").toContain("dashboard e2e: kill on development");
    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect.poll(async () => (await page.getByRole("status").textContent()) ?? "").toContain("Chain verified");
    await screenshot(page, "audit");
    expect(pageErrors).toEqual([]);
  });

  it("gives a viewer token a read-only UI: no switch is enabled", async () => {
    const { token } = await admin<{ token: string }>("POST", "/tokens", { name: "dashboard-viewer", role: "viewer", environments: ["*"] });
    const viewer = await browser.newContext();
    try {
      const viewerPage = await viewer.newPage();
      viewerPage.setDefaultTimeout(UI_WAIT_MS);
      await signIn(viewerPage, token);
      await viewerPage.getByRole("link", { name: "Flags" }).click();
      const table = viewerPage.getByRole("table", { name: "Flags" });
      await table.getByRole("switch", { name: DEV_FLAG, exact: true }).waitFor();
      const switches = table.getByRole("switch");
      const count = await switches.count();
      expect(count).toBeGreaterThanOrEqual(defaultKeys().length);
      for (let i = 0; i < count; i++) {
        expect(await switches.nth(i).isDisabled()).toBe(true);
        expect(await switches.nth(i).getAttribute("aria-disabled")).toBe("true");
      }
      await screenshot(viewerPage, "flags-viewer");
    } finally {
      await viewer.close();
    }
  });
});
