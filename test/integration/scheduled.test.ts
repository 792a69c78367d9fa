import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import type { Env } from "../../src/env.js";
import { environment, published } from "./helpers.js";
import { TEST_META } from "./helpers.js";
import { MINUTE, SimClock } from "../support/sim-clock.js";

const clock = new SimClock();

const flag = (key: string) => ({
  key, type: "boolean", variants: { on: true, off: false }, offVariant: "off", enabled: true, fallthrough: { variant: "on" },
});

describe("cron trigger", () => {
  it("ticks every environment and publishes snapshots that fell behind", async () => {
    const names = ["development", "staging", "production"];
    for (const name of names) {
      await published(name);
      // Two changes within a second: the second waits for the alarm, which we take away so that
      // only the cron tick can publish it.
      await environment(name).importFlags({ flags: [flag("cron_a")] }, {}, TEST_META);
      await environment(name).importFlags({ flags: [flag("cron_b")] }, {}, TEST_META);
      await runInDurableObject(env.ENVIRONMENT.getByName(name), async (_instance, state) => {
        await state.storage.deleteAlarm();
      });
      const status = await environment(name).status();
      expect(status.publishedVersion, name).toBeLessThan(status.version);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const controller = createScheduledController({ scheduledTime: new Date(clock.now), cron: "* * * * *" });
    const ctx = createExecutionContext();
    worker.scheduled(controller, env as Env, ctx);
    await waitOnExecutionContext(ctx);
    for (const name of names) {
      const status = await environment(name).status();
      expect(status.publishedVersion, name).toBe(status.version);
    }
  });

  it("records a FLAG_OVERRIDES change in the audit log once", async () => {
    const tick = async () => {
      const ctx = createExecutionContext();
      worker.scheduled(createScheduledController({ scheduledTime: new Date(clock.now + MINUTE), cron: "* * * * *" }), env as Env, ctx);
      await waitOnExecutionContext(ctx);
    };
    await tick();
    await tick();
    const { results } = await env.AUDIT_DB.prepare("SELECT environment, actor, after_json FROM audit_log WHERE action = 'overrides.changed'").all<{ environment: string; actor: string; after_json: string }>();
    // Only staging has overrides in the test configuration.
    expect(results).toEqual([{ environment: "staging", actor: "system:config", after_json: JSON.stringify({ maintenance_mode: "on" }) }]);
  });
});
