/**
 * The cron trigger (every minute): tick every configured environment with the event's
 * `scheduledTime` as `now`, so operators and tests can drive time (docs/rollouts.md, "The tick").
 * Each tick advances the environment clock, applies the scheduled changes now due
 * (docs/schedules.md), moves rollouts and retries pending effects.
 */
import { loadConfig } from "./config.js";
import type { Env } from "./env.js";
import { environmentStub } from "./environment/api.js";

export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const config = loadConfig(env);
  if (!config.ok) {
    console.error(JSON.stringify({ level: "error", event: "cron", error: "config invalid", issues: config.issues }));
    return;
  }
  const results = await Promise.allSettled(
    config.config.environments.map((name) => environmentStub(env, name).tick(controller.scheduledTime)),
  );
  results.forEach((result, i) => {
    if (result.status === "rejected") {
      console.error(JSON.stringify({ level: "error", event: "cron", env: config.config.environments[i], error: String(result.reason) }));
    }
  });
}
