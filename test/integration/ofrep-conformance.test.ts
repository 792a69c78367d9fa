/**
 * Every OFREP answer the Worker gives, validated against the spec shipped in spec/ofrep/openapi.yaml
 * (JSON Schema 2020-12 through ajv; test/support/ofrep-spec.ts): single and bulk, success and
 * failure, for flags and contexts that produce every reason edgeflags answers and every error code,
 * plus the bodyless 304/401/403. The status decides the schema, as the spec's responses do.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FlagInput } from "../../src/domain/flag.js";
import { booleanFlag } from "../support/flags.js";
import { OFREP_SPEC_VERSION, specViolations } from "../support/ofrep-spec.js";
import { bearer, createKey, environment, postJson, published, TEST_META } from "./helpers.js";

const ENV = "staging";
const BULK = "/ofrep/v1/evaluate/flags";
const single = (key: string) => `${BULK}/${key}`;

const FLAGS: FlagInput[] = [
  booleanFlag("c_static"),
  booleanFlag("c_disabled", { enabled: false }),
  booleanFlag("c_rules", { rules: [{ id: "beta", when: [{ attribute: "plan", op: "eq", values: ["beta"] }], serve: { variant: "off" } }] }),
  booleanFlag("c_rollout", { fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 50 } } }),
  booleanFlag("c_rollout_org", { bucketBy: "orgId", fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 50 } } }),
  { key: "c_split", type: "string", variants: { a: "A", b: "B" }, offVariant: "a", enabled: true, fallthrough: { split: { a: 50, b: 50 } } },
  { key: "c_split_org", type: "string", variants: { a: "A", b: "B" }, offVariant: "a", enabled: true, bucketBy: "orgId", fallthrough: { split: { a: 50, b: 50 } } },
  { key: "c_int", type: "number", variants: { low: 1, high: 1000 }, offVariant: "low", enabled: true, fallthrough: { variant: "high" } },
  { key: "c_float", type: "number", variants: { half: 0.5, zero: 0 }, offVariant: "zero", enabled: true, fallthrough: { variant: "half" } },
  { key: "c_object", type: "object", variants: { cfg: { limit: 3, tags: ["x"] }, none: {} }, offVariant: "none", enabled: true, fallthrough: { variant: "cfg" } },
  { key: "c_client", type: "string", variants: { on: "yes", off: "no" }, offVariant: "off", enabled: true, clientSide: true, fallthrough: { variant: "on" } },
];

const CONTEXTS: unknown[] = [
  {},
  { context: {} },
  { context: { targetingKey: "u1" } },
  { context: { targetingKey: "u2", plan: "beta" } },
  { context: { targetingKey: "u3", plan: "free", orgId: "acme" } },
  { context: { orgId: 42 } },
];

let serverKey: string;
let clientKey: string;
/** Reasons and error codes seen across the run, to prove the spread is what it claims. */
const reasons = new Set<string>();
const errorCodes = new Set<string>();

/** The status decides the schema, as in the spec's `responses`; bodyless statuses must be empty. */
async function checked(res: Response, kind: "single" | "bulk"): Promise<unknown> {
  const text = await res.text();
  if ([304, 401, 403].includes(res.status)) {
    expect(text, `${res.status} has no body`).toBe("");
    return undefined;
  }
  const body = JSON.parse(text) as Record<string, unknown>;
  const schema =
    res.status === 200
      ? kind === "single" ? "serverEvaluationSuccess" : "bulkEvaluationSuccess"
      : res.status === 404 ? "flagNotFound"
        : res.status === 500 ? "generalErrorResponse"
          : kind === "single" ? "evaluationFailure" : "bulkEvaluationFailure";
  expect(specViolations(schema, body), `${kind} ${res.status} ${text}`).toEqual([]);
  const items = kind === "bulk" && res.status === 200 ? (body["flags"] as Record<string, unknown>[]) : [body];
  for (const item of items) {
    if (typeof item["reason"] === "string" && item["errorCode"] === undefined) reasons.add(item["reason"]);
    if (typeof item["errorCode"] === "string") errorCodes.add(item["errorCode"]);
  }
  return body;
}

beforeAll(async () => {
  serverKey = (await createKey(ENV, "server", "conformance-server")).key;
  clientKey = (await createKey(ENV, "client", "conformance-client")).key;
  const imported = await environment(ENV).importFlags({ flags: FLAGS }, {}, TEST_META);
  expect(imported.ok).toBe(true);
  await published(ENV);
});

describe(`OFREP ${OFREP_SPEC_VERSION} conformance of live responses`, () => {
  it("the validator rejects what the spec rejects (a reason outside the enum, a failure without errorCode)", () => {
    expect(specViolations("serverEvaluationSuccess", { key: "k", value: true, variant: "on", reason: "DEFAULT" })).not.toEqual([]);
    expect(specViolations("bulkEvaluationSuccess", { flags: [{ key: "k", value: true, reason: "DEFAULT" }] })).not.toEqual([]);
    expect(specViolations("evaluationFailure", { key: "k", errorDetails: "x" })).not.toEqual([]);
    expect(specViolations("serverEvaluationSuccess", { key: "k", value: null, reason: "STATIC" })).not.toEqual([]);
    expect(specViolations("serverEvaluationSuccess", { key: "k", value: 1.5, reason: "STATIC", metadata: { reason: "DEFAULT" } })).toEqual([]);
  });

  it("bulk: every context, server and client keys, and the 304 revalidation", async () => {
    for (const key of [serverKey, clientKey]) {
      for (const body of CONTEXTS) {
        const res = await postJson(BULK, body, bearer(key));
        expect(res.status).toBe(200);
        const etag = res.headers.get("ETag") as string;
        await checked(res, "bulk");
        const again = await postJson(BULK, body, { ...bearer(key), "If-None-Match": etag });
        expect(again.status).toBe(304);
        await checked(again, "bulk");
      }
    }
  });

  it("single: every flag under every context", async () => {
    for (const flag of FLAGS) {
      for (const body of CONTEXTS) await checked(await postJson(single(flag.key), body, bearer(serverKey)), "single");
    }
    // A FLAG_OVERRIDES result (staging overrides maintenance_mode).
    await checked(await postJson(single("maintenance_mode"), { context: {} }, bearer(serverKey)), "single");
  });

  it("failures: parse errors, invalid contexts, unknown flags, bad query parameters, oversized bodies, denials", async () => {
    const bad = ["{not json", "[1]", '{"context": 5}', '{"context": {"targetingKey": 7}}'];
    for (const body of bad) {
      const s = await postJson(single("c_static"), body, bearer(serverKey));
      expect(s.status).toBe(400);
      await checked(s, "single");
      const b = await postJson(BULK, body, bearer(serverKey));
      expect(b.status).toBe(400);
      await checked(b, "bulk");
    }
    for (const query of ["?consistency=maybe", "?flagConfigEtag=abc", "?flagConfigLastModified=soon"]) {
      await checked(await postJson(`${single("c_static")}${query}`, {}, bearer(serverKey)), "single");
      await checked(await postJson(`${BULK}${query}`, {}, bearer(serverKey)), "bulk");
    }
    const missing = await postJson(single("no_such_flag"), {}, bearer(serverKey));
    expect(missing.status).toBe(404);
    await checked(missing, "single");
    // A server-only flag through a client key is not found either.
    const hidden = await postJson(single("c_static"), {}, bearer(clientKey));
    expect(hidden.status).toBe(404);
    await checked(hidden, "single");
    const big = JSON.stringify({ context: { targetingKey: "u", pad: "x".repeat(70 * 1024) } });
    await checked(await postJson(single("c_static"), big, bearer(serverKey)), "single");
    await checked(await postJson(BULK, big, bearer(serverKey)), "bulk");
    const unknown = await postJson(BULK, {}, bearer(`efs_${ENV}_${"nobody".padEnd(40, "x")}`));
    expect(unknown.status).toBe(401);
    await checked(unknown, "bulk");
    const forbidden = await postJson(`${BULK}?consistency=strong`, {}, bearer(clientKey));
    expect(forbidden.status).toBe(403);
    await checked(forbidden, "bulk");
  });

  it("covered every reason edgeflags answers and every OFREP error code", () => {
    expect([...reasons].sort()).toEqual(["DISABLED", "SPLIT", "STATIC", "TARGETING_MATCH"]);
    expect([...errorCodes].sort()).toEqual(["FLAG_NOT_FOUND", "GENERAL", "INVALID_CONTEXT", "PARSE_ERROR", "TARGETING_KEY_MISSING"]);
  });
});
