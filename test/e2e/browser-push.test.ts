/**
 * A real browser (Debian's headless chromium via playwright-core) runs the stock
 * `@openfeature/web-sdk` + `@openfeature/ofrep-web-provider` on another origin against `wrangler
 * dev`, and must see a kill switch flipped through the admin API, off and back on:
 * - with DEFAULT provider options (no polling: the provider learns of changes only from the
 *   `eventStreams` the bulk response advertises), within 10 s;
 * - with polling forced to 1 s, the pre-push behaviour, which proves the harness itself (page,
 *   bundle, CORS, SDK key) works; it waits longer because the edge isolate refreshes its snapshot
 *   every 5 s (SNAPSHOT_REFRESH_MS) and a plain poll does not read through.
 * How long a change takes is measured by `npm run bench -- push`, not asserted here.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./support/chromium.mjs";
import { type OfrepPage, type SeenValue, startOfrepPage } from "./support/ofrep-page.mjs";
import { booleanFlag } from "../support/flags.js";
import { adminClient } from "./support/admin.js";

const baseUrl = inject("baseUrl");
const ENV = "production";
const PUSH_WAIT_MS = 10_000;
/** Snapshot refresh (5 s) + one poll (1 s) + a loaded 2-core box. */
const POLL_WAIT_MS = 15_000;

const admin = adminClient(baseUrl);

/** A clientSide boolean flag of its own per test (tests of other files flip the seeded ones). */
async function createClientFlag(key: string): Promise<void> {
  await admin("PUT", `/envs/${ENV}/flags/${key}`, booleanFlag(key, { clientSide: true, description: "browser e2e: kill switch seen by the stock web provider" }));
}

interface BulkBody {
  flags?: { key: string; value?: unknown }[];
  eventStreams?: unknown;
}

async function bulk(sdkKey: string): Promise<BulkBody> {
  const res = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${sdkKey}` },
    body: JSON.stringify({ context: { targetingKey: "browser-user-1" } }),
  });
  return (await res.json()) as BulkBody;
}

/** Until the edge serves the new flag (its isolate refreshes the snapshot every few seconds). */
async function waitUntilServed(sdkKey: string, flag: string): Promise<void> {
  const deadline = Date.now() + POLL_WAIT_MS;
  while (Date.now() < deadline) {
    if ((await bulk(sdkKey)).flags?.some((f) => f.key === flag && f.value === true)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the edge never served the new flag ${flag} = true within ${POLL_WAIT_MS} ms`);
}

const seen = async (page: Page): Promise<SeenValue[]> => (await page.evaluate("window.__seen ?? []")) as SeenValue[];

/** Polls the page until its latest value is `value`; a clear failure with everything it saw otherwise. */
async function waitForValue(page: Page, value: boolean, waitMs: number, why: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const values = await seen(page);
    if (values.at(-1)?.value === value) return;
    if (Date.now() >= deadline) {
      const error = (await page.evaluate("window.__error ?? null")) as string | null;
      throw new Error(
        `the page did not see ${value} within ${waitMs / 1000} s; it saw ${JSON.stringify(values)}` +
          (error !== null ? `; page error: ${error}` : "") +
          `; ${await why()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("browser: the stock OFREP web provider on another origin sees kill switches", () => {
  let browser: Browser;
  let site: OfrepPage;
  let sdkKey: string;

  beforeAll(async () => {
    sdkKey = (await admin<{ key: string }>("POST", `/envs/${ENV}/sdk-keys`, { name: "browser-e2e", kind: "client" })).key;
    site = await startOfrepPage({ ofrepBaseUrl: baseUrl });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** Opens the page in a fresh context (empty storage, so no cached flags), then off, then on. */
  async function flipAndWatch(flag: string, waitMs: number, pollMs?: number): Promise<SeenValue[]> {
    await createClientFlag(flag);
    await waitUntilServed(sdkKey, flag);
    const context = await browser.newContext();
    const consoleLines: string[] = [];
    try {
      const page = await context.newPage();
      page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
      page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
      const url = site.pageUrl(pollMs === undefined ? { flag, sdkKey } : { flag, sdkKey, pollMs });
      expect(new URL(url).origin).not.toBe(new URL(baseUrl).origin);
      await page.goto(url);
      const why = async () => {
        const advertised = (await bulk(sdkKey)).eventStreams;
        return (
          `bulk response eventStreams: ${JSON.stringify(advertised) ?? "absent"}` +
          (pollMs === undefined ? " (with default options the provider only re-fetches when the advertised stream sends an event)" : "") +
          `; console: ${JSON.stringify(consoleLines.slice(-10))}`
        );
      };
      await waitForValue(page, true, POLL_WAIT_MS, why);

      const off = await admin<{ flag: { enabled: boolean } }>("POST", `/envs/${ENV}/flags/${flag}/disable`, { reason: "browser e2e: kill" });
      expect(off.flag.enabled).toBe(false);
      await waitForValue(page, false, waitMs, why);

      const on = await admin<{ flag: { enabled: boolean } }>("POST", `/envs/${ENV}/flags/${flag}/enable`, { reason: "browser e2e: restore" });
      expect(on.flag.enabled).toBe(true);
      await waitForValue(page, true, waitMs, why);
      return await seen(page);
    } finally {
      await context.close();
    }
  }

  it("with polling forced to 1 s (the harness itself, before push)", async () => {
    const values = await flipAndWatch("e2e_browser_poll", POLL_WAIT_MS, 1_000);
    expect(values.map((v) => v.value)).toEqual([true, false, true]);
    expect(values.slice(1).every((v) => v.event === "configuration changed")).toBe(true);
  }, 90_000);

  it("with default options (no polling), through the advertised event stream", async () => {
    const values = await flipAndWatch("e2e_browser_push", PUSH_WAIT_MS);
    expect(values.map((v) => v.value)).toEqual([true, false, true]);
    expect(values.slice(1).every((v) => v.event === "configuration changed")).toBe(true);
  }, 90_000);
});
