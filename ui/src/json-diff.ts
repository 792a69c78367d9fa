/**
 * A small structural diff of two JSON values, for the flag history: the changed leaf paths with
 * the old and new value. Objects are compared key by key and arrays index by index, so a rule
 * edit shows as `rules.0.when.0.op`, in the same dotted form as the API's `details[].path`.
 */

export interface DiffEntry {
  /** Dotted path from the root ("" for the whole value). */
  path: string;
  kind: "added" | "removed" | "changed";
  before: unknown;
  after: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

/** Deep equality of JSON values (key order does not matter, array order does). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The changed paths from `before` to `after`, in path order; empty when they are equal. */
export function jsonDiff(before: unknown, after: unknown, path = ""): DiffEntry[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ path, kind: "added", before, after }];
  if (after === undefined) return [{ path, kind: "removed", before, after }];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => jsonDiff(Object.hasOwn(before, k) ? before[k] : undefined, Object.hasOwn(after, k) ? after[k] : undefined, join(path, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    const out: DiffEntry[] = [];
    for (let i = 0; i < length; i++) out.push(...jsonDiff(i < before.length ? before[i] : undefined, i < after.length ? after[i] : undefined, join(path, i)));
    return out;
  }
  return jsonEqual(before, after) ? [] : [{ path, kind: "changed", before, after }];
}

/** One side of a diff line as text: "—" for a missing value, JSON otherwise. */
export function diffValueText(value: unknown): string {
  return value === undefined ? "—" : JSON.stringify(value);
}
