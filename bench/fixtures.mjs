// One flag definition, written once per engine in that engine's native format, plus the contexts.
//
// The flag ("checkout_v2"-like boolean):
//   rule 1: plan in ["beta"]                 → on
//   rule 2: email ends with "@example.com"  → on
//   rule 3: country == "NZ"                  → on
//   otherwise: 25 % rollout by targetingKey  → on, else off
//
// Contexts: 10,000 pre-built users; about 3.4 % match one of the rules, so for most evaluations
// every rule is checked and the rollout (one murmur3 hash) decides.

export const CONTEXT_COUNT = 10_000;
export const BULK_FLAGS = 100;
export const ROLLOUT_PERCENT = 25;

const PLANS = ["free", "pro", "team", "enterprise"];
const DOMAINS = ["gmail.com", "corp.io", "mail.example.org", "fastmail.com"];
const COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"];

/** Neutral context records; each engine gets them converted once, outside the timed loops. */
export function makeUsers(n = CONTEXT_COUNT) {
  const users = new Array(n);
  for (let i = 0; i < n; i++) {
    users[i] = {
      targetingKey: `user-${i}`,
      plan: i % 97 === 0 ? "beta" : PLANS[i % PLANS.length],
      email: `user${i}@${i % 89 === 0 ? "example.com" : DOMAINS[(i >> 2) % DOMAINS.length]}`,
      country: i % 83 === 0 ? "NZ" : COUNTRIES[(i >> 3) % COUNTRIES.length],
      appVersion: `2.${i % 7}.0`,
    };
  }
  return users;
}

/** Whether a user matches one of the three rules (the part every engine must agree on). */
export function matchesRules(u) {
  return u.plan === "beta" || u.email.endsWith("@example.com") || u.country === "NZ";
}

export function flagKeys(n) {
  return Array.from({ length: n }, (_, i) => `flag_${String(i).padStart(5, "0")}`);
}

// ---------------------------------------------------------------- edgeflags (ours)

export function oursFlag(key) {
  return {
    key,
    type: "boolean",
    variants: { on: true, off: false },
    offVariant: "off",
    enabled: true,
    rules: [
      { id: "beta", when: [{ attribute: "plan", op: "in", values: ["beta"] }], serve: { variant: "on" } },
      { id: "staff", when: [{ attribute: "email", op: "endsWith", values: ["@example.com"] }], serve: { variant: "on" } },
      { id: "nz", when: [{ attribute: "country", op: "eq", values: ["NZ"] }], serve: { variant: "on" } },
    ],
    fallthrough: { rollout: { variant: "on", baseline: "off", percentage: ROLLOUT_PERCENT } },
  };
}

// Variants of our flag for the segment and prerequisite figures (scripts/bench-segments.mjs).

/** A segment of SEGMENT_IDS ids: every 29th benchmark user (about 3.4 %) plus ids no context has. */
export const SEGMENT_IDS = 10_000;
export function oursSegment(key = "beta-users") {
  const members = [];
  for (let i = 0; i < CONTEXT_COUNT && members.length < SEGMENT_IDS; i += 29) members.push(`user-${i}`);
  for (let i = 0; members.length < SEGMENT_IDS; i++) members.push(`member-${i}`);
  return { key, include: members, exclude: ["user-58"], rules: [], bucketBy: "targetingKey" };
}

/** Our flag with a segment rule first: in the 10,000-id segment → on; then the same rules and rollout. */
export function oursSegmentFlag(key, segment = "beta-users") {
  const flag = oursFlag(key);
  return { ...flag, rules: [{ id: "segment", when: [{ op: "inSegment", values: [segment] }], serve: { variant: "on" } }, ...flag.rules] };
}

/** A kill-switch-like flag (no rules, fixed "on"): what a prerequisite usually is. */
export function oursGateFlag(key) {
  return { key, type: "boolean", variants: { on: true, off: false }, offVariant: "off", enabled: true, rules: [], fallthrough: { variant: "on" } };
}

/** Our flag gated on `prerequisite` being "on". */
export function oursPrerequisiteFlag(key, prerequisite) {
  return { ...oursFlag(key), prerequisites: [{ flag: prerequisite, variants: ["on"] }] };
}

/** Our context is the OFREP context as-is. */
export const oursContext = (u) => u;

// ---------------------------------------------------------------- flagd (JSON Logic)

export function flagdFlag() {
  return {
    state: "ENABLED",
    variants: { on: true, off: false },
    defaultVariant: "off",
    targeting: {
      if: [
        { in: [{ var: "plan" }, ["beta"]] }, "on",
        { ends_with: [{ var: "email" }, "@example.com"] }, "on",
        { "==": [{ var: "country" }, "NZ"] }, "on",
        // Default bucketing: hash of flagKey + targetingKey.
        { fractional: [["on", ROLLOUT_PERCENT], ["off", 100 - ROLLOUT_PERCENT]] },
      ],
    },
  };
}

export function flagdConfig(keys) {
  return JSON.stringify({ flags: Object.fromEntries(keys.map((k) => [k, flagdFlag()])) });
}

/** flagd takes the OpenFeature evaluation context as-is. */
export const flagdContext = (u) => u;

// ---------------------------------------------------------------- Unleash

export function unleashToggle(name) {
  const constrained = (contextName, operator, values) => ({
    name: "default",
    parameters: {},
    constraints: [{ contextName, operator, values, inverted: false, caseInsensitive: false }],
  });
  return {
    name,
    type: "release",
    enabled: true,
    project: "default",
    stale: false,
    impressionData: false,
    variants: [],
    strategies: [
      constrained("plan", "IN", ["beta"]),
      constrained("email", "STR_ENDS_WITH", ["@example.com"]),
      constrained("country", "IN", ["NZ"]),
      {
        name: "flexibleRollout",
        parameters: { rollout: String(ROLLOUT_PERCENT), stickiness: "userId", groupId: name },
        constraints: [],
      },
    ],
  };
}

/** Unleash's context: userId is the stickiness key, custom fields live under `properties`. */
export const unleashContext = (u) => ({
  userId: u.targetingKey,
  properties: { plan: u.plan, email: u.email, country: u.country, appVersion: u.appVersion },
});

// ---------------------------------------------------------------- GrowthBook

export function growthbookFeature() {
  return {
    defaultValue: false,
    rules: [
      { id: "beta", condition: { plan: { $in: ["beta"] } }, force: true },
      // GrowthBook has no ends-with operator; an anchored regex (compiled once and cached) is the equivalent.
      { id: "staff", condition: { email: { $regex: "@example\\.com$" } }, force: true },
      { id: "nz", condition: { country: "NZ" }, force: true },
      // A rollout rule: force `true` to `coverage` of users hashed by `id` (seed = feature key).
      { id: "rollout", force: true, coverage: ROLLOUT_PERCENT / 100, hashAttribute: "id" },
    ],
  };
}

export function growthbookFeatures(keys) {
  return Object.fromEntries(keys.map((k) => [k, growthbookFeature()]));
}

export const growthbookAttributes = (u) => ({
  id: u.targetingKey,
  plan: u.plan,
  email: u.email,
  country: u.country,
  appVersion: u.appVersion,
});
