/**
 * The dashboard's Schedules page in a real browser (headless chromium via playwright-core) against
 * `npm run dev`, selecting by roles, names and labels (docs/dashboard.md): a disable scheduled a
 * few seconds ahead through the form shows PENDING, then APPLIED with the flag version without a
 * reload (and the flag is off: admin API and a strong OFREP read); a patch that is not JSON is
 * refused inline, one the API refuses lists its `path: message`; a far-off change is cancelled
 * through the dialog; a viewer token gets disabled controls.
 *
 * It runs in the `node` project, not `node-serial`: those files tick the cron with simulated
 * times, which moves every environment's clock ahead of the real one. Storage is shared with the
 * other files of the project, so it creates no flags: it changes two seeded staging flags no other
 * file of this project touches (phase_1_complete, phase_2_complete; only cli-rollouts.test.ts does,
 * on a wrangler dev of its own) and puts them back in afterAll. The browser runs in Asia/Kolkata
 * (+05:30, no DST), so the local-time → ISO-with-offset conversion is really exercised.
 * DASHBOARD_SCREENSHOTS=1 saves docs/dashboard/schedules.png.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN_TOKEN, adminClient } from "./support/admin.js";
import { launchChromium } from "./support/chromium.mjs";
import { signedInPage, withTokenPage } from "./support/dashboard.js";

const baseUrl = inject("baseUrl");
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === "1";
const ENV = "staging";
const DISABLED_FLAG = "phase_2_complete";
const PATCHED_FLAG = "phase_1_complete";
const TIMEZONE = "Asia/Kolkata";
const TZ_OFFSET_MS = (5 * 60 + 30) * 60_000;

const admin = adminClient(baseUrl);

interface Schedule { id: string; state: string; at: string; flag: string; flagVersion: number | null }
type FlagBody = Record<string, unknown> & { version?: number; updatedAt?: string; enabled: boolean };

/** An instant as the `datetime-local` value a user in TIMEZONE types (whole seconds). */
const kolkataWall = (ms: number) => new Date(ms + TZ_OFFSET_MS).toISOString().slice(0, 19);
const readFlag = async (key: string) => (await admin<{ flag: FlagBody }>("GET", `/envs/${ENV}/flags/${key}`)).flag;

/** The environment clock is never behind the wall clock, and may be ahead of it: the later of both. */
async function envNow(): Promise<number> {
  const status = await admin<{ environments: { env: string; clock: number }[] }>("GET", "/status");
  return Math.max(Date.now(), status.environments.find((e) => e.env === ENV)?.clock ?? 0);
}

describe("dashboard: scheduled changes", () => {
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  const originals = new Map<string, FlagBody>();
  let sdkKey: { id: string; key: string } | null = null;

  beforeAll(async () => {
    for (const key of [DISABLED_FLAG, PATCHED_FLAG]) {
      const { version: _v, updatedAt: _u, ...writable } = await readFlag(key);
      originals.set(key, writable as FlagBody);
    }
    browser = await launchChromium();
    ({ page, errors: pageErrors } = await signedInPage(browser, baseUrl, ADMIN_TOKEN, { viewport: { width: 1400, height: 900 }, timezoneId: TIMEZONE }));
  });

  afterAll(async () => {
    await browser?.close();
    if (sdkKey) await admin("DELETE", `/envs/${ENV}/sdk-keys/${sdkKey.id}`);
    // Whatever step failed: nothing of this file stays pending, and the flags go back as they were.
    const { schedules } = await admin<{ schedules: Schedule[] }>("GET", `/envs/${ENV}/schedules?state=PENDING`);
    for (const s of schedules) if (s.flag === DISABLED_FLAG || s.flag === PATCHED_FLAG) await admin("DELETE", `/envs/${ENV}/schedules/${s.id}`);
    for (const [key, flag] of originals) await admin("PUT", `/envs/${ENV}/flags/${key}?reason=${encodeURIComponent("dashboard-schedules e2e: restore")}`, flag);
  });

  const table = () => page.getByRole("table", { name: "Schedules" });
  const rowOf = (id: string) => table().getByRole("row").filter({ hasText: id });
  /** The id the success status names. */
  async function createdId(): Promise<string> {
    const status = page.getByRole("status").filter({ hasText: "Scheduled sch_" });
    await status.waitFor();
    const id = /sch_[A-Za-z0-9]+/.exec((await status.textContent()) ?? "")?.[0];
    expect(id).toBeDefined();
    return id as string;
  }

  it("schedules a disable a few seconds ahead: PENDING, then APPLIED with the flag version, without a reload", async () => {
    await admin("POST", `/envs/${ENV}/flags/${DISABLED_FLAG}/enable`, { reason: "dashboard-schedules e2e: start from on" });
    const created = await admin<{ key: string; id: string }>("POST", `/envs/${ENV}/sdk-keys`, { name: `dashboard-schedules-${Date.now().toString(36)}`, kind: "server" });
    sdkKey = created;

    await page.getByRole("link", { name: "Schedules", exact: true }).click();
    await page.getByRole("heading", { name: "Scheduled changes in development" }).waitFor();
    await page.goto(`${baseUrl}/ui/${ENV}/schedules`);
    await table().waitFor();
    await page.getByText("Times are read on the environment's clock").waitFor();

    const at = Math.ceil(((await envNow()) + 8_000) / 1000) * 1000;
    await page.getByLabel("Flag", { exact: true }).selectOption(DISABLED_FLAG);
    await page.getByLabel("Action", { exact: true }).selectOption("disable");
    await page.getByLabel("When", { exact: true }).fill(kolkataWall(at));
    await page.getByLabel("Reason (optional)").fill("dashboard-schedules e2e: end of phase 2");
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    const id = await createdId();

    const stored = await admin<Schedule>("GET", `/envs/${ENV}/schedules/${id}`);
    // The browser's local time went out as the same instant, with the +05:30 offset.
    expect(Date.parse(stored.at)).toBe(at);
    const row = rowOf(id);
    await expect.poll(async () => (await row.getByRole("cell").nth(4).textContent()) ?? "").toBe("PENDING");
    expect(await row.getByRole("link", { name: DISABLED_FLAG }).getAttribute("href")).toBe(`/ui/${ENV}/flags/${DISABLED_FLAG}`);
    expect(await row.locator("time").first().getAttribute("datetime")).toBe(new Date(at).toISOString());
    const url = page.url();

    // `at` is ~8 s ahead: APPLIED within seconds of it, from the stream or the short poll (not the 30 s one).
    await expect.poll(async () => (await row.textContent()) ?? "", { timeout: 15_000, interval: 250 }).toContain("APPLIED");
    const applied = await admin<Schedule>("GET", `/envs/${ENV}/schedules/${id}`);
    expect(applied.state).toBe("APPLIED");
    expect(await row.textContent()).toContain(`flag version ${applied.flagVersion}`);
    expect(page.url()).toBe(url);
    expect(await row.getByRole("button").count()).toBe(0);

    expect((await readFlag(DISABLED_FLAG)).enabled).toBe(false);
    const ofrep = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/${DISABLED_FLAG}?consistency=strong`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": created.key },
      body: JSON.stringify({ context: { targetingKey: "e2e-user" } }),
    });
    expect(ofrep.status).toBe(200);
    expect(await ofrep.json()).toMatchObject({ value: false, reason: "DISABLED" });
  });

  it("refuses a patch that is not JSON inline, and lists the API's refusal as path: message", async () => {
    const before = await readFlag(PATCHED_FLAG);
    await page.getByLabel("Flag", { exact: true }).selectOption(PATCHED_FLAG);
    await page.getByLabel("Action", { exact: true }).selectOption("patch");
    await page.getByLabel("When", { exact: true }).fill(kolkataWall((await envNow()) + 3_600_000));
    const patch = page.getByLabel("Patch (JSON merge patch)");
    await patch.fill("{not json");
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    const alert = page.getByRole("alert").filter({ hasText: "was not scheduled" });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/patch: not valid JSON/);
    expect(await patch.getAttribute("aria-invalid")).toBe("true");

    await patch.fill('{"offVariant":"gone"}');
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    await expect.poll(async () => (await alert.textContent()) ?? "").toMatch(/patch\.offVariant: \S/);
    expect((await readFlag(PATCHED_FLAG)).version).toBe(before.version);
  });

  it("cancels a far-off change through the dialog: CANCELLED, by whom", async () => {
    await page.getByLabel("Patch (JSON merge patch)").fill('{"description":"scheduled by the dashboard e2e"}');
    await page.getByLabel("When", { exact: true }).fill(kolkataWall((await envNow()) + 30 * 24 * 3_600_000));
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    const id = await createdId();
    const row = rowOf(id);
    await expect.poll(async () => (await row.textContent()) ?? "").toContain("sets description");

    await row.getByRole("button", { name: `Cancel schedule ${id}` }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel the scheduled change" });
    await dialog.getByLabel("Cancel reason (optional)").fill("dashboard-schedules e2e: not needed");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(async () => (await row.textContent()) ?? "").toContain("CANCELLED");
    expect(await row.textContent()).toContain("cancelled by admin:bootstrap");
    expect(await admin<Schedule>("GET", `/envs/${ENV}/schedules/${id}`)).toMatchObject({ state: "CANCELLED" });
    expect((await readFlag(PATCHED_FLAG)).description).not.toBe("scheduled by the dashboard e2e");

    await page.getByLabel("State", { exact: true }).selectOption("CANCELLED");
    await expect.poll(async () => (await table().textContent()) ?? "").not.toContain("PENDING");
    expect(await rowOf(id).count()).toBe(1);
    await page.getByLabel("State", { exact: true }).selectOption("");
    await expect.poll(async () => (await table().textContent()) ?? "").toContain("APPLIED");
    if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", "schedules.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("gives a viewer token the table with the form and the cancel buttons disabled", async () => {
    const pending = await admin<Schedule>("POST", `/envs/${ENV}/schedules`, { at: new Date((await envNow()) + 3_600_000).toISOString(), flag: PATCHED_FLAG, action: "enable" });
    try {
      await withTokenPage(browser, baseUrl, admin, { name: "dashboard-schedules-viewer", role: "viewer" }, async (p) => {
        await p.goto(`${baseUrl}/ui/${ENV}/schedules`);
        const cancel = p.getByRole("table", { name: "Schedules" }).getByRole("button", { name: `Cancel schedule ${pending.id}` });
        await cancel.waitFor();
        expect(await cancel.isDisabled()).toBe(true);
        for (const label of ["Flag", "Action", "When", "Reason (optional)"]) expect(await p.getByLabel(label, { exact: true }).isDisabled()).toBe(true);
        expect(await p.getByRole("button", { name: "Schedule", exact: true }).isDisabled()).toBe(true);
        expect(await p.getByLabel("State", { exact: true }).isDisabled()).toBe(false);
      });
    } finally {
      await admin("DELETE", `/envs/${ENV}/schedules/${pending.id}`);
    }
  });
});
