/**
 * The dashboard's two read APIs through the real Worker: POST …/flags/{key}/explain (the "evaluate
 * as" panel) and GET …/rollouts/{id}/series (the guard charts) — happy paths, errors and access.
 */
import { describe, expect, it } from "vitest";
import { admin, adminJson, booleanFlag, createToken } from "./admin-helpers.js";
import { call, postJson } from "./helpers.js";
import { MIN, postMinute, tickAt } from "./rollout-helpers.js";
import { SimClock } from "../support/sim-clock.js";

const clock = new SimClock();

type ErrorBody = { error: { code: string; details?: { path: string; message: string }[] } };
interface Explained {
  value?: unknown; variant?: string; reason: string; decidedBy: string; override: string | null;
  ruleId?: string; ruleIndex?: number; bucket?: number; bound?: number; flagVersion: number;
}
interface Point { minute: string; requests: number; events: number | null; rate: number | null; lowerBound: number | null; threshold: number; verdict: string; streak: number }
interface Series { rolloutId: string; from: string; to: string; source: string; guards: { name: string; threshold: number; points: Point[] }[]; health: unknown }

const explainPath = (env: string, key: string) => `/envs/${env}/flags/${key}/explain`;

async function serverKey(env: string): Promise<string> {
  const res = await adminJson<{ key: string }>("POST", `/envs/${env}/sdk-keys`, { name: "explain-tests", kind: "server" });
  // The edge learns new keys from the published snapshot.
  for (let i = 0; i < 30; i++) {
    const probe = await postJson("/ofrep/v1/evaluate/flags", {}, { Authorization: `Bearer ${res.body.key}` });
    await probe.body?.cancel();
    if (probe.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return res.body.key;
}

describe("POST /admin/v1/envs/{env}/flags/{key}/explain", () => {
  const key = "explained";
  const flag = booleanFlag(key, {
    rules: [{ id: "staff", when: [{ attribute: "email", op: "endsWith", values: ["@example.com"] }], serve: { variant: "on" } }],
    fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 50 } },
  });

  it("answers what the edge answers, with the rule, bucket and bound", async () => {
    expect((await adminJson("PUT", `/envs/development/flags/${key}`, flag)).status).toBe(201);
    const sdk = await serverKey("development");
    for (const context of [{ targetingKey: "u1" }, { targetingKey: "u2" }, { targetingKey: "u3" }, { targetingKey: "u4", email: "a@example.com" }, {}]) {
      const res = await adminJson<Explained>("POST", explainPath("development", key), { context });
      expect(res.status).toBe(200);
      const edge = (await (await postJson(`/ofrep/v1/evaluate/flags/${key}?consistency=strong`, { context }, { Authorization: `Bearer ${sdk}` })).json()) as { value: unknown; variant: string; reason: string };
      expect({ value: res.body.value, variant: res.body.variant, reason: res.body.reason }).toEqual({ value: edge.value, variant: edge.variant, reason: edge.reason });
      expect(res.body.flagVersion).toBe(1);
      expect(res.body.override).toBeNull();
      if ("email" in context) {
        expect(res.body).toMatchObject({ decidedBy: "rule", ruleId: "staff", ruleIndex: 0, reason: "TARGETING_MATCH" });
      } else if ("targetingKey" in context) {
        expect(res.body).toMatchObject({ decidedBy: "fallthrough", bound: 50_000, reason: "SPLIT" });
        expect(res.body.variant).toBe((res.body.bucket as number) < 50_000 ? "on" : "off");
      } else {
        expect(res.body).toMatchObject({ decidedBy: "fallthrough", bound: 50_000, variant: "off" });
        expect(res.body.bucket).toBeUndefined();
      }
    }
  });

  it("reads the current state: a kill switch shows at once, with the new version", async () => {
    expect((await adminJson("POST", `/envs/development/flags/${key}/disable`, { reason: "explain test" })).status).toBe(200);
    const res = await adminJson<Explained>("POST", explainPath("development", key), { context: { targetingKey: "u1" } });
    expect(res.body).toMatchObject({ decidedBy: "disabled", reason: "DISABLED", variant: "off", value: false, flagVersion: 2 });
  });

  it("says when FLAG_OVERRIDES decided", async () => {
    // the test configuration forces maintenance_mode to "on" in staging (it is disabled in the seed)
    const res = await adminJson<Explained>("POST", explainPath("staging", "maintenance_mode"), { context: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decidedBy: "override", override: "on", variant: "on", value: true, reason: "STATIC" });
    const dev = await adminJson<Explained>("POST", explainPath("development", "maintenance_mode"), { context: {} });
    expect(dev.body).toMatchObject({ decidedBy: "disabled", override: null });
  });

  it("404 for an unknown flag, 422 for a bad context", async () => {
    const missing = await adminJson<ErrorBody>("POST", explainPath("development", "no-such-flag"), { context: {} });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("NOT_FOUND");
    for (const body of [{ context: "x" }, { context: { targetingKey: 5 } }, {}, { context: [] }]) {
      const res = await adminJson<ErrorBody>("POST", explainPath("development", key), body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.details?.some((d) => d.path.startsWith("body.context")), JSON.stringify(res.body)).toBe(true);
    }
  });

  it("401 without a token, 403 for a token without the environment; a viewer may explain", async () => {
    const anonymous = await call(`/admin/v1${explainPath("development", key)}`, { method: "POST", body: JSON.stringify({ context: {} }), headers: { "Content-Type": "application/json" } });
    expect(anonymous.status).toBe(401);
    const stagingViewer = await createToken("viewer", ["staging"]);
    expect((await admin("POST", explainPath("development", key), { context: {} }, stagingViewer)).status).toBe(403);
    const devViewer = await createToken("viewer", ["development"]);
    expect((await admin("POST", explainPath("development", key), { context: {} }, devViewer)).status).toBe(200);
  });
});

describe("GET /admin/v1/envs/{env}/rollouts/{id}/series", () => {
  const env = "production";
  const flagKey = "charted";
  let id = "";
  let t0 = 0;

  it("charts each guard per minute from the rollout's metric buckets", async () => {
    t0 = clock.now;
    await tickAt(t0);
    expect((await adminJson("PUT", `/envs/${env}/flags/${flagKey}`, booleanFlag(flagKey, { fallthrough: { variant: "off" } }))).status).toBe(201);
    const created = await adminJson<{ rollout: { id: string; state: string } }>("POST", `/envs/${env}/rollouts`, { flag: flagKey, variant: "on", strategy: "fast" });
    expect(created.status).toBe(201);
    id = created.body.rollout.id;
    expect((await postMinute(env, flagKey, "on", t0, { requests: 2_000, errors: 4, slow500: 20, slow1000: 2 })).status).toBe(202);
    expect((await postMinute(env, flagKey, "on", t0 + MIN, { requests: 2_000, errors: 200, slow500: 20, slow1000: 2 })).status).toBe(202);
    await tickAt(clock.advance(2 * MIN));

    const res = await adminJson<Series>("GET", `/envs/${env}/rollouts/${id}/series?from=${t0}&to=${t0 + 3 * MIN}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rolloutId: id, from: new Date(t0).toISOString(), to: new Date(t0 + 3 * MIN).toISOString(), source: "durable-object", health: null });
    expect(res.body.guards.map((g) => g.name)).toEqual(["errorRate", "p95", "p99"]);
    const errors = res.body.guards[0]!;
    expect(errors.points.map((p) => p.verdict)).toEqual(["OK", "BREACH", "UNKNOWN"]);
    expect(errors.points[1]).toMatchObject({ minute: new Date(t0 + MIN).toISOString(), requests: 2_000, events: 200, rate: 0.1, threshold: 0.01, streak: 1 });
    expect(errors.points[1]!.lowerBound).toBeGreaterThan(0.01);
    expect(errors.points[1]!.lowerBound).toBeLessThan(0.1);
    expect(res.body.guards[1]!.points[0]).toMatchObject({ events: 20, rate: 0.01, verdict: "OK" });
  });

  it("defaults to the last hour on the environment clock", async () => {
    const res = await adminJson<Series>("GET", `/envs/${env}/rollouts/${id}/series`);
    expect(res.status).toBe(200);
    expect(res.body.to).toBe(new Date(clock.now).toISOString());
    const points = res.body.guards[0]!.points;
    expect(points).toHaveLength(60);
    expect(points.find((p) => p.minute === new Date(t0 + MIN).toISOString())?.verdict).toBe("BREACH");
  });

  it("404 for an unknown rollout, 422 naming the field for a bad range", async () => {
    const missing = await adminJson<ErrorBody>("GET", `/envs/${env}/rollouts/ro_nope/series`);
    expect(missing.status).toBe(404);
    const cases: [string, string][] = [
      ["from=yesterday", "from"],
      [`from=${t0}&to=${t0 + 24 * 60 * MIN + 1}`, "to"],
      [`from=${t0}&to=${t0}`, "to"],
      [`from=${t0 + MIN}&to=${t0}`, "to"],
      ["to=-5", "to"],
    ];
    for (const [query, field] of cases) {
      const res = await adminJson<ErrorBody>("GET", `/envs/${env}/rollouts/${id}/series?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.body.error.details?.some((d) => d.path === field || d.path.endsWith(`.${field}`)), `${query}: ${JSON.stringify(res.body)}`).toBe(true);
    }
  });

  it("401 without a token, 403 for a token without the environment; a viewer may read it", async () => {
    expect((await call(`/admin/v1/envs/${env}/rollouts/${id}/series`)).status).toBe(401);
    expect((await admin("GET", `/envs/${env}/rollouts/${id}/series`, undefined, await createToken("viewer", ["staging"]))).status).toBe(403);
    expect((await admin("GET", `/envs/${env}/rollouts/${id}/series`, undefined, await createToken("viewer", [env]))).status).toBe(200);
  });
});
