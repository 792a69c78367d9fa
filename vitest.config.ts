import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two projects:
 * - `workers`: pure-domain unit/property tests and integration tests, inside workerd with real
 *   local KV, D1, Durable Objects and cron (the Worker under test is src/index.ts).
 * - `repo`: checks of the repository itself in Node (e.g. no test depends on the calendar).
 * - `node`: black-box tests in Node against a real `wrangler dev` (e2e smoke, OpenFeature contract).
 * - `node-serial`: the e2e files that drive simulated time or change what other files read, one after
 *   another on a wrangler dev of their own.
 */
/**
 * E2E files that must not run beside the others (see the `node-serial` project): those that tick the
 * cron with a simulated time (every tick ticks every environment, whose clock never goes back), and
 * those that change `development`'s flags, which the anonymous OFREP contract and smoke tests read.
 */
const SERIAL_E2E = [
  "test/e2e/cli-rollouts.test.ts",
  "test/e2e/dashboard-rollouts.test.ts",
  "test/e2e/dashboard.test.ts",
  "test/e2e/dashboard-flag.test.ts",
  "test/e2e/dashboard-form.test.ts",
];

/** Webhook bodies the fake receiver got (tests read them back through GET https://hooks.test/received). */
const webhookDeliveries: unknown[] = [];
/** Each delivery's raw body, signature and event-id headers and path, as received (GET https://hooks.test/signed). */
const webhookSignatures: { body: string; signature: string | null; eventId: string | null; path: string }[] = [];
/** Event ids /flaky/* has refused once: it fails each event's first attempt and takes the retry. */
const flakyRefused = new Set<string>();
/** Requests that reached the target of the receiver's redirect (GET https://hooks.test/redirect-hits): none, if redirects are not followed. */
const redirectHits: string[] = [];

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: "./src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              remoteBindings: false,
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
                  WEBHOOK_SECRET: "test-webhook-secret",
                  ANONYMOUS_ENV: "development",
                  // Tests see every change at once; the refresh interval itself is tested explicitly.
                  SNAPSHOT_REFRESH_MS: "0",
                  FLAG_OVERRIDES: JSON.stringify({ staging: { maintenance_mode: "on" } }),
                  // The production outbound rules (https only, no loopback), whatever a local .dev.vars says.
                  LOCAL_DEV: "false",
                },
                // Every outbound `fetch` of the Worker (and its Durable Objects), e.g. rollout health
                // probes: a fake health endpoint, and no real network from tests. It sees every scheme.
                outboundService: async (request: Request) => {
                  const { origin, pathname } = new URL(request.url);
                  // A fake webhook receiver: POST /ok records, /fail refuses, /flaky/* refuses each event's first
                  // attempt, /redirect sends elsewhere, GET /received lists.
                  if (origin === "https://hooks.test") {
                    if (pathname === "/received") return Response.json(webhookDeliveries);
                    if (pathname === "/signed") return Response.json(webhookSignatures);
                    if (pathname === "/redirect-hits") return Response.json(redirectHits);
                    if (pathname === "/fail") return new Response("nope", { status: 500 });
                    if (pathname === "/redirect") return new Response(null, { status: 302, headers: { Location: "https://hooks.test/redirect-target" } });
                    if (pathname === "/redirect-target") {
                      redirectHits.push(request.method);
                      return new Response(null, { status: 204 });
                    }
                    const eventId = request.headers.get("x-edgeflags-event-id");
                    if (pathname.startsWith("/flaky/") && eventId !== null && !flakyRefused.has(`${pathname} ${eventId}`)) {
                      flakyRefused.add(`${pathname} ${eventId}`);
                      return new Response("try again", { status: 503 });
                    }
                    const body = await request.text();
                    webhookSignatures.push({ body, signature: request.headers.get("x-edgeflags-signature"), eventId, path: pathname });
                    webhookDeliveries.push(JSON.parse(body));
                    return new Response(null, { status: 204 });
                  }
                  if (origin === "https://health.test" && pathname === "/ok") return new Response("ok", { status: 200 });
                  if (origin === "https://health.test" && pathname === "/fail") return new Response("down", { status: 503 });
                  return new Response(`no outbound network in tests: ${request.url}`, { status: 599 });
                },
              },
            }),
          ],
          test: {
            name: "workers",
            // Scenario tests simulate hours of cron ticks through the real runtime; 2 shared cores.
            testTimeout: 30_000,
            include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
            setupFiles: ["./test/integration/apply-migrations.ts"],
          },
        },
        {
          test: {
            name: "repo",
            environment: "node",
            include: ["test/repo/**/*.test.ts"],
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: ["test/e2e/**/*.test.ts"],
            exclude: SERIAL_E2E,
            globalSetup: ["./test/e2e/global-setup.ts"],
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
        {
          // SERIAL_E2E: a wrangler dev of their own, one file after another, so a file's simulated clock
          // never falls behind another's and no file sees another's flag changes mid-test.
          test: {
            name: "node-serial",
            environment: "node",
            include: SERIAL_E2E,
            fileParallelism: false,
            globalSetup: ["./test/e2e/global-setup.ts"],
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
