/**
 * Fuzzing the admin API with malformed input: malformed JSON, wrong types, huge and deeply nested
 * bodies, bad keys, unicode, wrong content types. Always a 4xx in the error envelope, never a 500,
 * and no environment's version or audit log moves.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ADMIN, admin } from "./admin-helpers.js";
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

const deep = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

/** Bodies that no route may accept. */
const badBody = fc.oneof(
  fc.constantFrom("{", "[", '{"a":', "nul", "{'key': 1}", '{"key":"x",}', "\u0000", "\uFEFF{}", '"unterminated'),
  fc.string({ unit: "binary", maxLength: 200 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }),
  fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ unit: "grapheme" }), fc.array(fc.jsonValue(), { maxLength: 5 })).map((v) => JSON.stringify(v)),
  fc.integer({ min: 2_000, max: 60_000 }).map((d) => deep(d, "[", "]")),
  fc.integer({ min: 2_000, max: 60_000 }).map((d) => `{"reason":${deep(d, '{"a":', "}").replace(/\}$/, "1}")}`),
  fc.constant(JSON.stringify({ flags: "x".repeat(300_000) })),
  // Well-typed but deep: an object variant nested past what recursive consumers survive.
  fc.integer({ min: 40, max: 50_000 }).map((d) =>
    JSON.stringify({ key: "fuzz_target", type: "object", variants: { a: {}, b: {} }, offVariant: "a", enabled: true, fallthrough: { variant: "b" } })
      .replace('"a":{}', `"a":${'{"x":'.repeat(d)}1${"}".repeat(d)}`),
  ),
  fc.integer({ min: 40, max: 50_000 }).map((d) => `{"description":"x","tags":${"[".repeat(d)}${"]".repeat(d)}}`),
);

/** Objects with the right shape but wrong types in known fields. */
const wrongTypes = fc.oneof(
  fc.record({ key: fc.oneof(fc.integer(), fc.constant(null)), type: fc.constant("boolean") }),
  fc.record({ enabled: fc.oneof(fc.string(), fc.integer()), variants: fc.constant([]) }),
  fc.record({ reason: fc.oneof(fc.integer(), fc.array(fc.string()), fc.constant("")) }),
  fc.record({ name: fc.oneof(fc.integer(), fc.constant("")), kind: fc.string(), role: fc.constant("root"), environments: fc.constant("all") }),
  fc.record({ flags: fc.oneof(fc.string(), fc.array(fc.integer(), { minLength: 1, maxLength: 3 })) }),
  fc.record({ to: fc.string({ unit: "grapheme", minLength: 1 }), flags: fc.constant([""]) }),
).map((v) => JSON.stringify(v));

const badKey = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).filter((s) => !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(s)),
  fc.constant("a".repeat(200)),
  fc.constantFrom("-x", ".x", "x y", "ключ", "🚀", "..", "%00"),
);

const contentType = fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8", "");

type Case = { method: string; path: string; body?: string; contentType?: string };

const writeRoutes = (key: string): [string, string][] => [
  ["PUT", `/envs/staging/flags/${key}`],
  ["PATCH", `/envs/staging/flags/${key}`],
  ["POST", `/envs/staging/flags/${key}/enable`],
  ["POST", `/envs/staging/flags/${key}/disable`],
  ["POST", "/envs/staging/import"],
  ["POST", "/envs/staging/promote"],
  ["POST", "/envs/staging/sdk-keys"],
  ["POST", "/tokens"],
  ["POST", "/envs/staging/rollouts"],
  ["POST", "/envs/staging/rollouts/ro_missing/promote"],
];

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
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, where).toBe("string");
  expect(typeof body.error?.message, where).toBe("string");
}

describe("admin API fuzzing", () => {
  it("malformed, mistyped, huge and deep bodies on every write route", async () => {
    await environment("staging").status(); // seed first, so the baseline is stable
    const before = await stateOf();
    await fc.assert(
      fc.asyncProperty(fc.oneof(badBody, wrongTypes), contentType, fc.integer({ min: 0, max: 9 }), async (body, type, route) => {
        const [method, path] = writeRoutes("fuzz_target")[route] as [string, string];
        // Wrong types on PATCH could be a legal merge patch of unknown fields; keep PATCH to bad bodies.
        if (method === "PATCH" && body.startsWith("{") && !body.includes('"enabled"') && !body.includes('"key"')) return;
        await expectRejected({ method, path, body, contentType: type });
      }),
      { numRuns: 120 },
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

  it("bad keys and unicode in paths, and unknown environments", async () => {
    const before = await stateOf();
    await fc.assert(
      fc.asyncProperty(badKey, fc.integer({ min: 0, max: 3 }), async (key, route) => {
        const [method, path] = writeRoutes(encodeURIComponent(key))[route] as [string, string];
        await expectRejected({ method, path, body: JSON.stringify({ key, type: "boolean", variants: { on: true }, offVariant: "on", enabled: true, fallthrough: { variant: "on" } }), contentType: "application/json" });
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }), async (env) => {
        await expectRejected({ method: "GET", path: `/envs/${encodeURIComponent(env)}/flags` });
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
