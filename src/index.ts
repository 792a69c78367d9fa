/**
 * edgeflags Worker entry: `fetch` (the Hono app), `scheduled` (cron), and the Durable Object class.
 */
import type { Env } from "./env.js";
import { app } from "./http/app.js";
import { runScheduled } from "./scheduled.js";

export { AccessDurableObject } from "./access/durable-object.js";
export { EnvironmentDurableObject } from "./environment/durable-object.js";

export default {
  fetch(request, env, ctx) {
    // A provider baseUrl with a trailing slash yields "//ofrep/…": collapse repeated slashes.
    const url = request.url;
    const pathStart = url.indexOf("/", url.indexOf("//") + 2);
    if (pathStart >= 0 && url.startsWith("//", pathStart)) {
      const fixed = new URL(url);
      fixed.pathname = fixed.pathname.replace(/\/{2,}/g, "/");
      return app.fetch(new Request(fixed, request), env, ctx);
    }
    return app.fetch(request, env, ctx);
  },
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },
} satisfies ExportedHandler<Env>;
