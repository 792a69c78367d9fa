/**
 * The dashboard's segments pages in a real browser (headless chromium via playwright-core) against
 * the e2e `wrangler dev`, selecting by roles, names and labels (docs/dashboard.md): a segment
 * created through the "New segment" form, its JSON edited (an invalid operator refused with the
 * path inline, then a rule saved), members added and removed through the members form, the
 * included-ids search over more ids than it renders, "Used by" and the disabled Delete while a
 * flag's rule names the segment, a 409 IN_USE shown in the delete dialog, then the delete, and a
 * viewer's disabled controls. It creates only segments (in staging, with a per-run key) and no
 * flag; it borrows the seeded staging flag `read_only_mode` (no other e2e file reads it in staging)
 * and puts it back. DASHBOARD_SCREENSHOTS=1 saves docs/dashboard/{segments,segment}.png.
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
const FLAG = "read_only_mode";
const KEY = `dash-seg-${Date.now().toString(36)}`;
const BULK = Array.from({ length: 500 }, (_, i) => `bulk-${String(i).padStart(3, "0")}`);

type FlagBody = Record<string, unknown> & { version?: number; updatedAt?: string; rules: unknown[] };
interface SegmentBody {
  key: string;
  description?: string;
  include: string[];
  exclude: string[];
  rules: unknown[];
  bucketBy: string;
  version: number;
}

const admin = adminClient(baseUrl);
const readSegment = async () => (await admin<{ segment: SegmentBody; usedBy: string[] }>("GET", `/envs/${ENV}/segments/${KEY}`)).segment;
const readFlag = async () => (await admin<{ flag: FlagBody }>("GET", `/envs/${ENV}/flags/${FLAG}`)).flag;
const segmentRule = { attribute: "plan", op: "in", values: ["beta"] };

describe("dashboard: segments list and a segment's page", () => {
  let browser: Browser;
  let page: Page;
  let original: FlagBody;
  let pageErrors: string[] = [];
  const putFlag = (body: FlagBody, why: string) => admin("PUT", `/envs/${ENV}/flags/${FLAG}?reason=${encodeURIComponent(`dashboard-segments e2e: ${why}`)}`, body);
  const useSegment = () => putFlag({ ...original, rules: [...original.rules, { id: "e2e-segment", when: [{ op: "inSegment", values: [KEY] }], serve: { variant: "on" } }] }, "use the segment");

  beforeAll(async () => {
    const { version: _v, updatedAt: _u, ...rest } = await readFlag();
    original = rest as FlagBody;
    browser = await launchChromium();
    ({ page, errors: pageErrors } = await signedInPage(browser, baseUrl, ADMIN_TOKEN, { viewport: { width: 1280, height: 900 } }));
  });

  afterAll(async () => {
    await browser?.close();
    // Whatever step failed: the flag goes back to what it was, then the segment goes (it cannot while used).
    if (original) await putFlag(original, "restore");
    await admin("DELETE", `/envs/${ENV}/segments/${KEY}`).catch(() => undefined);
  });

  it("creates a segment through the New segment form and opens its page; the key cannot be taken twice", async () => {
    await page.goto(`${baseUrl}/ui/${ENV}/segments`);
    await page.getByRole("heading", { name: `Segments in ${ENV}` }).waitFor();
    await page.getByLabel("Segment key").fill(KEY);
    await page.getByLabel("Description").fill("Beta testers (e2e)");
    await page.getByRole("button", { name: "Create segment" }).click();
    await page.waitForURL(new RegExp(`/ui/${ENV}/segments/${KEY}$`));
    const editor = page.getByLabel("Segment JSON");
    await expect
      .poll(async () => JSON.parse(await editor.inputValue()) as unknown)
      .toEqual({ key: KEY, description: "Beta testers (e2e)", include: [], exclude: [], rules: [], bucketBy: "targetingKey" });
    expect((await readSegment()).version).toBe(1);

    await page.getByRole("link", { name: `← all segments in ${ENV}` }).click();
    const row = page.getByRole("table", { name: "Segments" }).getByRole("row").filter({ hasText: KEY });
    await row.getByRole("link", { name: KEY, exact: true }).waitFor();
    expect(await row.textContent()).toContain("no flags");
    await page.getByLabel("Segment key").fill(KEY);
    await page.getByRole("button", { name: "Create segment" }).click();
    await page.getByRole("alert").filter({ hasText: "already exists" }).waitFor();
    expect((await readSegment()).version).toBe(1);
    // A key the API refuses: the alert names the field, as every other form's does.
    await page.getByLabel("Segment key").fill("Not a key!");
    await page.getByRole("button", { name: "Create segment" }).click();
    await page.getByRole("alert").filter({ hasText: /key: \S/ }).waitFor();
    await row.getByRole("link", { name: KEY, exact: true }).click();
    await page.waitForURL(new RegExp(`/ui/${ENV}/segments/${KEY}$`));
  });

  it("refuses an invalid edit with its path inline, then saves a rule", async () => {
    const editor = page.getByLabel("Segment JSON");
    const text = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill(JSON.stringify({ ...text, rules: [{ when: [{ ...segmentRule, op: "resembles" }] }] }, null, 2));
    await page.getByLabel("Change reason").fill("dashboard-segments e2e: beta rule");
    await page.getByRole("button", { name: "Save" }).click();
    const errors = page.getByRole("alert").filter({ hasText: "rules.0.when.0.op" });
    await errors.waitFor();
    expect(await errors.textContent()).toMatch(/rules\.0\.when\.0\.op: \S/);
    expect((await readSegment()).version).toBe(1);

    await editor.fill(JSON.stringify({ ...text, rules: [{ when: [segmentRule] }] }, null, 2));
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved: version 2." }).waitFor();
    expect(await readSegment()).toMatchObject({ version: 2, rules: [{ when: [segmentRule] }] });
  });

  it("refuses to save over a change made since the text was loaded (If-Match), then reloads it", async () => {
    const editor = page.getByLabel("Segment JSON");
    const text = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill(JSON.stringify({ ...text, description: "my edit" }, null, 2));
    // Someone else changes the segment behind the page's back (the edited text stays: it is unsaved).
    await admin("PUT", `/envs/${ENV}/segments/${KEY}`, { ...text, description: "Beta testers (changed elsewhere)" });
    await page.getByRole("button", { name: "Save" }).click();
    const stale = page.getByRole("alert").filter({ hasText: "changed since it was loaded" });
    await stale.waitFor();
    expect(await readSegment()).toMatchObject({ version: 3, description: "Beta testers (changed elsewhere)" });
    await stale.getByRole("button", { name: "Reload" }).click();
    await expect.poll(async () => (JSON.parse(await editor.inputValue()) as SegmentBody).description).toBe("Beta testers (changed elsewhere)");
  });

  it("adds and removes members through the members form, and searches the included ids", async () => {
    const status = page.getByRole("status").filter({ hasText: "Added" });
    await page.getByLabel("Add ids (one per line)").fill("u1\n u2\nu3\nu2\n");
    await page.getByRole("button", { name: "Apply members change" }).click();
    await expect.poll(async () => (await status.textContent()) ?? "").toBe("Added 3 ids and removed 0 ids.");
    expect((await readSegment()).include).toEqual(["u1", "u2", "u3"]);

    await page.getByLabel("Remove ids (one per line)").fill("u2\nnobody");
    await page.getByRole("button", { name: "Apply members change" }).click();
    await expect.poll(async () => (await status.textContent()) ?? "").toContain("Added 0 ids and removed 1 id (1 id unchanged");
    expect(await readSegment()).toMatchObject({ include: ["u1", "u3"], version: 5 });
    // The editor follows the new version (it had no unsaved edit).
    await expect.poll(async () => (JSON.parse(await page.getByLabel("Segment JSON").inputValue()) as SegmentBody).include).toEqual(["u1", "u3"]);

    // More ids than the list renders, added behind the page's back: the live page shows the first 200.
    await admin("POST", `/envs/${ENV}/segments/${KEY}/members`, { add: BULK });
    const ids = page.getByRole("list", { name: "Included ids" }).getByRole("listitem");
    await expect.poll(() => page.getByText("Showing the first 200 of 502 matching ids").count()).toBe(1);
    expect(await ids.count()).toBe(200);
    await page.getByLabel("Search included ids").fill("BULK-04");
    await expect.poll(() => ids.count()).toBe(10);
    expect(await ids.first().textContent()).toBe("bulk-040");
    await page.getByLabel("Search included ids").fill("u3");
    await expect.poll(async () => await ids.allTextContents()).toEqual(["u3"]);
  });

  it("shows the flags that use it, with Delete disabled, on its page and in the list", async () => {
    await useSegment();
    const facts = page.locator("dl[aria-label='Segment facts']");
    await facts.getByRole("link", { name: FLAG, exact: true }).waitFor();
    const del = page.getByRole("button", { name: "Delete segment" });
    expect(await del.isDisabled()).toBe(true);
    expect(await page.getByText(/^Delete is disabled/).textContent()).toBe(`Delete is disabled: used by flag ${FLAG}; remove it from their rules first.`);
    await page.getByLabel("Search included ids").fill("");
    if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", "segment.png"), fullPage: true });

    await page.getByRole("link", { name: `← all segments in ${ENV}` }).click();
    const row = page.getByRole("table", { name: "Segments" }).getByRole("row").filter({ hasText: KEY });
    await row.getByRole("link", { name: FLAG, exact: true }).waitFor();
    expect(await row.getByRole("cell").allTextContents()).toEqual(["Beta testers (changed elsewhere)", "502", "0", "1", "targetingKey", FLAG]);
    if (SCREENSHOTS) await page.screenshot({ path: join("docs", "dashboard", "segments.png"), fullPage: true });
    await row.getByRole("link", { name: FLAG, exact: true }).click();
    await page.waitForURL(new RegExp(`/ui/${ENV}/flags/${FLAG}$`));
  });

  it("gives a viewer token disabled controls", async () => {
    await withTokenPage(browser, baseUrl, admin, { name: "dashboard-segments-viewer", role: "viewer" }, async (p) => {
      await p.goto(`${baseUrl}/ui/${ENV}/segments`);
      await p.getByRole("table", { name: "Segments" }).getByRole("link", { name: KEY, exact: true }).waitFor();
      expect(await p.getByRole("button", { name: "Create segment" }).isDisabled()).toBe(true);
      expect(await p.getByLabel("Segment key").isDisabled()).toBe(true);
      await p.getByRole("table", { name: "Segments" }).getByRole("link", { name: KEY, exact: true }).click();
      await p.getByLabel("Segment JSON").waitFor();
      expect(await p.getByLabel("Segment JSON").getAttribute("readonly")).not.toBeNull();
      for (const label of ["Change reason", "Add ids (one per line)", "Remove ids (one per line)", "Reason for the members change"]) expect(await p.getByLabel(label).isDisabled(), label).toBe(true);
      for (const name of ["Save", "Apply members change", "Delete segment"]) expect(await p.getByRole("button", { name }).isDisabled(), name).toBe(true);
      // Searching is reading: open to a viewer.
      expect(await p.getByLabel("Search included ids").isEnabled()).toBe(true);
    });
  });

  it("shows a 409 IN_USE in the delete dialog, then deletes through the dialog once no flag uses it", async () => {
    await putFlag(original, "stop using the segment");
    await page.goto(`${baseUrl}/ui/${ENV}/segments/${KEY}`);
    const del = page.getByRole("button", { name: "Delete segment" });
    await expect.poll(() => del.isEnabled()).toBe(true);
    await del.click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Reason").fill("dashboard-segments e2e: done");
    // A flag starts using it while the dialog is open: the API refuses and the dialog says why.
    await useSegment();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await dialog.getByRole("alert").filter({ hasText: `is used by ${FLAG}` }).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => del.isDisabled()).toBe(true);
    expect((await readSegment()).version).toBe(6);

    await putFlag(original, "restore");
    await expect.poll(() => del.isEnabled()).toBe(true);
    await del.click();
    await dialog.getByLabel("Reason").fill("dashboard-segments e2e: done");
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(new RegExp(`/ui/${ENV}/segments$`));
    await page.getByRole("heading", { name: `Segments in ${ENV}` }).waitFor();
    await expect.poll(() => page.getByRole("link", { name: KEY, exact: true }).count()).toBe(0);
    await expect(admin("GET", `/envs/${ENV}/segments/${KEY}`)).rejects.toThrow(/404/);
    expect(pageErrors).toEqual([]);
  });
});
