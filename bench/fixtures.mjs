// One flag definition, written once per engine in that engine's native format, plus the contexts.
//
// The flag ("checkout_v2"-like boolean):
//   rule 1: plan in ["beta", "alpha"]        → on
//   rule 2: email ends with "@example.com"  → on
//   rule 3: country == "NZ"                  → on
//   otherwise: 25 % rollout by targetingKey  → on, else off
//
// Contexts: 10,000 pre-built users; about 4.4 % match one of the rules, so for most evaluations
// every rule is checked and the rollout (one murmur3 hash) decides. Targeting keys come in two
// shapes (KEY_SHAPES): short ids (`user-N`, 6-9 chars) and UUIDs (36 chars), because the hash
// is the one cost that grows with the key. Contexts go through a JSON round trip, as OFREP
// contexts arrive (flat strings, the same object shapes a request body yields).

export const CONTEXT_COUNT = 10_000;
export const BULK_FLAGS = 100;
export const ROLLOUT_PERCENT = 25;

const PLANS = ["free", "pro", "team", "enterprise"];
export const RULE_PLANS = ["beta", "alpha"];
const DOMAINS = ["gmail.com", "corp.io", "mail.example.org", "fastmail.com"];
const COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"];

/** Targeting-key shapes: a short id, and a version-4 UUID (deterministic, from a seeded PRNG). */
export const KEY_SHAPES = {
  short: { label: "short ids (`user-N`, 6-9 chars)", key: (i) => `user-${i}` },
  uuid: { label: "UUIDs (36 chars)", key: (i) => uuidOf(i) },
};

/** A v4-shaped UUID from a 32-bit PRNG (mulberry32) seeded by `i`: stable across runs. */
function uuidOf(i) {
  let a = (i * 0x9e3779b9 + 0x7f4a7c15) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const hex = [next(), next(), next(), next()].map((x) => x.toString(16).padStart(8, "0")).join("");
  const variant = "89ab"[next() & 3];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Neutral context records; each engine gets them converted once, outside the timed loops. */
export function makeUsers(n = CONTEXT_COUNT, shape = "short") {
  const keyOf = KEY_SHAPES[shape].key;
  const users = new Array(n);
  for (let i = 0; i < n; i++) {
    users[i] = {
      targetingKey: keyOf(i),
      plan: i % 97 === 0 ? "beta" : i % 101 === 0 ? "alpha" : PLANS[i % PLANS.length],
      email: `user${i}@${i % 89 === 0 ? "example.com" : DOMAINS[(i >> 2) % DOMAINS.length]}`,
      country: i % 83 === 0 ? "NZ" : COUNTRIES[(i >> 3) % COUNTRIES.length],
      appVersion: `2.${i % 7}.0`,
    };
  }
  // As a request body would deliver them: flat strings, not the concatenations built above.
  return JSON.parse(JSON.stringify(users));
}

/** Whether a user matches one of the three rules (the part every engine must agree on). */
export function matchesRules(u) {
  return RULE_PLANS.includes(u.plan) || u.email.endsWith("@example.com") || u.country === "NZ";
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
      { id: "beta", when: [{ attribute: "plan", op: "in", values: RULE_PLANS }], serve: { variant: "on" } },
      { id: "staff", when: [{ attribute: "email", op: "endsWith", values: ["@example.com"] }], serve: { variant: "on" } },
      { id: "nz", when: [{ attribute: "country", op: "eq", values: ["NZ"] }], serve: { variant: "on" } },
    ],
    fallthrough: { rollout: { variant: "on", baseline: "off", percentage: ROLLOUT_PERCENT } },
  };
}

// Variants of our flag for the segment and prerequisite figures (bench/targeting.mjs, part 1c of `npm run bench -- evaluator`).

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
        { in: [{ var: "plan" }, RULE_PLANS] }, "on",
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
      constrained("plan", "IN", RULE_PLANS),
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
      { id: "beta", condition: { plan: { $in: RULE_PLANS } }, force: true },
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
