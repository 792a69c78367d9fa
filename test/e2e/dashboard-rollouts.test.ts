/**
 * The dashboard's rollout pages in a real browser (headless chromium via playwright-core) against
 * `npm run dev`: start a rollout with a dry-run plan preview, watch the errorRate chart while
 * simulated minutes of erroring metrics arrive (cron endpoint + POST /v1/metrics), see the guard
 * roll it back; then pause and resume a second rollout through the reason dialog. Selects only by
 * the accessibility contract (docs/dashboard.md). DASHBOARD_SCREENSHOTS=1 saves
 * docs/dashboard/rollout-charts.png.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { nextWholeMinute, HOUR, MINUTE } from "../support/sim-clock.js";
import { ADMIN_HEADERS, ADMIN_TOKEN, adminClient } from "./support/admin.js";
import { launchChromium } from "./support/chromium.mjs";
import { signIn, watchPageErrors } from "./support/dashboard.js";

const baseUrl = inject("baseUrl");
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === "1";
const UI_WAIT_MS = 15_000;
const ENV = "development";
/** A seeded boolean flag no other e2e file uses in development; its fallthrough is made "off" (the baseline) here and put back after. */
const FLAG = "phase_3_complete";

const admin = adminClient(baseUrl);

// ── simulated time: every tick ticks every environment, whose clock never goes back ─────────

/**
 * Starts hours ahead of the real clock and of every environment's clock (other files tick too),
 * on a whole minute, and only moves forward.
 */
let clock = 0;

async function tick(ms: number): Promise<void> {
  const res = await fetch(`${baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${ms}`);
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/** 2 % errors at 2,000 requests a minute: the error guard (1 %) breaches every minute; latency stays fine. */
async function erroringMinutes(minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    const res = await fetch(`${baseUrl}/v1/metrics`, {
      method: "POST",
      headers: ADMIN_HEADERS,
      body: JSON.stringify({
        env: ENV,
        samples: [{ flag: FLAG, variant: "on", minute: clock, requests: 2_000, errors: 40, slowerThanMs: { "500": 20, "1000": 2 } }],
      }),
    });
    expect(res.status, await res.text()).toBe(202);
    clock += MINUTE;
    await tick(clock);
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", `${name}.png`), fullPage: true });
}

interface FlagJson {
  key: string;
  version?: number;
  updatedAt?: string;
  [field: string]: unknown;
}

describe("dashboard: rollout pages", () => {
  let browser: Browser;
  let page: Page;
  let original: FlagJson;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    ({ flag: original } = await admin<{ flag: FlagJson }>("GET", `/envs/${ENV}/flags/${FLAG}`));
    expect(original.fallthrough).toEqual({ variant: "on" });
    await admin("PATCH", `/envs/${ENV}/flags/${FLAG}`, { fallthrough: { variant: "off" } });
    const status = await admin<{ environments: { clock?: number }[] }>("GET", "/status");
    const latest = Math.max(Date.now(), ...status.environments.map((e) => e.clock ?? 0));
    clock = nextWholeMinute(latest + 4 * HOUR);
    await tick(clock);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(UI_WAIT_MS);
    // uPlot styles its elements through the CSSOM, which style-src 'self' allows; a `style`
    // attribute in markup or a <style> element would be refused and show up here.
    pageErrors = watchPageErrors(page);
    await signIn(page, baseUrl, ADMIN_TOKEN);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
  });

  /** Cancels what a test left active on the flag (a failed step), so the next one can start. */
  async function cancelActive(): Promise<void> {
    const { rollouts } = await admin<{ rollouts: { id: string; state: string }[] }>("GET", `/envs/${ENV}/rollouts?flag=${FLAG}`);
    for (const r of rollouts.filter((r) => ["SCHEDULED", "RUNNING", "PAUSED"].includes(r.state))) {
      await admin("POST", `/envs/${ENV}/rollouts/${r.id}/cancel`, { reason: "dashboard e2e: restore" });
    }
  }

  afterAll(async () => {
    await browser?.close();
    await cancelActive();
    if (original) {
      const { version: _version, updatedAt: _updatedAt, ...writable } = original;
      await admin("PUT", `/envs/${ENV}/flags/${FLAG}`, writable);
    }
  });

  it("starts a rollout after a dry-run plan preview, charts errorRate per minute and shows the automatic rollback", async () => {
    await page.getByRole("link", { name: "Rollouts" }).click();
    await page.getByRole("heading", { name: `Rollouts in ${ENV}` }).waitFor();
    await page.getByLabel("Flag", { exact: true }).selectOption(FLAG);
    await page.getByLabel("Variant", { exact: true }).selectOption("on");
    await page.getByLabel("Strategy", { exact: true }).selectOption("safe");
    await page.getByRole("button", { name: "Preview plan" }).click();

    // safe: 5, 10, 25, 50, 75 % a day each, then the final bake at 100 %; nothing started yet.
    const plan = page.getByRole("table", { name: "Plan" });
    await plan.waitFor();
    const cells = await plan.locator("tbody tr td:nth-of-type(1)").allTextContents();
    expect(cells).toEqual(["5 %", "10 %", "25 %", "50 %", "75 %", "100 %"]);
    expect((await admin<{ rollouts: unknown[] }>("GET", `/envs/${ENV}/rollouts?flag=${FLAG}&state=RUNNING`)).rollouts).toEqual([]);

    await page.getByRole("button", { name: "Start", exact: true }).click();
    await page.waitForURL(/\/ui\/development\/rollouts\/ro_\w+$/);
    await page.getByRole("heading", { name: `Rollout of ${FLAG} in ${ENV}` }).waitFor();
    const id = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    const rollout = await admin<{ state: string; stageIndex: number; percentage: number }>("GET", `/envs/${ENV}/rollouts/${id}`);
    expect(rollout).toMatchObject({ state: "RUNNING", stageIndex: 0, percentage: 5 });
    // The stepper marks the current stage.
    await expect.poll(() => page.getByRole("list", { name: "Stages" }).locator('[aria-current="step"]').textContent()).toContain("5 %");

    // One chart per guard, each an image named after its guard, drawn by uPlot (a canvas).
    const chart = page.getByRole("img", { name: /errorRate/ });
    await chart.waitFor();
    for (const name of ["p95", "p99"]) await page.getByRole("img", { name: new RegExp(name) }).waitFor();
    expect(await chart.locator("canvas").count()).toBeGreaterThan(0);

    // A breaching minute reaches the chart's strip live (the page reloads on the admin stream).
    await erroringMinutes(1);
    const strip = page.getByRole("list", { name: "errorRate verdicts per minute" });
    await expect.poll(() => strip.textContent(), { timeout: UI_WAIT_MS }).toContain("BREACH ×1 (streak 1)");
    await expect.poll(() => page.getByRole("table", { name: "Guards" }).getByRole("row").filter({ hasText: "errorRate" }).textContent()).toContain("PENDING");

    // Four more: 5 of the last 5 minutes breach, and the guard rolls the rollout back.
    await erroringMinutes(4);
    await expect.poll(() => page.locator("dl.facts").textContent(), { timeout: UI_WAIT_MS }).toContain("ROLLED_BACK");
    await expect.poll(() => page.locator("dl.facts").textContent()).toContain("GUARD: errorRate breached");
    await expect.poll(() => page.getByRole("list", { name: "Timeline" }).textContent()).toContain("rollout.rolled_back");
    // The ended rollout's chart spans its start to its outcome, with the breaching minutes in it.
    await expect.poll(() => strip.textContent()).toMatch(/BREACH ×5 \(streak 5\)/);
    // A finished rollout offers no command.
    for (const name of ["Pause", "Resume", "Promote", "Rollback", "Cancel"]) {
      expect(await page.getByRole("group", { name: "Rollout commands" }).getByRole("button", { name, exact: true }).isDisabled()).toBe(true);
    }
    await screenshot(page, "rollout-charts");
    expect(pageErrors).toEqual([]);
  });

  it("pauses and resumes a rollout through the reason dialog, sending the stage it shows", async () => {
    await cancelActive();
    const created = await admin<{ rollout: { id: string } }>("POST", `/envs/${ENV}/rollouts`, { flag: FLAG, variant: "on", strategy: "fast" });
    await page.goto(`${baseUrl}/ui/${ENV}/rollouts/${created.rollout.id}`);
    await page.getByRole("heading", { name: `Rollout of ${FLAG} in ${ENV}` }).waitFor();
    const commands = page.getByRole("group", { name: "Rollout commands" });

    await commands.getByRole("button", { name: "Pause", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.getByRole("button", { name: "Confirm" }).isDisabled()).toBe(true);
    await dialog.getByLabel("Reason").fill("dashboard e2e: hold");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.locator("dl.facts").textContent()).toContain("PAUSED");
    await expect.poll(() => page.getByRole("heading", { name: "Pause reasons" }).count()).toBe(1);
    expect(await page.locator("main").textContent()).toContain("MANUAL by admin:bootstrap — dashboard e2e: hold");

    await commands.getByRole("button", { name: "Resume", exact: true }).click();
    await page.getByRole("dialog").getByLabel("Reason").fill("dashboard e2e: go on");
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.locator("dl.facts").textContent()).toMatch(/RUNNING/);
    const after = await admin<{ state: string; stageIndex: number }>("GET", `/envs/${ENV}/rollouts/${created.rollout.id}`);
    expect(after).toMatchObject({ state: "RUNNING", stageIndex: 0 });
    const { entries } = await admin<{ entries: { action: string; reason: string | null }[] }>("GET", `/envs/${ENV}/audit?flag=${FLAG}&limit=5`);
    expect(entries.map((e) => [e.action, e.reason])).toEqual(expect.arrayContaining([["rollout.paused", "dashboard e2e: hold"], ["rollout.resumed", "dashboard e2e: go on"]]));

    await commands.getByRole("button", { name: "Cancel", exact: true }).click();
    await page.getByRole("dialog").getByLabel("Reason").fill("dashboard e2e: done");
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.locator("dl.facts").textContent()).toContain("CANCELLED");
    expect(pageErrors).toEqual([]);
  });
});
