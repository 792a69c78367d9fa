/**
 * What audit rows say: a rollout's creation records what decides its course (guards as resolved,
 * health checks, webhooks) without the secrets in those URLs; an actor names exactly one token;
 * the request id is the server's, never the client's.
 */
import { describe, expect, it } from "vitest";
import { admin, adminJson, booleanFlag } from "./admin-helpers.js";

type Entry = { seq: number; action: string; actor: string; target: { type: string; id: string }; after: Record<string, unknown> | null; requestId: string | null };
type Page = { entries: Entry[] };

async function newest(envName: string, query: string): Promise<Entry> {
  const page = await adminJson<Page>("GET", `/envs/${envName}/audit?limit=1&${query}`);
  expect(page.status).toBe(200);
  return page.body.entries[0] as Entry;
}

describe("rollout.created records the guards, health checks and webhook hosts", () => {
  it("holds the resolved guards, probe URLs without credentials or query, and webhook hosts only", async () => {
    await adminJson("PUT", "/envs/development/flags/audited_rollout", booleanFlag("audited_rollout", { fallthrough: { variant: "off" } }));
    const created = await adminJson<{ rollout: { id: string } }>("POST", "/envs/development/rollouts", {
      flag: "audited_rollout", variant: "on", strategy: "fast",
      guards: { errorRate: { maxRate: 0.02 }, p99: { enabled: false }, confidence: 0.99 },
      healthChecks: [{ url: "https://probe:s3cret@health.test/ok?token=x#frag", timeoutMs: 1_500 }, { url: "https://health.test:8443/deep/path" }],
      webhooks: ["https://hooks.test/services/T0/B0/secret-path", "https://hooks.test:8443/ok?key=y"],
    });
    expect(created.status).toBe(201);
    const entry = await newest("development", "action=rollout.created&flag=audited_rollout");
    const after = entry.after as Record<string, unknown>;
    expect(after["rolloutId"]).toBe(created.body.rollout.id);
    expect(after["healthChecks"]).toEqual([
      { url: "https://***@health.test/ok?***", timeoutMs: 1_500 },
      { url: "https://health.test:8443/deep/path", timeoutMs: 2_000 },
    ]);
    expect(after["webhooks"]).toEqual(["hooks.test", "hooks.test:8443"]);
    const guards = after["guards"] as { metrics: { name: string; maxRate: number }[]; confidence: number };
    // Resolved: overrides applied, defaults filled in, the disabled p99 guard absent.
    expect(guards.metrics.map((g) => g.name)).toEqual(["errorRate", "p95"]);
    expect(guards.metrics[0]).toMatchObject({ name: "errorRate", maxRate: 0.02, minSamples: 100 });
    expect(guards.confidence).toBe(0.99);
    const text = JSON.stringify(entry);
    for (const secret of ["s3cret", "token=x", "secret-path", "key=y", "probe", "frag"]) expect(text).not.toContain(secret);
  });
});

describe("audit actors and request ids", () => {
  it("an API token's actor is token:<name>#<id>, one token even when names repeat", async () => {
    const make = () => adminJson<{ id: string; token: string }>("POST", "/tokens", { name: "same-name", role: "operator", environments: ["development"] });
    const [first, second] = [await make(), await make()];
    expect(first.body.id).not.toBe(second.body.id);
    for (const [i, t] of [first, second].entries()) {
      expect((await admin("PUT", `/envs/development/flags/actor_${i}`, booleanFlag(`actor_${i}`), t.body.token)).status).toBe(201);
    }
    const byFirst = await adminJson<Page>("GET", `/envs/development/audit?actor=${encodeURIComponent(`token:same-name#${first.body.id}`)}`);
    expect(byFirst.body.entries.map((e) => [e.actor, e.target.id])).toEqual([[`token:same-name#${first.body.id}`, "actor_0"]]);
    expect((await newest("development", "flag=actor_1")).actor).toBe(`token:same-name#${second.body.id}`);
  });

  it("generates the request id server-side: a client's X-Request-Id is neither recorded nor echoed", async () => {
    const chosen = "client-chosen-id-0001";
    const res = await admin("PUT", "/envs/development/flags/request_id", booleanFlag("request_id"), undefined, { "X-Request-Id": chosen });
    expect(res.status).toBe(201);
    const served = res.headers.get("x-request-id");
    expect(served).toMatch(/^[0-9a-f-]{36}$/);
    expect(served).not.toBe(chosen);
    expect((await newest("development", "flag=request_id")).requestId).toBe(served);
  });
});
