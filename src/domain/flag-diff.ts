/**
 * What importing a flag set would change (the dry-run answer, and the import's audit trail).
 * Bookkeeping fields (`version`, `updatedAt`) and defaults never count as a change.
 */
import type { Flag } from "./flag.js";

export interface FlagSetDiff {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
  readonly unchanged: number;
}

/** The flag's content without bookkeeping, with a stable key order for comparison. */
export function flagContent(flag: Flag): string {
  const { version: _version, updatedAt: _updatedAt, ...content } = flag;
  return stableStringify({ ...content, salt: content.salt ?? content.key });
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function diffFlagSets(current: readonly Flag[], incoming: readonly Flag[], replace: boolean): FlagSetDiff {
  const existing = new Map(current.map((f) => [f.key, flagContent(f)]));
  const incomingKeys = new Set(incoming.map((f) => f.key));
  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const flag of incoming) {
    const before = existing.get(flag.key);
    if (before === undefined) added.push(flag.key);
    else if (before !== flagContent(flag)) changed.push(flag.key);
    else unchanged++;
  }
  const removed = replace ? current.filter((f) => !incomingKeys.has(f.key)).map((f) => f.key) : [];
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort(), unchanged };
}
