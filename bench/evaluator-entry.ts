// Bundled by bench/build.mjs into bench/.build/evaluator.mjs so the benchmark runs our real
// TypeScript evaluator in Node. Re-exports only; no logic here.
export { compileSnapshot, findFlag, evaluateAll } from "../src/domain/snapshot.js";
export { compileFlag, evaluate } from "../src/domain/evaluate.js";
export { Flag, saltOf } from "../src/domain/flag.js";
export { Segment } from "../src/domain/segment.js";
export { bucketerFor, bucketOf, BUCKETS, percentageBound } from "../src/domain/bucket.js";
export { murmur3, murmur3Prefix, murmur3WithPrefix } from "../src/domain/murmur3.js";
