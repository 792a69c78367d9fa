/** The KV key of an environment's snapshot (one key per environment, DESIGN §1). */
export function snapshotKey(env: string): string {
  return `snapshot:${env}`;
}
