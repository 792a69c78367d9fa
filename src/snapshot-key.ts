/** The KV key of an environment's snapshot (one key per environment; docs/architecture.md, "KV snapshot key"). */
export function snapshotKey(env: string): string {
  return `snapshot:${env}`;
}
