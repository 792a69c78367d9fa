// The physical limit: the benchmark's flag written out by hand for exactly this flag, no framework.
// The three rules are inline property reads and comparisons, and the rollout is murmur3_x86_32 over
// the UTF-8 bytes of "{flagKey}:{targetingKey}": the flag's prefix bytes are prepared once, the key
// is UTF-8-encoded behind them into one reused buffer (a JS loop: a TextEncoder call costs more
// than encoding a short key), then the textbook hash runs over the bytes. Results are preallocated,
// as any evaluator returning a shared result would do. Same buckets as edgeflags (checked by run.mjs).
import { BULK_FLAGS, ROLLOUT_PERCENT, flagKeys } from "./fixtures.mjs";

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const BOUND = ROLLOUT_PERCENT * 1000; // buckets of 100,000
const buffer = new Uint8Array(4096);
const encoder = new TextEncoder();

/** murmur3_x86_32 over buffer[0, n). */
function murmur3(n) {
  let h = 0;
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = buffer[i] | (buffer[i + 1] << 8) | (buffer[i + 2] << 16) | (buffer[i + 3] << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = n & 3;
  if (tail === 3) k ^= buffer[blocks + 2] << 16;
  if (tail >= 2) k ^= buffer[blocks + 1] << 8;
  if (tail >= 1) {
    k ^= buffer[blocks];
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The bucket (0 … 99,999) of `key` under a flag whose "{flagKey}:" bytes are `prefix`. */
function bucket(prefix, key) {
  const p = prefix.length;
  for (let i = 0; i < p; i++) buffer[i] = prefix[i];
  let n = p;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x80) buffer[n++] = c;
    else return bucketSlow(prefix, key); // non-ASCII: let TextEncoder do it (not on the benchmark's path)
  }
  return Math.floor((murmur3(n) * 100000) / 4294967296);
}

function bucketSlow(prefix, key) {
  buffer.set(prefix, 0);
  const { written } = encoder.encodeInto(key, buffer.subarray(prefix.length));
  return Math.floor((murmur3(prefix.length + written) * 100000) / 4294967296);
}

function results(key) {
  const r = (value, variant, reason) => Object.freeze({ key, value, variant, reason });
  return { match: r(true, "on", "TARGETING_MATCH"), on: r(true, "on", "SPLIT"), off: r(false, "off", "SPLIT") };
}

/** One flag: plan in [beta, alpha] | email endsWith @example.com | country == NZ → on; else 25 % rollout. */
function evaluate(prefix, res, ctx) {
  const plan = ctx.plan;
  if (plan === "beta" || plan === "alpha") return res.match;
  const email = ctx.email;
  if (typeof email === "string" && email.endsWith("@example.com")) return res.match;
  if (ctx.country === "NZ") return res.match;
  const key = ctx.targetingKey;
  if (typeof key !== "string") return res.off;
  return bucket(prefix, key) < BOUND ? res.on : res.off;
}

export function reference() {
  const keys = flagKeys(BULK_FLAGS);
  const prefixes = keys.map((k) => encoder.encode(`${k}:`));
  const res = keys.map(results);
  const prefix0 = prefixes[0];
  const res0 = res[0];
  return {
    id: "reference",
    name: "reference: hand-written evaluator (the limit)",
    api: "the three rules inline + murmur3 over utf8(key:targetingKey) (bench/reference.mjs)",
    note: "bulk: the same for each of the 100 flags, into a new array",
    toContext: (u) => u,
    single: (ctx) => evaluate(prefix0, res0, ctx),
    bulk: (ctx) => {
      const out = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) out[i] = evaluate(prefixes[i], res[i], ctx);
      return out;
    },
    isOn: (r) => r.value === true,
    bulkCount: (r) => r.length,
    /** For the bucket-equality check in run.mjs. */
    bucketOf: (key) => bucket(prefix0, key),
  };
}
