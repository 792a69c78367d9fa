/**
 * Where the flag form shows an API error: every field path the form renders for a draft, and the
 * rendered field an error's `details[].path` belongs to (the deepest one it starts with).
 */
import { type Draft, serveKind } from "./flag-form-model.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A dotted path without the envelope's `body.` prefix (the API names request parts). */
export function bodyPath(path: string): string {
  return path.startsWith("body.") ? path.slice(5) : path === "body" ? "" : path;
}

/**
 * The field an API error belongs to: the longest rendered field path that is the error path or
 * a prefix of it by whole steps (`rules.0.when.1.values.0` → `rules.0.when.1.values`); undefined
 * when no field matches, so the error is listed above the form instead.
 */
export function fieldForPath(path: string, fields: readonly string[]): string | undefined {
  const target = bodyPath(path);
  let best: string | undefined;
  for (const field of fields) {
    if (field === "") continue;
    if ((target === field || target.startsWith(`${field}.`)) && (best === undefined || field.length > best.length)) best = field;
  }
  return best;
}

export interface PlacedErrors {
  /** Messages per field path. */
  byField: Map<string, string[]>;
  /** `path: message` lines that match no field. */
  unplaced: string[];
}

/** Sorts the API's error details to the fields the form renders. */
export function placeErrors(details: readonly { path: string; message: string }[], fields: readonly string[]): PlacedErrors {
  const byField = new Map<string, string[]>();
  const unplaced: string[] = [];
  for (const d of details) {
    const field = fieldForPath(d.path, fields);
    if (field === undefined) {
      unplaced.push(d.path === "" ? d.message : `${d.path}: ${d.message}`);
      continue;
    }
    byField.set(field, [...(byField.get(field) ?? []), d.message]);
  }
  return { byField, unplaced };
}

/** Every field path the form renders for a draft (what `fieldForPath` chooses among). */
export function formFieldPaths(draft: Draft): string[] {
  const fields = ["key", "type", "variants", "offVariant", "enabled", "rules", "bucketBy", "clientSide", "category", "tags", "owner", "description"];
  const variants = isRecord(draft.variants) ? Object.keys(draft.variants) : [];
  for (const name of variants) fields.push(`variants.${name}`);
  const serveFields = (at: string, serve: unknown) => {
    fields.push(at);
    const kind = serveKind(serve);
    if (kind === "variant") fields.push(`${at}.variant`);
    else if (kind === "split") {
      fields.push(`${at}.split`);
      for (const name of variants) fields.push(`${at}.split.${name}`);
    } else for (const part of ["variant", "baseline", "percentage", "startAt", "endAt"]) fields.push(`${at}.rollout.${part}`);
  };
  const rules = Array.isArray(draft.rules) ? draft.rules : [];
  rules.forEach((rule, i) => {
    fields.push(`rules.${i}`, `rules.${i}.id`, `rules.${i}.description`, `rules.${i}.when`);
    const when = isRecord(rule) && Array.isArray(rule.when) ? rule.when : [];
    when.forEach((_c, j) => fields.push(`rules.${i}.when.${j}`, `rules.${i}.when.${j}.attribute`, `rules.${i}.when.${j}.op`, `rules.${i}.when.${j}.values`));
    serveFields(`rules.${i}.serve`, isRecord(rule) ? rule.serve : undefined);
  });
  serveFields("fallthrough", draft.fallthrough);
  return fields;
}

/** The DOM id of a field path's input (ids may hold dots; no other character needs escaping here). */
export function fieldId(path: string): string {
  return `ff-${path.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}
