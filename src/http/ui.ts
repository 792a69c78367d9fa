/**
 * The operator dashboard at `/ui/`: a single-page app built by scripts/build-ui.mjs into ui/dist and
 * served from the Workers static-assets binding (`ASSETS`). The Worker runs first for every request
 * (wrangler.toml `run_worker_first`), so the assets are reachable only here, under /ui/, and every
 * answer carries the dashboard's strict Content-Security-Policy. Paths that are not a built file
 * (client routes such as /ui/flags) get index.html, and the app routes them with the History API.
 */
import { Hono } from "hono";
import type { AppEnv } from "./app-env.js";

export const ui = new Hono<AppEnv>();

/** No inline script or style, nothing from another origin, never framed. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The built files (ui/dist); anything else under /ui/ is a client route. */
const BUILT_FILES = new Set(["app.js", "app.css"]);

function secured(response: Response, cache: string): Response {
  const headers = new Headers(response.headers);
  headers.set("Content-Security-Policy", DASHBOARD_CSP);
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("Cache-Control", cache);
  return new Response(response.body, { status: response.status, headers });
}

ui.get("/", (c) => c.redirect("/ui/", 308));

ui.get("/*", async (c) => {
  if (!c.env.ASSETS) return secured(new Response("the dashboard is not built (npm run build:ui)", { status: 503 }), "no-store");
  const name = new URL(c.req.url).pathname.slice("/ui/".length);
  const file = BUILT_FILES.has(name) ? name : "index.html";
  const asset = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
  // index.html must be re-read after a deploy; the bundles are small and revalidated by ETag.
  return secured(asset, file === "index.html" ? "no-cache" : "public, max-age=0, must-revalidate");
});
