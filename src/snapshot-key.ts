/**
 * The KV keys of an environment's snapshot (docs/architecture.md, "KV snapshot"): the manifest at
 * `snapshot:{env}` (the version in its metadata), and immutable shards named by their content hash.
 */
export function snapshotKey(env: string): string {
  return `snapshot:${env}`;
}

/** The KV key of shard `index` whose text has SHA-256 `hash`: written once, never changed. */
export function shardKey(env: string, index: number, hash: string): string {
  return `snapshot:${env}:shard:${index}:${hash}`;
}
