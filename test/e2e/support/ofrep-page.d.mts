/** Types of ofrep-page.mjs (a plain ES module, so bench/push.mjs can import it without a build). */

/** One value of the flag as the page saw it: `at` is the page's `Date.now()`. */
export interface SeenValue {
  value: boolean;
  at: number;
  event: string;
}

export interface OfrepPage {
  /** `http://127.0.0.1:<port>`: never the service's origin. */
  origin: string;
  /** Without `pollMs` (or 0) the provider gets default options; with it, polling is forced. */
  pageUrl(page: { flag: string; sdkKey: string; pollMs?: number }): string;
  close(): Promise<void>;
}

export function bundleOpenFeature(): Promise<string>;
export function startOfrepPage(options: { ofrepBaseUrl: string }): Promise<OfrepPage>;
