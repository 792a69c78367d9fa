// Bundled by bench/snapshot-scale.mjs: the shipped snapshot format (src/domain) for the scale
// measurement. Re-exports only; no logic here.
export { compileManifest, compileSnapshot, evaluateEvery, lookupFlag } from "../src/domain/snapshot.js";
export { CompiledShard, encodeShard, encodeShards, shardBitsFor, shardOf, clientPrint, SHARD_TARGET_BYTES } from "../src/domain/snapshot-shard.js";
export { compileFlag } from "../src/domain/evaluate.js";
export { Flag } from "../src/domain/flag.js";
