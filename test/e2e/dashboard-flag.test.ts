/**
 * The dashboard's flag page and keys/tokens page in a real browser (Debian's headless chromium via
 * playwright-core) against `npm run dev`, selecting by roles, names and labels (docs/dashboard.md):
 * the JSON editor's validation error with its path inline, then a guarded save; "Evaluate as";
 * the history diff; an earlier version restored through its dialog (a 409 first, when the flag moved
 * on behind the page's back); an SDK key created (secret shown once) and revoked. It edits only
 * `llm_integration_enabled` in development, which no other e2e file reads there, creates no flag,
 * and puts the flag back in afterAll. DASHBOARD_SCREENSHOTS=1 saves docs/dashboard/{flag,keys}.png.
 */
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN_TOKEN, adminClient } from "./support/admin.js";
import { launchChromium } from "./support/chromium.mjs";
import { signIn, UI_WAIT_MS, watchPageErrors, withTokenPage } from "./support/dashboard.js";

const baseUrl = inject("baseUrl");
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === "1";
const ENV = "development";
const FLAG = "llm_integration_enabled";

type FlagBody = Record<string, unknown> & { version?: number; updatedAt?: string; rules: unknown[] };

const admin = adminClient(baseUrl);

const readFlag = async () => (await admin<{ flag: FlagBody }>("GET", `/envs/${ENV}/flags/${FLAG}`)).flag;

function rule(op: string) {
  return { id: "e2e-country", when: [{ attribute: "country", op, values: ["DE"] }], serve: { variant: "off" } };
}

describe("dashboard: flag page, evaluate as, history, keys", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let original: FlagBody;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    const { version: _v, updatedAt: _u, ...rest } = await readFlag();
    original = rest as FlagBody;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
    page = await context.newPage();
    page.setDefaultTimeout(UI_WAIT_MS);
    pageErrors = watchPageErrors(page);
    await signIn(page, baseUrl, ADMIN_TOKEN);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    // Whatever step failed, the flag goes back to what it was (last-writer-wins, no If-Match).
    if (original) await admin("PUT", `/envs/${ENV}/flags/${FLAG}?reason=${encodeURIComponent("dashboard-flag e2e: restore")}`, original);
  });

  it("opens a flag's page from its key in the Flags table, with its JSON in the editor", async () => {
    await page.getByRole("link", { name: "Flags", exact: true }).click();
    const table = page.getByRole("table", { name: "Flags" });
    // The row's switch contract is unchanged beside the new link.
    await table.getByRole("switch", { name: FLAG, exact: true }).waitFor();
    await table.getByRole("link", { name: FLAG, exact: true }).click();
    await page.waitForURL(new RegExp(`/ui/${ENV}/flags/${FLAG}$`));
    const editor = page.getByLabel("Flag JSON");
    await expect.poll(async () => JSON.parse(await editor.inputValue()) as unknown).toEqual(original);
  });

  it("shows an invalid operator's error with its path inline, then saves a valid edit with If-Match", async () => {
    const before = await readFlag();
    const editor = page.getByLabel("Flag JSON");
    await editor.fill(JSON.stringify({ ...original, rules: [rule("resembles")] }, null, 2));
    await page.getByLabel("Change reason").fill("dashboard-flag e2e: country rule");
    await page.getByRole("button", { name: "Save" }).click();
    const errors = page.getByRole("alert").filter({ hasText: "rules.0.when.0.op" });
    await errors.waitFor();
    expect(await errors.textContent()).toMatch(/rules\.0\.when\.0\.op: \S/);
    expect((await readFlag()).version).toBe(before.version);

    await editor.fill(JSON.stringify({ ...original, rules: [rule("in")] }, null, 2));
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await page.getByRole("status").first().textContent()) ?? "").toContain(`version ${(before.version ?? 0) + 1}`);
    const after = await readFlag();
    expect(after.version).toBe((before.version ?? 0) + 1);
    expect(after.rules).toEqual([rule("in")]);
    await expect.poll(async () => (await page.getByText("Version ", { exact: false }).first().textContent()) ?? "").toContain(`Version ${after.version}`);
  });

  it("answers a stale version with 409, a clear message and a reload", async () => {
    // Someone else changes the flag behind the page's back.
    await admin("PATCH", `/envs/${ENV}/flags/${FLAG}`, { description: "changed elsewhere" });
    const editor = page.getByLabel("Flag JSON");
    const text = JSON.parse(await editor.inputValue()) as FlagBody;
    await editor.fill(JSON.stringify({ ...text, description: "my edit" }, null, 2));
    await page.getByRole("button", { name: "Save" }).click();
    const conflict = page.getByRole("alert").filter({ hasText: "changed since it was loaded" });
    await conflict.waitFor();
    await conflict.getByRole("button", { name: "Reload" }).click();
    await expect.poll(async () => (JSON.parse(await editor.inputValue()) as FlagBody).description).toBe("changed elsewhere");
    expect((await readFlag()).description).toBe("changed elsewhere");
  });

  it("evaluates as a context: value, variant, reason and the rule that matched, as the API explains it", async () => {
    const ctx = { targetingKey: "user-42", country: "DE" };
    await page.getByLabel("Context (JSON)").fill(JSON.stringify(ctx));
    await page.getByRole("button", { name: "Evaluate" }).click();
    const explanation = page.locator("dl[aria-label='Explanation']");
    const facts = explanation.getByRole("definition");
    await explanation.waitFor();
    const text = (await explanation.textContent()) ?? "";
    const api = await admin<{ value: unknown; variant: string; reason: string; ruleId?: string }>("POST", `/envs/${ENV}/flags/${FLAG}/explain`, { context: ctx });
    expect(api).toMatchObject({ value: false, variant: "off", reason: "TARGETING_MATCH", ruleId: "e2e-country" });
    expect(text).toContain("TARGETING_MATCH");
    expect(text).toContain("e2e-country");
    expect(await facts.first().textContent()).toBe("false");

    // Another country falls through to `on`.
    await page.getByLabel("Context (JSON)").fill(JSON.stringify({ targetingKey: "user-42", country: "FR" }));
    await page.getByRole("button", { name: "Evaluate" }).click();
    await expect.poll(async () => (await explanation.textContent()) ?? "").toContain("STATIC");
    expect(await facts.first().textContent()).toBe("true");

    // At the time of the seeded version, before the rule existed: DE fell through to `on`, version 1.
    const { versions } = await admin<{ versions: { version: number; at: string }[] }>("GET", `/envs/${ENV}/flags/${FLAG}/versions`);
    const seeded = versions[versions.length - 1] as { version: number; at: string };
    const then = await admin<{ value: unknown; flagVersion: number }>("POST", `/envs/${ENV}/flags/${FLAG}/explain`, { context: ctx, at: seeded.at });
    expect(then).toMatchObject({ value: true, flagVersion: seeded.version });
    await page.getByLabel("Context (JSON)").fill(JSON.stringify(ctx));
    await page.getByLabel("At (optional: a past time)").fill(seeded.at);
    await page.getByRole("button", { name: "Evaluate" }).click();
    await expect.poll(async () => (await explanation.textContent()) ?? "").toContain(`Flag version${seeded.version}Evaluated at${seeded.at}`);
    expect(await facts.first().textContent()).toBe("true");
    await page.getByLabel("At (optional: a past time)").fill("yesterday-ish");
    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.getByRole("alert").filter({ hasText: "at: not a date and time" }).waitFor();
    await page.getByLabel("At (optional: a past time)").fill("");
  });

  it("shows the history as changed paths with old → new", async () => {
    const history = page.getByRole("list", { name: "Flag history" });
    await expect.poll(async () => (await history.textContent()) ?? "").toContain("rules.0");
    expect(await history.textContent()).toContain("dashboard-flag e2e: country rule");
    await expect.poll(async () => (await history.textContent()) ?? "").toContain('"changed elsewhere"');
    if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", "flag.png"), fullPage: true });
  });

  it("restores an earlier version through its dialog: the diff, a 409 when the flag moved on, then the write", async () => {
    type Version = { version: number; action: string; reason: string | null; flag: FlagBody };
    const { versions } = await admin<{ versions: Version[] }>("GET", `/envs/${ENV}/flags/${FLAG}/versions`);
    const same = (f: FlagBody) => JSON.stringify(f.rules) === JSON.stringify(original.rules) && f.description === original.description;
    const target = versions.find((v) => same(v.flag));
    expect(target, "a version from before this file's edits").toBeDefined();
    const restoreTo = target?.version ?? 0;
    const table = page.getByRole("table", { name: "Flag versions" });
    await table.getByRole("row").filter({ hasText: "current" }).waitFor();

    // Someone changes the flag after the page loaded: the restore is guarded by the version shown.
    const shown = (await readFlag()).version ?? 0;
    await admin("PATCH", `/envs/${ENV}/flags/${FLAG}`, { description: "changed before the restore" });
    await table.getByRole("button", { name: `Restore version ${restoreTo}`, exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Restore ${FLAG} to version ${restoreTo}` });
    const diff = dialog.getByRole("table", { name: `Restoring version ${restoreTo}` });
    expect(await diff.textContent()).toContain("rules.0");
    await dialog.getByLabel("Reason").fill("dashboard-flag e2e: restore the original");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.getByRole("alert").filter({ hasText: "changed since this page loaded" }).waitFor();
    expect((await readFlag()).version).toBe(shown + 1);
    // The diff is now against the current version, which includes the change made behind its back.
    await expect.poll(async () => (await diff.textContent()) ?? "").toContain("changed before the restore");

    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(async () => (await page.getByRole("status").filter({ hasText: "Restored" }).textContent()) ?? "").toBe(
      `Restored version ${restoreTo}'s content as version ${shown + 2}.`,
    );
    const restored = await readFlag();
    expect(restored.version).toBe(shown + 2);
    expect(same(restored)).toBe(true);
    await expect.poll(async () => same(JSON.parse(await page.getByLabel("Flag JSON").inputValue()) as FlagBody)).toBe(true);
    const { entries } = await admin<{ entries: { action: string; reason: string | null }[] }>("GET", `/envs/${ENV}/audit?flag=${FLAG}&limit=1`);
    expect(entries[0]).toMatchObject({ action: "flag.restored", reason: "dashboard-flag e2e: restore the original" });
    await table.getByRole("row").filter({ hasText: "flag.restored" }).filter({ hasText: "current" }).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", "flag-versions.png"), fullPage: true });
  });

  it("creates an SDK key, shows its secret once with Copy, and revokes it after a confirmation", async () => {
    await page.getByRole("link", { name: "Keys and tokens", exact: true }).click();
    await page.getByRole("heading", { name: "Keys and tokens" }).waitFor();
    const name = `dashboard-flag-e2e-${Date.now()}`;
    await page.getByLabel("Key name").fill(name);
    await page.getByRole("button", { name: "Create SDK key" }).click();
    const secret = page.getByRole("region", { name: "New SDK key" });
    await secret.waitFor();
    const value = ((await secret.locator("code").textContent()) ?? "").trim();
    expect(value).toMatch(new RegExp(`^efs_${ENV}_[A-Za-z0-9]{32,64}$`));
    await secret.getByRole("button", { name: "Copy" }).click();
    await expect.poll(async () => (await secret.getByRole("status").textContent()) ?? "").toBe("Copied.");
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(value);

    const table = page.getByRole("table", { name: "SDK keys" });
    const row = table.getByRole("row").filter({ hasText: name });
    await row.waitFor();
    // The list never shows the secret.
    expect(await table.textContent()).not.toContain(value);
    await page.getByRole("table", { name: "API tokens" }).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", "keys.png"), fullPage: true });
    await secret.getByRole("button", { name: "Done" }).click();
    expect(await page.getByText(value).count()).toBe(0);

    await row.getByRole("button", { name: `Revoke SDK key ${name}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await expect.poll(async () => (await row.textContent()) ?? "").toContain("revoked");
    const { keys } = await admin<{ keys: { name: string; revokedAt: string | null }[] }>("GET", `/envs/${ENV}/sdk-keys`);
    expect(keys.find((k) => k.name === name)?.revokedAt).toEqual(expect.any(String));
    expect(pageErrors).toEqual([]);
  });

  it("disables key writes and hides token management for a viewer token", async () => {
    await withTokenPage(browser, baseUrl, admin, { name: "dashboard-flag-viewer", role: "viewer" }, async (p) => {
      await p.getByRole("link", { name: "Keys and tokens", exact: true }).click();
      await p.getByRole("heading", { name: "Keys and tokens" }).waitFor();
      expect(await p.getByRole("button", { name: "Create SDK key" }).isDisabled()).toBe(true);
      expect(await p.getByRole("table", { name: "API tokens" }).count()).toBe(0);
      await p.goto(`${baseUrl}/ui/${ENV}/flags/${FLAG}`);
      await p.getByLabel("Flag JSON").waitFor();
      expect(await p.getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
      const restores = p.getByRole("table", { name: "Flag versions" }).getByRole("button", { name: /^Restore version / });
      await restores.first().waitFor();
      for (const button of await restores.all()) expect(await button.isDisabled()).toBe(true);
    });
  });
});
