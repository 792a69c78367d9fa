/** The flags table's search, filters and sort, and who may flip a switch (ui/src/flag-table-model.ts). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canWrite, EMPTY_QUERY, filterOptions, visibleFlags } from "../../../ui/src/flag-table-model.js";
import type { Flag, FlagView } from "../../../ui/src/types.js";

function view(key: string, extra: Partial<Flag> = {}): FlagView {
  const flag: Flag = {
    key,
    type: "boolean",
    variants: { on: true, off: false },
    offVariant: "off",
    enabled: true,
    rules: [],
    fallthrough: { variant: "on" },
    ...extra,
  };
  return { flag, override: undefined };
}

const FLAGS = [
  view("checkout_v2", { category: "experimental", tags: ["web"], owner: "payments", updatedAt: "2026-03-02T00:00:00.000Z" }),
  view("alpha_search", { category: "operational", tags: ["web", "search"], owner: "search", enabled: false, updatedAt: "2026-03-01T00:00:00.000Z", type: "string" }),
  view("kill_all", { category: "critical", description: "Emergency stop for checkout", updatedAt: "2026-03-03T00:00:00.000Z" }),
];
const keys = (views: FlagView[]) => views.map((v) => v.flag.key);

describe("visibleFlags", () => {
  it("sorts by key by default", () => {
    expect(keys(visibleFlags(FLAGS, EMPTY_QUERY))).toEqual(["alpha_search", "checkout_v2", "kill_all"]);
  });

  it("searches key, description, category, owner and tags case-insensitively", () => {
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, search: "CHECKOUT" }))).toEqual(["checkout_v2", "kill_all"]);
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, search: "payments" }))).toEqual(["checkout_v2"]);
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, search: "  search " }))).toEqual(["alpha_search"]);
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, search: "nothing-matches" }))).toEqual([]);
  });

  it("filters by category, tag and owner, all at once", () => {
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, category: "critical" }))).toEqual(["kill_all"]);
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, tag: "web" }))).toEqual(["alpha_search", "checkout_v2"]);
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, tag: "web", owner: "payments" }))).toEqual(["checkout_v2"]);
  });

  it("sorts by last change, enabled first, type, and descending", () => {
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, sort: "updatedAt" }))).toEqual(["alpha_search", "checkout_v2", "kill_all"]);
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, sort: "updatedAt", descending: true }))).toEqual(["kill_all", "checkout_v2", "alpha_search"]);
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, sort: "enabled" }))).toEqual(["checkout_v2", "kill_all", "alpha_search"]);
    expect(keys(visibleFlags(FLAGS, { ...EMPTY_QUERY, sort: "type" }))).toEqual(["checkout_v2", "kill_all", "alpha_search"]);
  });

  it("does not reorder its input", () => {
    const input = [...FLAGS];
    visibleFlags(input, { ...EMPTY_QUERY, descending: true });
    expect(input).toEqual(FLAGS);
  });

  it("returns a subset, every row matching, in key order (property)", () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 30 }), fc.string({ maxLength: 3 }), (names, search) => {
        const flags = names.map((name) => view(name));
        const rows = keys(visibleFlags(flags, { ...EMPTY_QUERY, search }));
        const needle = search.trim().toLowerCase();
        expect(rows).toEqual(names.filter((n) => n.includes(needle)).sort());
      }),
    );
  });
});

describe("filterOptions", () => {
  it("offers each category, tag and owner once, sorted", () => {
    expect(filterOptions(FLAGS)).toEqual({ categories: ["critical", "experimental", "operational"], tags: ["search", "web"], owners: ["payments", "search"] });
  });
});

describe("canWrite", () => {
  it("lets operators and admins write where their token is bound, and never viewers", () => {
    expect(canWrite({ role: "viewer", environments: ["*"] }, "development")).toBe(false);
    expect(canWrite({ role: "operator", environments: ["staging"] }, "staging")).toBe(true);
    expect(canWrite({ role: "operator", environments: ["staging"] }, "production")).toBe(false);
    expect(canWrite({ role: "admin", environments: ["*"] }, "production")).toBe(true);
  });
});
