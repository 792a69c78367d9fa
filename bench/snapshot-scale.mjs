// The sharded snapshot at scale (docs/architecture.md, "KV snapshot"): for 15 / 1,000 / 10,000 /
// 100,000 flags of the benchmark's shape (3 rules + a rollout), the Durable Object's publish work
// (encode + hash; KV I/O excluded), the manifest and shard sizes, the first single-flag evaluation
// on a cold isolate and after a one-flag change, and the heap one environment takes with a small
// working set. Each case runs in a fresh Node process (cold JIT, clean heap). KV is a Map here: the
// figures are CPU and memory, not network.
//
//   node --expose-gc bench/snapshot-scale.mjs            all cases, the shipped format and the old one
//   node --expose-gc bench/snapshot-scale.mjs --case 10000 --format sharded|whole|json-shards [--target 262144]
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { bundle } from "./build.mjs";
import { flagKeys, makeUsers, oursFlag } from "./fixtures.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);
const sha = (text) => createHash("sha256").update(text).digest("hex");
const ms = (t0) => Number((performance.now() - t0).toFixed(2));
const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return v8.getHeapStatistics().used_heap_size;
};
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};

async function runCase(n, format, target) {
  const ev = await import(join(here, ".build", "snapshot.mjs"));
  const now = Date.parse("2026-11-30T09:00:00Z");
  const users = makeUsers(200);
  let flags = flagKeys(n).map((k, i) => ev.Flag.parse({ ...oursFlag(k), clientSide: i % 5 === 0, salt: k, version: 1, updatedAt: "2026-11-30T09:00:00.000Z" }));
  const envelope = { env: "production", version: 1, publishedAt: "2026-11-30T09:00:00.000Z", keys: {}, streamKey: "k".repeat(43) };
  const last = flags[n - 1].key;
  const changedFlag = { ...flags[n - 1], enabled: false, version: 2 };
  const kv = new Map();
  const out = { flags: n, format };

  if (format === "whole") {
    // The old format: one KV value with every flag; every version change parses and compiles all.
    let t0 = performance.now();
    const text = JSON.stringify({ ...envelope, flags });
    sha(text);
    out.publishMs = ms(t0);
    out.manifestBytes = text.length;
    const changedText = JSON.stringify({ ...envelope, version: 2, flags: flags.map((f, i) => (i === n - 1 ? changedFlag : f)) });
    t0 = performance.now();
    JSON.stringify({ ...envelope, version: 2, flags });
    sha(changedText);
    out.changePublishMs = ms(t0);
    flags = null;
    const before = heap();
    const compileAll = (t) => {
      const s = JSON.parse(t);
      const all = s.flags.sort((a, b) => (a.key < b.key ? -1 : 1)).map(ev.compileFlag);
      return new Map(all.map((c) => [c.flag.key, c]));
    };
    t0 = performance.now();
    let held = compileAll(text);
    held.get(last).evaluate(users[0], now);
    out.coldEvalMs = ms(t0);
    out.heapMiB = Number(((heap() - before) / 2 ** 20).toFixed(1));
    t0 = performance.now();
    held = compileAll(changedText);
    held.get(last).evaluate(users[0], now);
    out.changeEvalMs = ms(t0);
    return out;
  }

  // Sharded: the shipped format (line index, one flag parsed at a time) or shards as JSON arrays.
  const bytes = flags.reduce((s, f) => s + JSON.stringify(f).length, 0);
  const bits = target ? Math.max(0, Math.ceil(Math.log2(Math.max(1, bytes / target)))) : ev.shardBitsFor(bytes);
  const encode = format === "json-shards" ? (group) => JSON.stringify([...group].sort((a, b) => (a.key < b.key ? -1 : 1))) : ev.encodeShard;
  const groups = Array.from({ length: 2 ** bits }, () => []);
  const publish = (list) => {
    for (const g of groups) g.length = 0;
    for (const f of list) groups[ev.shardOf(f.key, bits)].push(f);
  };
  const refOf = (group) => {
    const text = encode(group);
    return { text, ref: { hash: sha(text), client: sha(ev.clientPrint(group)).slice(0, 24), flags: group.length, bytes: text.length } };
  };
  const manifestOf = (version, refs, inline) => JSON.stringify({ ...envelope, version, shardBits: bits, shards: refs, ...(inline && { flags: inline }) });
  let t0 = performance.now();
  publish(flags);
  const built = groups.map(refOf);
  const inline = bits === 0 ? flags : undefined;
  const manifest = manifestOf(1, built.map((b) => b.ref), inline);
  out.publishMs = ms(t0);
  // KV holds bytes: a loaded shard's text is a new string on the heap, as at the edge.
  for (const b of built) kv.set(b.ref.hash, Buffer.from(b.text));
  out.shards = 2 ** bits;
  out.manifestBytes = manifest.length;
  out.maxShardBytes = inline ? 0 : Math.max(...built.map((b) => b.ref.bytes));
  // A one-flag change: only its shard is re-encoded and hashed, then the manifest.
  const s = ev.shardOf(last, bits);
  t0 = performance.now();
  const changedGroup = groups[s].map((f) => (f.key === last ? changedFlag : f));
  const rebuilt = refOf(changedGroup);
  const refs2 = built.map((b, i) => (i === s ? rebuilt.ref : b.ref));
  const manifest2 = manifestOf(2, refs2, inline && inline.map((f) => (f.key === last ? changedFlag : f)));
  out.changePublishMs = ms(t0);
  kv.set(rebuilt.ref.hash, Buffer.from(rebuilt.text));
  out.shardsWrittenOnChange = inline ? 0 : 1;
  flags = null;
  built.length = 0;
  groups.length = 0;

  // The edge: shards held by hash, as src/edge/shard-cache.ts does.
  let held = new Map();
  const fromText =
    format === "json-shards" ? (text, compile) => ev.CompiledShard.fromFlags(JSON.parse(text), compile) : (text, compile) => ev.CompiledShard.fromText(text, compile);
  const loader = (index, ref, compile) => {
    let shard = held.get(ref.hash);
    if (!shard) held.set(ref.hash, (shard = fromText(kv.get(ref.hash).toString("utf8"), compile)));
    return shard;
  };
  const before = heap();
  t0 = performance.now();
  let compiled = ev.compileManifest(JSON.parse(manifest), {}, loader);
  (await ev.lookupFlag(compiled, last, "all")).evaluate(users[0], now);
  out.coldEvalMs = ms(t0);
  // A small working set: 100 flags spread over the environment.
  const keys = flagKeys(n);
  for (let i = 0; i < Math.min(100, n); i++) (await ev.lookupFlag(compiled, keys[(i * 7919) % n], "all")).evaluate(users[i % users.length], now);
  out.workingSetHeapMiB = Number(((heap() - before) / 2 ** 20).toFixed(2));
  out.shardsHeld = held.size;
  if (arg("envs") !== undefined) {
    // More environments of the same size in one isolate, each with its own shards and working set.
    const isolate = [compiled];
    const envs = Number(arg("envs"));
    const first = held;
    for (let e = 1; e < envs; e++) {
      held = new Map();
      const other = ev.compileManifest(JSON.parse(manifest), {}, loader);
      isolate.push(other, held);
      for (let i = 0; i < Math.min(100, n); i++) (await ev.lookupFlag(other, keys[(i * 7919 + e) % n], "all")).evaluate(users[i % users.length], now);
    }
    out.envs = envs;
    out.isolateHeapMiB = Number(((heap() - before) / 2 ** 20).toFixed(2));
    held = first;
    globalThis.keep = isolate;
  }
  t0 = performance.now();
  compiled = ev.compileManifest(JSON.parse(manifest2), {}, loader);
  const changed = (await ev.lookupFlag(compiled, last, "all")).evaluate(users[0], now);
  out.changeEvalMs = ms(t0);
  if (changed.reason !== "DISABLED") throw new Error("the change was not seen");
  if (n <= 10_000) {
    t0 = performance.now();
    const all = await ev.evaluateEvery(compiled, users[1], now, "all");
    out.bulkFirstMs = ms(t0);
    if (all.length !== n) throw new Error("bulk count");
  }
  return out;
}

if (arg("case") !== undefined) {
  const result = await runCase(Number(arg("case")), arg("format", "sharded"), arg("target") && Number(arg("target")));
  process.stdout.write(JSON.stringify(result));
} else {
  await bundle("snapshot-entry.ts", "snapshot.mjs");
  const rows = [];
  const run = (n, format, target, envs) => {
    const extra = [...(target ? ["--target", String(target)] : []), ...(envs ? ["--envs", String(envs)] : [])];
    const text = execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=4096", self, "--case", String(n), "--format", format, ...extra], { encoding: "utf8" });
    const row = { ...JSON.parse(text), ...(target && { target }) };
    rows.push(row);
    console.log(JSON.stringify(row));
  };
  for (const n of [15, 1_000, 10_000, 100_000]) run(n, "sharded");
  for (const n of [15, 1_000, 10_000, 100_000]) run(n, "whole");
  // Alternatives at 100,000 flags: shards as JSON arrays (parsed whole on first use), and other shard sizes.
  run(100_000, "sharded", undefined, 3);
  run(100_000, "json-shards");
  for (const target of [256 * 1024, 1024 * 1024]) run(100_000, "sharded", target);
}
