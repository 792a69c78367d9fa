/** Shared steps of the dashboard's browser tests. */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";

/**
 * Collects what must never happen on a dashboard page: a CSP violation (an inline script or
 * style shows up as a console error "Refused to …") and an uncaught exception. Refused requests
 * (a wrong token's 401) are expected and not collected.
 */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** Opens the dashboard and submits `token` in the sign-in form (Enter submits). */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/`);
  await page.getByLabel("API token").fill(token);
  await page.getByLabel("API token").press("Enter");
}

/** How long a dashboard test waits for the UI by default (2 shared cores, a dev server). */
export const UI_WAIT_MS = 15_000;

/**
 * A new browser context of `browser` with a page signed in with `token` and showing the Overview,
 * and the page errors it collects (watchPageErrors).
 */
export async function signedInPage(browser: Browser, baseUrl: string, token: string, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_WAIT_MS);
  const errors = watchPageErrors(page);
  await signIn(page, baseUrl, token);
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  return { context, page, errors };
}

type AdminCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * Runs `use` on a page signed in with a new API token (`role` on `environments`, every one by
 * default), then closes its context and revokes the token whatever happened.
 */
export async function withTokenPage<T>(
  browser: Browser,
  baseUrl: string,
  admin: AdminCall,
  token: { name: string; role: "viewer" | "operator" | "admin"; environments?: string[] },
  use: (page: Page) => Promise<T>,
): Promise<T> {
  const created = await admin<{ id: string; token: string }>("POST", "/tokens", { environments: ["*"], ...token });
  let context: BrowserContext | undefined;
  try {
    const session = await signedInPage(browser, baseUrl, created.token);
    context = session.context;
    return await use(session.page);
  } finally {
    await context?.close();
    await admin("DELETE", `/tokens/${created.id}`);
  }
}
