// Each engine loaded with the same 100 flags (fixtures.mjs) in its own format, exposing:
//   single(ctx)  evaluate the first flag for one context (native context shape, converted up front)
//   bulk(ctx)    evaluate all 100 flags for one context
//   isOn(result) read the boolean out of single()'s result (used for the equivalence check)
// No engine touches the network: flagd-core and GrowthBook are given their payload directly, and
// Unleash is bootstrapped with refreshInterval 0 (no polling), metrics disabled, an in-memory
// backup store and a URL on 127.0.0.1 where nothing listens (connect attempts are also trapped).
import { createRequire } from "node:module";
import {
  BULK_FLAGS,
  flagKeys,
  flagdConfig,
  flagdContext,
  growthbookAttributes,
  growthbookFeatures,
  oursContext,
  oursFlag,
  unleashContext,
  unleashToggle,
} from "./fixtures.mjs";

const require = createRequire(import.meta.url);
export const KEYS = flagKeys(BULK_FLAGS);
export const KEY = KEYS[0];

export function versionOf(pkg) {
  return require(`${pkg}/package.json`).version;
}

/** Our evaluator: the snapshot the edge compiles, then findFlag(...).evaluate / evaluateAll. */
export function ours(ev, now) {
  const snapshot = ev.compileSnapshot({
    env: "development",
    version: 1,
    publishedAt: new Date(now).toISOString(),
    flags: KEYS.map((k) => ev.Flag.parse(oursFlag(k))),
    keys: {},
  });
  const { findFlag, evaluateAll } = ev;
  return {
    id: "ours",
    name: "edgeflags (this repo)",
    api: 'findFlag(snapshot, key, "all").evaluate(ctx, now)',
    note: 'bulk: evaluateAll(snapshot, ctx, now, "all")',
    toContext: oursContext,
    single: (ctx) => findFlag(snapshot, KEY, "all").evaluate(ctx, now),
    bulk: (ctx) => evaluateAll(snapshot, ctx, now, "all"),
    isOn: (r) => r.value === true,
    bulkCount: (r) => r.length,
  };
}

/**
 * Ceiling: no rules, no lookup, just the murmur3 bucket of the targeting key, done the way
 * compileFlag does it: `bucketerFor(salt)` hashes the flag's `"{salt}:"` prefix once, up front.
 */
export function baseline(ev) {
  const { bucketerFor, saltOf } = ev;
  const bound = ev.percentageBound(25);
  const bucketers = KEYS.map((key) => bucketerFor(saltOf({ key })));
  const bucketOfKey = bucketers[0];
  return {
    id: "baseline",
    name: "baseline: murmur3 bucket only",
    api: "bucketerFor(salt)(ctx.targetingKey) < bound (prefix hashed up front)",
    note: "bulk: the same for each of the 100 flags' bucketers",
    toContext: oursContext,
    single: (ctx) => bucketOfKey(ctx.targetingKey) < bound,
    bulk: (ctx) => {
      let on = 0;
      for (let i = 0; i < bucketers.length; i++) if (bucketers[i](ctx.targetingKey) < bound) on++;
      return on;
    },
    isOn: (r) => r === true,
    bulkCount: () => KEYS.length,
  };
}

/** @openfeature/flagd-core, default (json-logic-engine compiles targeting with new Function). */
export async function flagd({ disableDynamicCodeGeneration }) {
  const { FlagdCore } = await import("@openfeature/flagd-core");
  const quiet = { error() {}, warn() {}, info() {}, debug() {} };
  // FlagdCore(storage?, logger?, options?) → MemoryStorage(logger, options) → Targeting(..., options).
  const core = new FlagdCore(undefined, quiet, { disableDynamicCodeGeneration });
  core.setConfigurations(flagdConfig(KEYS));
  return {
    id: disableDynamicCodeGeneration ? "flagd-interp" : "flagd",
    name: disableDynamicCodeGeneration
      ? "flagd-core (disableDynamicCodeGeneration: true)"
      : "flagd-core (default: compiled JSON Logic)",
    api: "core.resolveBooleanEvaluation(key, false, ctx)",
    note: "bulk: core.resolveAll(ctx)",
    toContext: flagdContext,
    single: (ctx) => core.resolveBooleanEvaluation(KEY, false, ctx),
    bulk: (ctx) => core.resolveAll(ctx),
    isOn: (r) => r.value === true,
    bulkCount: (r) => r.length,
  };
}

/** unleash-client: the Node SDK's own local evaluation, bootstrapped, never fetching. */
export async function unleash() {
  const { startUnleash, InMemStorageProvider, destroy } = await import("unleash-client");
  const client = await startUnleash({
    appName: "edgeflags-bench",
    url: "http://127.0.0.1:9/api/", // discard port; never contacted (refreshInterval 0)
    refreshInterval: 0,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: KEYS.map(unleashToggle) },
  });
  client.on("error", () => {});
  client.on("warn", () => {});
  return {
    id: "unleash",
    name: "unleash-client (bootstrap, offline)",
    api: "unleash.isEnabled(key, ctx)",
    note: "bulk: a loop over the 100 keys (the SDK has no evaluate-all)",
    toContext: unleashContext,
    single: (ctx) => client.isEnabled(KEY, ctx),
    bulk: (ctx) => {
      const out = new Array(KEYS.length);
      for (let i = 0; i < KEYS.length; i++) out[i] = client.isEnabled(KEYS[i], ctx);
      return out;
    },
    isOn: (r) => r === true,
    bulkCount: (r) => r.length,
    close: () => destroy(),
  };
}

/** @growthbook/growthbook GrowthBook (one instance, setAttributes per context). */
export async function growthbook() {
  const { GrowthBook } = await import("@growthbook/growthbook");
  const gb = new GrowthBook({ features: growthbookFeatures(KEYS) });
  return {
    id: "growthbook",
    name: "GrowthBook (setAttributes + evalFeature)",
    api: "gb.setAttributes(attrs); gb.evalFeature(key)",
    note: "bulk: setAttributes once, then evalFeature for each of the 100 keys",
    toContext: growthbookAttributes,
    single: (attrs) => {
      gb.setAttributes(attrs); // async signature, synchronous work without sticky buckets/remote eval
      return gb.evalFeature(KEY);
    },
    bulk: (attrs) => {
      gb.setAttributes(attrs);
      const out = new Array(KEYS.length);
      for (let i = 0; i < KEYS.length; i++) out[i] = gb.evalFeature(KEYS[i]);
      return out;
    },
    isOn: (r) => r.on === true,
    bulkCount: (r) => r.length,
    close: () => gb.destroy(),
  };
}

/** @growthbook/growthbook GrowthBookClient: the server-side, multi-user API (context per call). */
export async function growthbookClient() {
  const { GrowthBookClient } = await import("@growthbook/growthbook");
  const client = new GrowthBookClient({}).initSync({ payload: { features: growthbookFeatures(KEYS) } });
  return {
    id: "growthbook-client",
    name: "GrowthBookClient (evalFeature(key, {attributes}))",
    api: "client.evalFeature(key, { attributes })",
    note: "bulk: evalFeature for each of the 100 keys",
    toContext: (u) => ({ attributes: growthbookAttributes(u) }),
    single: (uc) => client.evalFeature(KEY, uc),
    bulk: (uc) => {
      const out = new Array(KEYS.length);
      for (let i = 0; i < KEYS.length; i++) out[i] = client.evalFeature(KEYS[i], uc);
      return out;
    },
    isOn: (r) => r.on === true,
    bulkCount: (r) => r.length,
    close: () => client.destroy(),
  };
}
