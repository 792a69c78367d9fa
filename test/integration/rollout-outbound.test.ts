/**
 * Outbound URLs of rollouts through the Worker, under the production rules (LOCAL_DEV is "false"
 * in the workers project): refused classes answer 422 naming the field, public https is accepted,
 * a webhook receiver's redirect is never followed, and viewers see health-check URLs redacted.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EnvironmentDurableObject } from "../../src/environment/durable-object.js";
import { adminJson, booleanFlag, createToken } from "./admin-helpers.js";
import { BASE } from "./helpers.js";
import { tickAt } from "./rollout-helpers.js";
import { SimClock } from "../support/sim-clock.js";

type Failure = { error: { code: string; details: { path: string; message: string }[] } };
type Created = { rollout: { id: string; healthChecks: { url: string }[] } };

async function flag(envName: string, key: string): Promise<void> {
  const res = await adminJson("PUT", `/envs/${envName}/flags/${key}`, booleanFlag(key, { fallthrough: { variant: "off" } }));
  expect([200, 201]).toContain(res.status);
}

describe("rollout outbound URLs", () => {
  const refused: [string, string][] = [
    ["plain http", "http://health.test/ok"],
    ["loopback", "https://127.0.0.1/"],
    ["loopback (decimal form)", "https://2130706433/"],
    ["loopback (hex form)", "https://0x7f.0.0.1/"],
    ["IPv6 loopback", "https://[::1]/"],
    ["private 10/8", "https://10.1.2.3/"],
    ["private 172.16/12", "https://172.20.0.1/"],
    ["private 192.168/16", "https://192.168.0.10/"],
    ["link-local", "https://169.254.10.10/"],
    ["cloud metadata", "https://169.254.169.254/latest/meta-data/"],
    ["metadata name", "https://metadata.google.internal/computeMetadata/v1/"],
    ["CGNAT", "https://100.64.1.1/"],
    ["unique local", "https://[fd00::1]/"],
    ["IPv6 link-local", "https://[fe80::1]/"],
    ["IPv4-mapped", "https://[::ffff:10.0.0.1]/"],
    ["unspecified", "https://0.0.0.0/"],
    ["localhost", "https://localhost/"],
    ["*.localhost", "https://admin.localhost/"],
    ["*.internal", "https://db.internal/"],
    ["*.local", "https://printer.local/"],
    ["the service itself", `${BASE}/admin/v1/tokens`],
  ];

  it.each(refused)("refuses %s at creation with a 422 naming the field (%s)", async (_, url) => {
    await flag("staging", "outbound_refused");
    const probe = await adminJson<Failure>("POST", "/envs/staging/rollouts", { flag: "outbound_refused", variant: "on", strategy: "fast", healthChecks: [{ url: "https://health.test/ok" }, { url }] });
    expect(probe.status).toBe(422);
    expect(probe.body.error.code).toBe("VALIDATION_FAILED");
    expect(probe.body.error.details.map((d) => d.path)).toEqual(["healthChecks.1.url"]);
    const hook = await adminJson<Failure>("POST", "/envs/staging/rollouts", { flag: "outbound_refused", variant: "on", strategy: "fast", webhooks: ["https://hooks.test/ok", url] });
    expect(hook.status).toBe(422);
    expect(hook.body.error.details.map((d) => d.path)).toEqual(["webhooks.1"]);
    // Nothing was created: the flag has no rollout.
    const list = await adminJson<{ rollouts: unknown[] }>("GET", "/envs/staging/rollouts?flag=outbound_refused");
    expect(list.body.rollouts).toEqual([]);
  });

  it("accepts public https health checks and webhooks", async () => {
    await flag("development", "outbound_ok");
    const res = await adminJson<Created>("POST", "/envs/development/rollouts", {
      flag: "outbound_ok", variant: "on", strategy: "fast", healthChecks: [{ url: "https://health.test/ok" }], webhooks: ["https://hooks.test/ok"],
    });
    expect(res.status).toBe(201);
    expect(res.body.rollout.healthChecks).toEqual([{ url: "https://health.test/ok", timeoutMs: 2_000 }]);
  });

  it("never follows a webhook receiver's redirect: the 3xx is a failed attempt, the target is never hit", async () => {
    await tickAt(new SimClock().now);
    await flag("production", "outbound_redirect");
    const res = await adminJson<Created>("POST", "/envs/production/rollouts", { flag: "outbound_redirect", variant: "on", strategy: "fast", webhooks: ["https://hooks.test/redirect"] });
    expect(res.status).toBe(201);
    const stub = env.ENVIRONMENT.getByName("production") as unknown as DurableObjectStub<EnvironmentDurableObject>;
    const rows = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ attempts: number; last_error: string | null }>("SELECT attempts, last_error FROM webhook_outbox WHERE url = ?", "https://hooks.test/redirect").toArray(),
    );
    // rollout.started was attempted right after the commit and waits for a retry.
    expect(rows).toEqual([{ attempts: 1, last_error: "HTTP 302 (redirects are not followed)" }]);
    const hits = (await (await fetch("https://hooks.test/redirect-hits")).json()) as string[];
    expect(hits).toEqual([]);
  });

  it("shows health-check URLs' credentials and query to operators only", async () => {
    await flag("development", "outbound_secret");
    const url = "https://probe:pa55word@health.test/ok?token=s3cret";
    const created = await adminJson<Created>("POST", "/envs/development/rollouts", { flag: "outbound_secret", variant: "on", strategy: "fast", healthChecks: [{ url }] });
    expect(created.status).toBe(201);
    const id = created.body.rollout.id;
    expect(created.body.rollout.healthChecks[0]?.url).toBe(url);

    const viewer = await createToken("viewer", ["development"]);
    const one = await adminJson<Created["rollout"]>("GET", `/envs/development/rollouts/${id}`, undefined, viewer);
    expect(one.status).toBe(200);
    expect(one.body.healthChecks).toEqual([{ url: "https://***@health.test/ok?***", timeoutMs: 2_000 }]);
    const list = await adminJson<{ rollouts: Created["rollout"][] }>("GET", "/envs/development/rollouts?flag=outbound_secret", undefined, viewer);
    expect(list.body.rollouts.map((r) => r.healthChecks[0]?.url)).toEqual(["https://***@health.test/ok?***"]);
    expect(JSON.stringify(list.body)).not.toMatch(/pa55word|s3cret/);

    // An operator of another environment cannot read it at all; one of this environment sees it whole.
    const elsewhere = await createToken("operator", ["staging"]);
    expect((await adminJson<{ error: unknown }>("GET", `/envs/development/rollouts/${id}`, undefined, elsewhere)).status).toBe(403);
    const operator = await createToken("operator", ["development"]);
    const whole = await adminJson<Created["rollout"]>("GET", `/envs/development/rollouts/${id}`, undefined, operator);
    expect(whole.body.healthChecks[0]?.url).toBe(url);
  });
});
