/**
 * The flags table's rows: search, filters (category, tag, owner) and sort, as pure functions of the
 * flag list, so they are unit-tested without a DOM and stay fast for thousands of flags.
 */
import type { FlagView } from "./types.js";

export type SortKey = "key" | "type" | "enabled" | "updatedAt";

export interface FlagQuery {
  /** Case-insensitive substring of the key, description, category, owner or a tag. */
  search: string;
  category: string;
  tag: string;
  owner: string;
  sort: SortKey;
  descending: boolean;
}

export const EMPTY_QUERY: FlagQuery = { search: "", category: "", tag: "", owner: "", sort: "key", descending: false };

function matches(view: FlagView, query: FlagQuery, needle: string): boolean {
  const { flag } = view;
  if (query.category !== "" && flag.category !== query.category) return false;
  if (query.tag !== "" && !(flag.tags ?? []).includes(query.tag)) return false;
  if (query.owner !== "" && flag.owner !== query.owner) return false;
  if (needle === "") return true;
  const haystack = [flag.key, flag.description ?? "", flag.category ?? "", flag.owner ?? "", ...(flag.tags ?? [])];
  return haystack.some((text) => text.toLowerCase().includes(needle));
}

function compare(a: FlagView, b: FlagView, sort: SortKey): number {
  switch (sort) {
    case "type":
      return a.flag.type.localeCompare(b.flag.type);
    case "enabled":
      return Number(b.flag.enabled) - Number(a.flag.enabled);
    case "updatedAt":
      return (a.flag.updatedAt ?? "").localeCompare(b.flag.updatedAt ?? "");
    case "key":
      return 0;
  }
}

/** The rows to show, in order; ties (and the "key" sort) order by key so the order is stable. */
export function visibleFlags(flags: readonly FlagView[], query: FlagQuery): FlagView[] {
  const needle = query.search.trim().toLowerCase();
  const sign = query.descending ? -1 : 1;
  return flags
    .filter((view) => matches(view, query, needle))
    .sort((a, b) => sign * (compare(a, b, query.sort) || (a.flag.key < b.flag.key ? -1 : a.flag.key > b.flag.key ? 1 : 0)));
}

/** The distinct values a filter offers, sorted. */
export function filterOptions(flags: readonly FlagView[]): { categories: string[]; tags: string[]; owners: string[] } {
  const categories = new Set<string>();
  const tags = new Set<string>();
  const owners = new Set<string>();
  for (const { flag } of flags) {
    if (flag.category) categories.add(flag.category);
    if (flag.owner) owners.add(flag.owner);
    for (const tag of flag.tags ?? []) tags.add(tag);
  }
  const sorted = (set: Set<string>) => [...set].sort();
  return { categories: sorted(categories), tags: sorted(tags), owners: sorted(owners) };
}

/** Whether a token with this role may flip switches in this environment (operator or more on it). */
export function canWrite(principal: { role: string; environments: readonly string[] }, env: string): boolean {
  if (principal.role !== "operator" && principal.role !== "admin") return false;
  return principal.environments.includes("*") || principal.environments.includes(env);
}
