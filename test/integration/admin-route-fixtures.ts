/**
 * Real resources for route-wide admin tests to act on, created through the admin API: a flag, a
 * running rollout of it, an SDK key, an API token, a segment and a webhook subscription, so every path parameter has a valid value.
 * Plus one valid body per operation that requires a body, so a request reaches authorization
 * (validation answers 422 before the role is checked).
 */
import { adminJson, booleanFlag } from "./admin-helpers.js";
import type { AdminOperation, PathValues } from "./admin-operations.js";
import { operationName } from "./admin-operations.js";

let counter = 0;
/** A flag key no other fixture uses (in this file's storage). */
export const freshKey = (prefix: string): string => `${prefix}_${Date.now().toString(36)}_${counter++}`;

async function expectCreated<T>(what: string, res: Promise<{ status: number; body: T }>): Promise<T> {
  const { status, body } = await res;
  if (status !== 200 && status !== 201) throw new Error(`fixture ${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** A small segment: two ids in, one out, and a rule. */
export const routeSegment = (key: string) => ({
  key,
  description: "route-wide test audience",
  include: ["user-1", "user-2"],
  exclude: ["user-3"],
  rules: [{ when: [{ attribute: "plan", op: "in", values: ["beta"] }] }],
});

/** A rollout's starting point: a boolean flag serving "off", to be rolled out to "on". */
export const rolloutReadyFlag = (key: string) => booleanFlag(key, { fallthrough: { variant: "off" } });

/** A schedule body for `flagKey`, a day ahead: harmless, it never comes due during a test. */
export const dayAheadSchedule = (flagKey: string) => ({
  at: new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString(),
  flag: flagKey,
  action: "patch",
  patch: { description: "scheduled by a route-wide test" },
});

/** Creates the flag, rollout, SDK key, API token and a pending schedule in `env` (with the bootstrap admin token). */
export async function createRouteFixtures(env: string, prefix = "route"): Promise<PathValues> {
  const flagKey = freshKey(prefix);
  await expectCreated("flag", adminJson("PUT", `/envs/${env}/flags/${flagKey}`, rolloutReadyFlag(flagKey)));
  const { rollout } = await expectCreated("rollout", adminJson<{ rollout: { id: string } }>("POST", `/envs/${env}/rollouts`, { flag: flagKey, variant: "on", strategy: "fast" }));
  const sdkKey = await expectCreated("sdk key", adminJson<{ id: string }>("POST", `/envs/${env}/sdk-keys`, { name: `${prefix}-key`, kind: "server" }));
  const token = await expectCreated("token", adminJson<{ id: string }>("POST", "/tokens", { name: `${prefix}-token-${counter++}`, role: "viewer", environments: [env] }));
  const schedule = await expectCreated("schedule", adminJson<{ id: string }>("POST", `/envs/${env}/schedules`, dayAheadSchedule(flagKey)));
  const segmentKey = freshKey(`${prefix}-seg`);
  await expectCreated("segment", adminJson("PUT", `/envs/${env}/segments/${segmentKey}`, routeSegment(segmentKey)));
  return { env, flagKey, rolloutId: rollout.id, sdkKeyId: sdkKey.id, tokenId: token.id, scheduleId: schedule.id, segmentKey, webhookId: await webhookFixture(env) };
}

/**
 * A webhook subscription of `env`: an existing one (route-wide tests create many, and an
 * environment holds at most 25), else a new one.
 */
async function webhookFixture(env: string): Promise<string> {
  const { webhooks } = await expectCreated("webhook list", adminJson<{ webhooks: { id: string; rolloutId: string | null }[] }>("GET", `/envs/${env}/webhooks`));
  const existing = webhooks.find((w) => w.rolloutId === null);
  if (existing) return existing.id;
  return (await expectCreated("webhook", adminJson<{ id: string }>("POST", `/envs/${env}/webhooks`, { url: "https://hooks.test/ok", events: ["webhook.*"] }))).id;
}

/**
 * A valid body for each operation that requires one, harmless when it succeeds (dry runs, an
 * import that merges nothing). A new route with a required body fails here until it gets one.
 */
export function validBody(op: AdminOperation, values: PathValues): unknown {
  if (op.body !== "required") return undefined;
  const otherEnv = values.env === "staging" ? "production" : "staging";
  switch (operationName(op)) {
    case "PUT /envs/{env}/flags/{key}":
      return rolloutReadyFlag(values.flagKey);
    case "PATCH /envs/{env}/flags/{key}":
      return { description: "patched by a route-wide test" };
    case "POST /envs/{env}/import":
      return { flags: [] };
    case "POST /envs/{env}/promote":
      return { to: otherEnv, flags: [values.flagKey], dryRun: true };
    case "POST /envs/{env}/sdk-keys":
      return { name: "route-wide-test", kind: "client" };
    case "POST /tokens":
      return { name: `route-wide-test-${counter++}`, role: "viewer", environments: [values.env] };
    case "POST /envs/{env}/rollouts":
      return { flag: values.flagKey, variant: "on", strategy: "fast", dryRun: true };
    case "POST /envs/{env}/schedules":
      return dayAheadSchedule(values.flagKey);
    case "POST /envs/{env}/webhooks":
      return { url: "https://hooks.test/ok", events: ["flag.*"] };
    case "POST /envs/{env}/flags/{key}/explain":
      return { context: { targetingKey: "route-wide-test" } };
    case "PUT /envs/{env}/segments/{key}":
      return routeSegment(values.segmentKey);
    case "POST /envs/{env}/segments/{key}/members":
      return { add: ["user-4"], remove: ["user-1"] };
    case "POST /envs/{env}/flags/{key}/restore":
      return { version: 1, reason: "restored by a route-wide test" };
    default:
      throw new Error(`no valid body for ${operationName(op)}: add one to validBody()`);
  }
}
