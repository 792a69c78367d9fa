/**
 * Launches Debian's `chromium` (apt-get install -y chromium; browser downloads from elsewhere are
 * not reachable) through playwright-core. CHROMIUM_PATH overrides where it is looked for. A missing
 * browser is an error that says how to install it, never a skipped test: `.ci/run` installs it.
 */
import { accessSync, constants } from "node:fs";
import { chromium } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** The chromium executable, or an Error naming what was tried and how to install it. */
export function chromiumPath() {
  const tried = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CANDIDATES;
  for (const path of tried) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  throw new Error(`chromium not found (tried ${tried.join(", ")}): install it with \`apt-get install -y chromium\`, or set CHROMIUM_PATH`);
}

/** Headless chromium; --no-sandbox because CI and this machine run as root. */
export function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox", "--headless=new"], timeout: 30_000 });
}
