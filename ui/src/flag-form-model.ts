/**
 * The flag form editor's pure logic. The draft is the flag as plain JSON — the very object the
 * JSON view shows — and every form field reads and writes one path of it (`rules.0.when.1.op`).
 * Updates copy only the objects along the path, so fields the form does not render (newer flag
 * fields such as `prerequisites`, or a condition's extra keys) survive a form edit untouched.
 * The same dotted paths name the API's `details[].path`, which is how an error finds its field.
 */

export type Draft = Record<string, unknown>;
export type Path = readonly (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined when any step is missing. */
export function getIn(root: unknown, path: Path): unknown {
  let at: unknown = root;
  for (const step of path) {
    if (Array.isArray(at) && typeof step === "number") at = at[step];
    else if (isRecord(at) && typeof step === "string") at = Object.hasOwn(at, step) ? at[step] : undefined;
    else return undefined;
  }
  return at;
}

/**
 * A copy of `root` with `value` at `path` (missing steps created as objects or arrays by the
 * step's kind); `undefined` removes an object key. Nothing outside the path is copied or changed.
 */
export function setIn<T>(root: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [step, ...rest] = path as [string | number, ...(string | number)[]];
  if (typeof step === "number") {
    const array = Array.isArray(root) ? [...(root as unknown[])] : [];
    array[step] = setIn(array[step], rest, value);
    return array as T;
  }
  const object: Record<string, unknown> = isRecord(root) ? { ...root } : {};
  const next = setIn(object[step], rest, value);
  if (next === undefined) delete object[step];
  else object[step] = next;
  return object as T;
}

/** The array at `path` changed by `change` (a missing array counts as empty). */
export function updateList<T>(root: T, path: Path, change: (items: unknown[]) => unknown[]): T {
  const current = getIn(root, path);
  return setIn(root, path, change(Array.isArray(current) ? [...current] : []));
}

/** Moves the item at `index` by `delta` places (no-op at either end). */
export function move(items: readonly unknown[], index: number, delta: number): unknown[] {
  const to = index + delta;
  if (to < 0 || to >= items.length || index < 0 || index >= items.length) return [...items];
  const out = [...items];
  const [item] = out.splice(index, 1);
  out.splice(to, 0, item);
  return out;
}

/** Renames a key of the object at `path`, keeping the key order (no-op if `to` is taken). */
export function renameKey<T>(root: T, path: Path, from: string, to: string): T {
  const object = getIn(root, path);
  if (!isRecord(object) || from === to || !Object.hasOwn(object, from) || Object.hasOwn(object, to)) return root;
  const renamed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) renamed[k === from ? to : k] = v;
  return setIn(root, path, renamed);
}

/** The first name `prefix`, `prefix2`, `prefix3`… that is not a key of `taken`. */
export function freshName(taken: Iterable<string>, prefix: string): string {
  const used = new Set(taken);
  if (!used.has(prefix)) return prefix;
  for (let i = 2; ; i++) if (!used.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

// ---- typed values ----------------------------------------------------------------------------

export type FlagType = "boolean" | "string" | "number" | "object";
export type ParsedValue = { ok: true; value: unknown } | { ok: false; message: string };

/** A variant value as the form's text field shows it. */
export function variantText(type: FlagType, value: unknown): string {
  if (type === "string" && typeof value === "string") return value;
  if (type === "object") return JSON.stringify(value ?? {}, null, 2);
  return value === undefined ? "" : JSON.stringify(value);
}

/** What the operator typed as a variant value, as a value of the flag's type. */
export function parseVariantText(type: FlagType, text: string): ParsedValue {
  switch (type) {
    case "string":
      return { ok: true, value: text };
    case "boolean":
      return text === "true" || text === "false" ? { ok: true, value: text === "true" } : { ok: false, message: "true or false" };
    case "number": {
      const n = Number(text);
      return text.trim() !== "" && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: "not a number" };
    }
    case "object":
      try {
        const value: unknown = JSON.parse(text);
        return isRecord(value) ? { ok: true, value } : { ok: false, message: "must be a JSON object" };
      } catch (e) {
        return { ok: false, message: `not valid JSON: ${(e as Error).message}` };
      }
  }
}

/** The default value of a new variant of a type. */
export function defaultVariantValue(type: FlagType): unknown {
  return { boolean: false, string: "", number: 0, object: {} }[type];
}

/**
 * A condition's values as text, one per line. A string is written bare unless it would read back
 * as something else (`42`, `true`, surrounding spaces), then as JSON; numbers and booleans as JSON.
 */
export function valuesText(values: unknown): string {
  if (!Array.isArray(values)) return "";
  return values
    .map((v) => {
      if (typeof v !== "string") return JSON.stringify(v);
      return readValue(v) === v ? v : JSON.stringify(v);
    })
    .join("\n");
}

function readValue(line: string): unknown {
  if (line !== line.trim() || line === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === "string" || typeof parsed === "number" || typeof parsed === "boolean") return parsed;
  } catch {
    // a bare word: the string itself
  }
  return line;
}

/** The inverse of `valuesText`: one value per non-empty line. */
export function parseValuesText(text: string): unknown[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => readValue(line));
}

/** Tags as the form's one-line field: comma-separated. */
export function tagsText(tags: unknown): string {
  return Array.isArray(tags) ? tags.join(", ") : "";
}

export function parseTagsText(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

/** A number field's text as a number when it is one; otherwise the text, for the API to refuse. */
export function numberOrText(text: string): number | string | undefined {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/** A rollout's startAt/endAt: an epoch number when digits, an ISO string otherwise, absent when empty. */
export function timeOrUndefined(text: string): number | string | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  return /^\d+$/.test(t) ? Number(t) : t;
}

// ---- serves ----------------------------------------------------------------------------------

export type ServeKind = "variant" | "split" | "rollout";

/** Which of the three shapes a serve is (a serve of none of them shows as a fixed variant). */
export function serveKind(serve: unknown): ServeKind {
  if (isRecord(serve) && "split" in serve) return "split";
  if (isRecord(serve) && "rollout" in serve) return "rollout";
  return "variant";
}

/**
 * A serve of another kind, filled from what the old one named so switching back and forth loses
 * little: a split starts at 100 % on the old variant, a rollout from the old variant to another.
 */
export function changeServeKind(serve: unknown, kind: ServeKind, variants: readonly string[]): Record<string, unknown> {
  if (serveKind(serve) === kind && isRecord(serve)) return serve;
  const first = variants[0] ?? "";
  const current = serveVariants(serve)[0] ?? first;
  const other = variants.find((v) => v !== current) ?? current;
  switch (kind) {
    case "variant":
      return { variant: current };
    case "split":
      return { split: { [current]: 100 } };
    case "rollout":
      return { rollout: { variant: other, baseline: current, percentage: 0 } };
  }
}

/** The variants a serve names, in order (for a rollout: baseline first). */
export function serveVariants(serve: unknown): string[] {
  if (!isRecord(serve)) return [];
  if (typeof serve.variant === "string") return [serve.variant];
  if (isRecord(serve.split)) return Object.keys(serve.split);
  if (isRecord(serve.rollout)) return [serve.rollout.baseline, serve.rollout.variant].filter((v): v is string => typeof v === "string");
  return [];
}

/** The operators the form offers (src/domain/flag.ts `Operator`); an op it does not know is kept and shown as is. */
export const OPERATORS = [
  "in", "notIn", "eq", "neq", "contains", "startsWith", "endsWith", "lt", "lte", "gt", "gte",
  "semverEq", "semverLt", "semverGt", "before", "after", "exists",
] as const;

/** A new rule with an id no other rule has, one empty condition, serving the first variant. */
export function newRule(draft: Draft): Record<string, unknown> {
  const rules = Array.isArray(draft.rules) ? draft.rules : [];
  const ids = rules.map((r) => (isRecord(r) && typeof r.id === "string" ? r.id : ""));
  const variants = isRecord(draft.variants) ? Object.keys(draft.variants) : [];
  let n = rules.length + 1;
  while (ids.includes(`rule-${n}`)) n++;
  return { id: `rule-${n}`, when: [newCondition()], serve: { variant: variants[0] ?? "" } };
}

export function newCondition(): Record<string, unknown> {
  return { attribute: "", op: "in", values: [] };
}

/** The top-level flag fields the form has fields for; the key and type are shown, not edited. */
export const FORM_KEYS = [
  "key", "type", "variants", "offVariant", "enabled", "rules", "fallthrough",
  "bucketBy", "clientSide", "category", "tags", "owner", "description",
] as const;

/** The draft's top-level fields the form does not render (kept as they are; edited in the JSON view). */
export function keysOutsideForm(draft: Draft): string[] {
  return Object.keys(draft).filter((k) => !(FORM_KEYS as readonly string[]).includes(k));
}

/** A serve with variant `from` renamed to `to` wherever it names it (other serves unchanged). */
function renameInServe(serve: unknown, from: string, to: string): unknown {
  if (!isRecord(serve)) return serve;
  if (serve.variant === from) return { ...serve, variant: to };
  if (isRecord(serve.split) && Object.hasOwn(serve.split, from)) return { ...serve, split: renameKey(serve.split, [], from, to) };
  if (isRecord(serve.rollout)) {
    const r = serve.rollout;
    if (r.variant !== from && r.baseline !== from) return serve;
    return { ...serve, rollout: { ...r, ...(r.variant === from ? { variant: to } : {}), ...(r.baseline === from ? { baseline: to } : {}) } };
  }
  return serve;
}

/**
 * Renames a variant and every reference to it the form knows — the off variant, each rule's serve
 * and the fallthrough — so a rename never leaves a dangling name behind (no-op if `to` is taken).
 */
export function renameVariant(draft: Draft, from: string, to: string): Draft {
  const renamed = renameKey(draft, ["variants"], from, to);
  if (renamed === draft) return draft;
  let next: Draft = { ...renamed };
  if (next.offVariant === from) next.offVariant = to;
  if (Array.isArray(next.rules)) next.rules = next.rules.map((rule) => (isRecord(rule) ? { ...rule, serve: renameInServe(rule.serve, from, to) } : rule));
  if ("fallthrough" in next) next = { ...next, fallthrough: renameInServe(next.fallthrough, from, to) };
  return next;
}
