/**
 * Real resources for route-wide admin tests to act on, created through the admin API: a flag, a
 * running rollout of it, an SDK key and an API token, so every path parameter has a valid value.
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

/** A rollout's starting point: a boolean flag serving "off", to be rolled out to "on". */
export const rolloutReadyFlag = (key: string) => booleanFlag(key, { fallthrough: { variant: "off" } });

/** Creates the flag, rollout, SDK key and API token in `env` (with the bootstrap admin token). */
export async function createRouteFixtures(env: string, prefix = "route"): Promise<PathValues> {
  const flagKey = freshKey(prefix);
  await expectCreated("flag", adminJson("PUT", `/envs/${env}/flags/${flagKey}`, rolloutReadyFlag(flagKey)));
  const { rollout } = await expectCreated("rollout", adminJson<{ rollout: { id: string } }>("POST", `/envs/${env}/rollouts`, { flag: flagKey, variant: "on", strategy: "fast" }));
  const sdkKey = await expectCreated("sdk key", adminJson<{ id: string }>("POST", `/envs/${env}/sdk-keys`, { name: `${prefix}-key`, kind: "server" }));
  const token = await expectCreated("token", adminJson<{ id: string }>("POST", "/tokens", { name: `${prefix}-token-${counter++}`, role: "viewer", environments: [env] }));
  return { env, flagKey, rolloutId: rollout.id, sdkKeyId: sdkKey.id, tokenId: token.id };
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
    case "POST /envs/{env}/flags/{key}/explain":
      return { context: { targetingKey: "route-wide-test" } };
    case "POST /envs/{env}/flags/{key}/restore":
      return { version: 1, reason: "restored by a route-wide test" };
    default:
      throw new Error(`no valid body for ${operationName(op)}: add one to validBody()`);
  }
}
