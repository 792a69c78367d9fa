/**
 * The flag page's form editor and compare/promote in a real browser (Debian's headless chromium via
 * playwright-core) against `npm run dev`, selecting by roles, names and labels (docs/dashboard.md):
 * a rule built with the form, refused with its error beside the condition's values field, then
 * fixed and saved with If-Match and served by OFREP; the diff against staging, promoted after the
 * same diff in the dialog (a change made in staging meanwhile refuses the write and shows the new
 * diff), and served by staging's OFREP; production's typed confirmation; a viewer
 * with no enabled write control. It edits only `performance_optimizations_enabled` in development
 * and staging (in the serial project, so no other file sees it mid-change), creates no flag, and
 * puts both back in afterAll. DASHBOARD_SCREENSHOTS=1 saves docs/dashboard/{flag-form,flag-form-dark,flag-promote}.png.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN_TOKEN, adminClient } from "./support/admin.js";
import { launchChromium } from "./support/chromium.mjs";
import { signedInPage, withTokenPage } from "./support/dashboard.js";

const baseUrl = inject("baseUrl");
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === "1";
const FLAG = "performance_optimizations_enabled";
const ENVS = ["development", "staging"] as const;

type FlagBody = Record<string, unknown> & { version?: number; updatedAt?: string; rules: unknown[] };

const admin = adminClient(baseUrl);
const readFlag = async (env: string) => (await admin<{ flag: FlagBody }>("GET", `/envs/${env}/flags/${FLAG}`)).flag;
const content = ({ version: _v, updatedAt: _u, ...rest }: FlagBody) => rest;

const sdkKeys = new Map<string, string>();

/**
 * OFREP's answer for one context in `env`, through one server SDK key per environment (created on
 * first use: the edge caches an environment's keys for a while, so a key made later may be unknown).
 */
async function ofrep(env: string, context: Record<string, unknown>): Promise<{ value: unknown; reason: string; variant?: string }> {
  let key = sdkKeys.get(env);
  if (key === undefined) {
    key = (await admin<{ key: string }>("POST", `/envs/${env}/sdk-keys`, { name: `dashboard-form-e2e-${env}`, kind: "server" })).key;
    sdkKeys.set(env, key);
  }
  const res = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/${FLAG}?consistency=strong`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ context }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { value: unknown; reason: string };
}

/** The text of the element an input's `aria-describedby` names (its inline error). */
async function describedBy(page: Page, label: string): Promise<string> {
  const field = page.getByLabel(label, { exact: true });
  const id = await field.getAttribute("aria-describedby");
  return id === null ? "" : ((await page.locator(`[id="${id}"]`).textContent()) ?? "");
}

describe("dashboard: the flag form editor, compare and promote", () => {
  let browser: Browser;
  let page: Page;
  const originals = new Map<string, FlagBody>();
  let pageErrors: string[] = [];

  beforeAll(async () => {
    for (const env of ENVS) originals.set(env, content(await readFlag(env)) as FlagBody);
    browser = await launchChromium();
    ({ page, errors: pageErrors } = await signedInPage(browser, baseUrl, ADMIN_TOKEN, { viewport: { width: 1280, height: 900 } }));
  });

  afterAll(async () => {
    await browser?.close();
    for (const [env, flag] of originals) await admin("PUT", `/envs/${env}/flags/${FLAG}?reason=${encodeURIComponent("dashboard-form e2e: restore")}`, flag);
  });

  it("builds a rule in the form, shows the API's error beside its field, then saves it with If-Match and OFREP serves it", async () => {
    const before = await readFlag("development");
    await page.goto(`${baseUrl}/ui/development/flags/${FLAG}`);
    await page.getByLabel("Flag JSON").waitFor();
    await page.getByRole("tab", { name: "Form" }).click();
    expect(await page.getByRole("tab", { name: "Form" }).getAttribute("aria-selected")).toBe("true");

    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Rule 1 condition 1 Attribute", { exact: true }).fill("country");
    await page.getByLabel("Rule 1 condition 1 Operator", { exact: true }).selectOption("lt");
    await page.getByLabel("Rule 1 condition 1 Values (one per line)", { exact: true }).fill("DE\nFR");
    await page.getByLabel("Rule 1 Variant", { exact: true }).selectOption("off");
    await page.getByLabel("Change reason").fill("dashboard-form e2e: country rule");
    await page.getByRole("button", { name: "Save" }).click();

    const values = page.getByLabel("Rule 1 condition 1 Values (one per line)", { exact: true });
    await expect.poll(() => values.getAttribute("aria-invalid")).toBe("true");
    expect(await describedBy(page, "Rule 1 condition 1 Values (one per line)")).toContain("exactly one value");
    expect(await page.getByRole("alert").filter({ hasText: "rules.0.when.0.values" }).count()).toBe(1);
    expect((await readFlag("development")).version).toBe(before.version);
    if (SCREENSHOTS) {
      await page.screenshot({ path: join("docs", "dashboard", "flag-form.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.screenshot({ path: join("docs", "dashboard", "flag-form-dark.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "light" });
    }

    await page.getByLabel("Rule 1 condition 1 Operator", { exact: true }).selectOption("in");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await page.getByRole("status").first().textContent()) ?? "").toContain(`version ${(before.version ?? 0) + 1}`);
    const after = await readFlag("development");
    expect(after.rules).toEqual([{ id: "rule-1", when: [{ attribute: "country", op: "in", values: ["DE", "FR"] }], serve: { variant: "off" } }]);
    // Everything the form did not touch is as it was.
    expect({ ...content(after), rules: [] }).toEqual({ ...originals.get("development"), rules: [] });
    expect(await values.getAttribute("aria-invalid")).toBeNull();

    // The JSON view shows the same draft.
    await page.getByRole("tab", { name: "JSON" }).click();
    expect((JSON.parse(await page.getByLabel("Flag JSON").inputValue()) as FlagBody).rules).toEqual(after.rules);

    expect(await ofrep("development", { targetingKey: "u-1", country: "DE" })).toMatchObject({ value: false, reason: "TARGETING_MATCH" });
    expect(await ofrep("development", { targetingKey: "u-1", country: "IT" })).toMatchObject({ value: true });
  });

  it("compares with staging, promotes after the same diff with a reason (refused whole when staging changed meanwhile), and staging's OFREP serves it", async () => {
    const diff = page.getByRole("table", { name: "Differences in staging" });
    await expect.poll(async () => (await diff.textContent()) ?? "").toContain("rules.0");
    const stagingBefore = await readFlag("staging");
    await page.getByRole("button", { name: "Promote to staging" }).click();
    const dialog = page.getByRole("dialog", { name: `Promote ${FLAG} to staging` });
    await dialog.waitFor();
    expect(await dialog.getByRole("table", { name: "Promotion to staging" }).textContent()).toBe(await diff.textContent());
    const confirm = dialog.getByRole("button", { name: "Confirm" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Reason").fill("dashboard-form e2e: promote");
    if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", "flag-promote.png"), fullPage: true });

    // Someone changes staging's flag after the diff was made: the guarded write is refused whole.
    await admin("PATCH", `/envs/staging/flags/${FLAG}`, { description: "changed in staging meanwhile" });
    await confirm.click();
    await dialog.getByRole("alert").filter({ hasText: "changed in staging since this diff was made" }).waitFor();
    expect((await readFlag("staging")).rules).toEqual(stagingBefore.rules);
    // The dialog now shows the current diff, the other change included; confirming again writes it.
    const promotion = dialog.getByRole("table", { name: "Promotion to staging" });
    await expect.poll(async () => (await promotion.textContent()) ?? "").toContain("changed in staging meanwhile");
    await confirm.click();
    await expect.poll(async () => (await page.getByRole("status").filter({ hasText: "Promoted" }).textContent()) ?? "").toContain(`version ${(stagingBefore.version ?? 0) + 2}`);
    // The dialog closes on success (its own diff, identical by now, goes with it), then the compare panel says so.
    await dialog.waitFor({ state: "hidden" });
    await page.getByText("Identical in staging").waitFor();

    const staging = await readFlag("staging");
    expect(content(staging)).toEqual(content(await readFlag("development")));
    expect(await ofrep("staging", { targetingKey: "u-1", country: "FR" })).toMatchObject({ value: false, reason: "TARGETING_MATCH" });
    const audit = await admin<{ entries: { actor: string; reason: string | null }[] }>("GET", `/envs/staging/audit?flag=${FLAG}&limit=1`);
    expect(audit.entries[0]?.reason).toContain("dashboard-form e2e: promote");
  });

  it("asks for the flag key typed out before promoting to production", async () => {
    await page.getByLabel("Compare with", { exact: true }).selectOption("production");
    await page.getByRole("table", { name: "Differences in production" }).waitFor();
    await page.getByRole("button", { name: "Promote to production" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Reason").fill("dashboard-form e2e: not really");
    const confirm = dialog.getByRole("button", { name: "Confirm" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type the flag key to confirm").fill(FLAG);
    expect(await confirm.isDisabled()).toBe(false);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(pageErrors).toEqual([]);
  });

  it("gives a viewer no enabled write control in the form or in promote", async () => {
    await withTokenPage(browser, baseUrl, admin, { name: "dashboard-form-viewer", role: "viewer" }, async (p) => {
      await p.goto(`${baseUrl}/ui/development/flags/${FLAG}`);
      await p.getByLabel("Flag JSON").waitFor();
      await p.getByRole("tab", { name: "Form" }).click();
      await p.getByRole("button", { name: "Add rule" }).waitFor();
      const panel = p.getByRole("tabpanel");
      expect(await panel.locator("button:enabled, input:enabled, select:enabled, textarea:enabled").count()).toBe(0);
      expect(await p.getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
      const promote = p.getByRole("button", { name: "Promote to staging" });
      expect(await promote.isDisabled()).toBe(true);
      expect(await p.getByText("Promote is disabled").textContent()).toContain("may not change flags in staging");
    });
  });
});
