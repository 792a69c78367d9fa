/** Shared steps of the dashboard's browser tests. */
import type { Page } from "playwright-core";

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
