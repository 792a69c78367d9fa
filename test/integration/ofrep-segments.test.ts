/**
 * The edge serves segment-targeted, prerequisite-gated and `$now`-timed values from the published
 * KV snapshot (not the Durable Object): segments travel in the snapshot, prerequisites are
 * evaluated in the same snapshot for the same context, and `$now` is the request's own clock.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { adminJson, booleanFlag } from "./admin-helpers.js";
import { bearer, createKey, postJson, published } from "./helpers.js";
import { HOUR } from "../support/sim-clock.js";

const ENV = "production";
const single = (key: string) => `/ofrep/v1/evaluate/flags/${key}`;
let key: string;

async function put(path: string, body: unknown): Promise<void> {
  const res = await adminJson("PUT", `/envs/${ENV}${path}`, body);
  if (res.status !== 200 && res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function evaluate(flag: string, context: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await postJson(single(flag), { context }, bearer(key));
  expect(res.status, flag).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  key = (await createKey(ENV, "server", "segments-edge")).key;
  await put("/segments/beta-users", { key: "beta-users", include: ["vip", ...Array.from({ length: 9_999 }, (_, i) => `u-${i}`)], exclude: ["banned"], rules: [{ when: [{ attribute: "plan", op: "eq", values: ["beta"] }] }] });
  await put("/flags/seg_flag", booleanFlag("seg_flag", { fallthrough: { variant: "off" }, rules: [{ id: "beta", when: [{ op: "inSegment", values: ["beta-users"] }], serve: { variant: "on" } }] }));
  await put("/flags/not_seg_flag", booleanFlag("not_seg_flag", { fallthrough: { variant: "off" }, rules: [{ id: "others", when: [{ op: "notInSegment", values: ["beta-users"] }], serve: { variant: "on" } }] }));
  await put("/flags/gate", booleanFlag("gate", { fallthrough: { variant: "off" }, rules: [{ id: "beta", when: [{ op: "inSegment", values: ["beta-users"] }], serve: { variant: "on" } }] }));
  await put("/flags/gated", booleanFlag("gated", { prerequisites: [{ flag: "gate", variants: ["on"] }] }));
  const hourAgo = new Date(Date.now() - HOUR).toISOString();
  const inAnHour = new Date(Date.now() + HOUR).toISOString();
  await put("/flags/started", booleanFlag("started", { fallthrough: { variant: "off" }, rules: [{ id: "live", when: [{ attribute: "$now", op: "after", values: [hourAgo] }], serve: { variant: "on" } }] }));
  await put("/flags/not_yet", booleanFlag("not_yet", { fallthrough: { variant: "off" }, rules: [{ id: "live", when: [{ attribute: "$now", op: "after", values: [inAnHour] }], serve: { variant: "on" } }] }));
  await put("/flags/until", booleanFlag("until", { fallthrough: { variant: "off" }, rules: [{ id: "window", when: [{ attribute: "$now", op: "before", values: [inAnHour] }], serve: { variant: "on" } }] }));
  await published(ENV);
});

describe("OFREP with segments, prerequisites and $now", () => {
  it("serves segment-targeted values: include beats exclude beats rules", async () => {
    expect(await evaluate("seg_flag", { targetingKey: "vip" })).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });
    expect(await evaluate("seg_flag", { targetingKey: "u-9998" })).toMatchObject({ variant: "on" });
    expect(await evaluate("seg_flag", { targetingKey: "someone", plan: "beta" })).toMatchObject({ variant: "on" });
    expect(await evaluate("seg_flag", { targetingKey: "banned", plan: "beta" })).toMatchObject({ variant: "off" });
    expect(await evaluate("seg_flag", { targetingKey: "someone", plan: "free" })).toMatchObject({ variant: "off" });
    expect(await evaluate("not_seg_flag", { targetingKey: "someone" })).toMatchObject({ variant: "on", reason: "TARGETING_MATCH" });
    expect(await evaluate("not_seg_flag", { targetingKey: "vip" })).toMatchObject({ variant: "off" });
  });

  it("gates on a prerequisite: DISABLED with metadata.prerequisite when it fails", async () => {
    expect(await evaluate("gated", { targetingKey: "vip" })).toEqual({ key: "gated", value: true, variant: "on", reason: "STATIC" });
    expect(await evaluate("gated", { targetingKey: "someone" })).toEqual({ key: "gated", value: false, variant: "off", reason: "DISABLED", metadata: { prerequisite: "gate" } });
  });

  it("bulk evaluation gives the same answers", async () => {
    const res = await postJson("/ofrep/v1/evaluate/flags", { context: { targetingKey: "someone" } }, bearer(key));
    expect(res.status).toBe(200);
    const { flags } = (await res.json()) as { flags: { key: string; variant?: string; reason: string; metadata?: Record<string, unknown> }[] };
    const byKey = new Map(flags.map((f) => [f.key, f]));
    expect(byKey.get("gated")).toMatchObject({ variant: "off", reason: "DISABLED", metadata: { prerequisite: "gate" } });
    expect(byKey.get("seg_flag")).toMatchObject({ variant: "off" });
  });

  it("$now compares the request's clock, with no write", async () => {
    expect(await evaluate("started", {})).toMatchObject({ variant: "on", reason: "TARGETING_MATCH" });
    expect(await evaluate("not_yet", {})).toMatchObject({ variant: "off" });
    expect(await evaluate("until", {})).toMatchObject({ variant: "on" });
    // A context cannot fake the clock.
    expect(await evaluate("not_yet", { $now: new Date(Date.now() + 2 * HOUR).toISOString() })).toMatchObject({ variant: "off" });
  });

  it("a $now condition with a value that is not an ISO date-time is refused on write", async () => {
    const res = await adminJson<{ error: { details: { path: string }[] } }>("PUT", `/envs/${ENV}/flags/bad_now`, booleanFlag("bad_now", { rules: [{ id: "r", when: [{ attribute: "$now", op: "after", values: ["next tuesday"] }], serve: { variant: "on" } }] }));
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d) => d.path)).toContain("body.rules.0.when.0.values");
    const op = await adminJson<{ error: { details: { path: string }[] } }>("PUT", `/envs/${ENV}/flags/bad_now`, booleanFlag("bad_now", { rules: [{ id: "r", when: [{ attribute: "$now", op: "eq", values: [1] }], serve: { variant: "on" } }] }));
    expect(op.status).toBe(422);
    expect(op.body.error.details.map((d) => d.path)).toContain("body.rules.0.when.0.op");
  });
});
