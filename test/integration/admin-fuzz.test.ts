/**
 * Fuzzing the admin API, over every operation of the Worker's own OpenAPI document. Specific cases
 * (malformed JSON, wrong types, huge and deeply nested bodies, bad keys, unicode, wrong content
 * types, against resources that do not exist): always a 4xx in the error envelope, never a 500,
 * and no environment's version or audit log moves. Then operation by operation, on real
 * resources: random queries, headers and bodies never give a 5xx.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { badBody, badKey, contentType, requestFor, wrongTypes } from "./admin-fuzz-arbitraries.js";
import { ADMIN, admin } from "./admin-helpers.js";
import { expectCoversKnownRoutes, fillPath, loadAdminOperations, operationName, type PathValues } from "./admin-operations.js";
import { createRouteFixtures } from "./admin-route-fixtures.js";
import { expectErrorEnvelope } from "./error-envelope.js";
import { call, environment } from "./helpers.js";
import { DAY } from "../support/sim-clock.js";

const ENVS = ["development", "staging", "production"];

async function stateOf(): Promise<string> {
  const parts = await Promise.all(ENVS.map(async (e) => {
    const s = await environment(e).status();
    return `${e}:${s.version}:${s.audit.lastSeq}`;
  }));
  return parts.join("|");
}

/** Resources that do not exist: the specific cases below must be refused and change nothing. */
const MISSING: PathValues = { env: "staging", flagKey: "fuzz_target", rolloutId: "ro_missing", sdkKeyId: "sk_missing", tokenId: "tok_missing", scheduleId: "sch_missing", segmentKey: "fuzz_segment_missing", webhookId: "wh_missing" };

/** Every operation of the Worker's own OpenAPI document: new routes are fuzzed without a list to update. */
const operations = await loadAdminOperations();
/** The operations that take a JSON body (required or optional). */
const bodyOperations = operations.filter((op) => op.body !== "none");

type Case = { method: string; path: string; body?: string; contentType?: string };

async function expectRejected(c: Case): Promise<void> {
  const headers: Record<string, string> = {};
  if (c.contentType !== undefined && c.contentType !== "") headers["Content-Type"] = c.contentType;
  const res = c.path.startsWith("/v1/")
    ? await call(c.path, { method: c.method, headers: { Authorization: `Bearer ${ADMIN}`, ...headers }, ...(c.body === undefined ? {} : { body: c.body }) })
    : await admin(c.method, c.path, c.body, undefined, headers);
  const text = await res.text();
  const where = `${c.method} ${c.path} [${c.contentType}] ${String(c.body).slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  expectErrorEnvelope(text, where);
}

describe("admin API fuzzing", () => {
  it("the operations come from the OpenAPI document and include the DELETE routes and rollout commands", () => {
    expectCoversKnownRoutes(operations);
    expect(bodyOperations.map(operationName)).toEqual(expect.arrayContaining(["PUT /envs/{env}/flags/{key}", "POST /tokens", "POST /envs/{env}/rollouts/{id}/pause"]));
  });

  it("malformed, mistyped, huge and deep bodies on every operation that takes a body", async () => {
    await environment("staging").status(); // seed first, so the baseline is stable
    const before = await stateOf();
    await fc.assert(
      fc.asyncProperty(fc.oneof(badBody, wrongTypes), contentType, fc.constantFrom(...bodyOperations), async (body, type, op) => {
        // Wrong types on PATCH could be a legal merge patch of unknown fields; keep PATCH to bad bodies.
        if (op.method === "PATCH" && body.startsWith("{") && !body.includes('"enabled"') && !body.includes('"key"')) return;
        await expectRejected({ method: op.method, path: fillPath(op, MISSING), body, contentType: type });
      }),
      { numRuns: 150 },
    );
    expect(await stateOf()).toBe(before);
  });

  it("POST /v1/metrics: malformed, mistyped, huge and out-of-window bodies", async () => {
    const before = await stateOf();
    const sample = fc.record({
      flag: fc.oneof(fc.constant("phase_4_deployment"), fc.string({ unit: "grapheme", maxLength: 10 })),
      variant: fc.oneof(fc.constant("on"), fc.integer()),
      minute: fc.oneof(fc.constant("yesterday"), fc.integer({ min: -5, max: 10 }), fc.constant(new Date(Date.now() + 3650 * DAY).toISOString()), fc.constant("1999-01-01T00:00:00Z")),
      requests: fc.oneof(fc.integer({ min: -10, max: -1 }), fc.double(), fc.string()),
      errors: fc.integer({ min: 0, max: 5 }),
    });
    const metricsBody = fc.oneof(
      badBody,
      fc.record({ env: fc.constantFrom("staging", "qa", "Bad Env", ""), samples: fc.array(sample, { minLength: 1, maxLength: 3 }) }).map((b) => JSON.stringify(b)),
      fc.constant(JSON.stringify({ env: "staging" })),
      fc.constant(JSON.stringify({ env: "staging", samples: Array.from({ length: 1001 }, () => ({ flag: "f", variant: "on", minute: 0, requests: 1, errors: 0 })) })),
    );
    await fc.assert(
      fc.asyncProperty(metricsBody, contentType, async (body, type) => {
        await expectRejected({ method: "POST", path: "/v1/metrics", body, contentType: type });
      }),
      { numRuns: 80 },
    );
    expect(await stateOf()).toBe(before);
  });

  it("bad keys and unicode in paths, and unknown environments, on every operation that has them", async () => {
    const keyed = operations.filter((op) => op.pathParams.includes("key"));
    const scoped = operations.filter((op) => op.pathParams.includes("env"));
    expect(keyed.length).toBeGreaterThan(0);
    const before = await stateOf();
    await fc.assert(
      fc.asyncProperty(badKey, fc.constantFrom(...keyed), async (key, op) => {
        const body = op.body === "none" ? undefined : JSON.stringify({ key, type: "boolean", variants: { on: true }, offVariant: "on", enabled: true, fallthrough: { variant: "on" } });
        await expectRejected({ method: op.method, path: fillPath(op, MISSING, { key }), ...(body === undefined ? {} : { body, contentType: "application/json" }) });
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }), fc.constantFrom(...scoped), async (env, op) => {
        await expectRejected({ method: op.method, path: fillPath(op, MISSING, { env }) });
        await expectRejected({ method: "GET", path: `/envs/${encodeURIComponent(env)}/audit?limit=${encodeURIComponent(env)}` });
      }),
      { numRuns: 40 },
    );
    expect(await stateOf()).toBe(before);
  });

  it("bad query strings on read routes", async () => {
    const queries = fc.oneof(
      fc.record({ limit: fc.oneof(fc.integer({ min: -5, max: 0 }), fc.integer({ min: 501, max: 10_000 }), fc.string({ minLength: 1 }).filter((s) => !/^\d+$/.test(s))) }),
      fc.record({ since: fc.string({ unit: "grapheme", minLength: 1 }) }),
      fc.record({ cursor: fc.constantFrom("-1", "0", "abc", "1e99") }),
      fc.record({ enabled: fc.string({ minLength: 1 }).filter((s) => s !== "true" && s !== "false") }),
    );
    await fc.assert(
      fc.asyncProperty(queries, fc.constantFrom("/envs/staging/audit", "/envs/staging/flags"), async (q, path) => {
        const usable = path.endsWith("/flags") ? "enabled" in q : !("enabled" in q);
        if (!usable) return;
        const search = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString();
        await expectRejected({ method: "GET", path: `${path}?${search}` });
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * Every operation with valid path values (its own flag, rollout, SDK key and token, created first)
 * and random queries, headers and bodies: requests may succeed, but none may fail with a 5xx, the
 * admin token is never refused, and every 4xx is the error envelope.
 */
describe("admin API fuzzing, operation by operation", () => {
  for (const op of operations) {
    it(`${operationName(op)}: random input never gives a 5xx; a 4xx is the error envelope`, { timeout: 60_000 }, async () => {
      const values = await createRouteFixtures("development", "fz");
      await fc.assert(
        fc.asyncProperty(requestFor(op, values), async (r) => {
          const res = await call(`/admin/v1${r.path}`, { method: r.method, headers: { Authorization: `Bearer ${ADMIN}`, ...r.headers }, ...(r.body === undefined ? {} : { body: r.body }) });
          const text = await res.text();
          const where = `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers)} ${String(r.body).slice(0, 120)} → ${res.status} ${text.slice(0, 300)}`;
          expect(res.status, where).toBeLessThan(500);
          expect([401, 403], where).not.toContain(res.status);
          if (res.status >= 400) expectErrorEnvelope(text, where);
        }),
        { numRuns: 50 },
      );
    });
  }
});
