/** The segment pages' pure logic (ui/src/segment-model.ts): counts, id lines, members requests and summaries, id search, delete guard. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { editableJson, parseJsonObject } from "../../../ui/src/flag-editor-model.js";
import {
  deleteBlocked,
  MAX_SEGMENT_IDS,
  membersRequest,
  membersSummary,
  newSegmentBody,
  parseIdLines,
  searchIds,
  searchSummary,
  segmentCounts,
  SHOWN_IDS,
} from "../../../ui/src/segment-model.js";

describe("segmentCounts", () => {
  it("counts included and excluded ids and rules", () => {
    expect(segmentCounts({ include: ["a", "b"], exclude: ["c"], rules: [] })).toEqual({ included: 2, excluded: 1, rules: 0 });
  });
});

describe("parseIdLines", () => {
  it("trims, drops empty lines and repeats, keeps the first order", () => {
    expect(parseIdLines(" u2\r\n\nu1\nu2 \n  \nu3")).toEqual({ ids: ["u2", "u1", "u3"], tooLong: [] });
  });
  it("names ids longer than the API accepts", () => {
    const long = "x".repeat(257);
    expect(parseIdLines(`ok\n${long}`).tooLong).toEqual([long]);
  });
  it("property: the ids are exactly the distinct non-blank trimmed lines, each once", () => {
    const line = fc.string({ unit: fc.constantFrom("a", "b", " ", "1", "é"), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const { ids } = parseIdLines(lines.join("\n"));
        const expected = new Set(lines.map((l) => l.trim()).filter((l) => l !== ""));
        expect(new Set(ids)).toEqual(expected);
        expect(ids.length).toBe(expected.size);
        expect(ids.every((id) => id === id.trim() && id !== "")).toBe(true);
      }),
    );
  });
});

describe("membersRequest", () => {
  it("builds the body from both textareas", () => {
    expect(membersRequest("a\nb\na", "c")).toEqual({ ok: true, add: ["a", "b"], remove: ["c"] });
  });
  it("refuses an empty change, over-long ids and too many ids before calling the API", () => {
    expect(membersRequest(" \n", "")).toEqual({ ok: false, message: "give ids to add or remove, one per line" });
    expect(membersRequest("x".repeat(300), "").ok).toBe(false);
    const many = Array.from({ length: MAX_SEGMENT_IDS + 1 }, (_, i) => `u${i}`).join("\n");
    expect(membersRequest(many, "")).toMatchObject({ ok: false, message: expect.stringContaining(`${MAX_SEGMENT_IDS}`) });
  });
});

describe("membersSummary", () => {
  it("says how many were added and removed, and how many asked for changed nothing", () => {
    expect(membersSummary({ add: ["a", "b"], remove: ["c"] }, { added: ["a", "b"], removed: ["c"] })).toBe("Added 2 ids and removed 1 id.");
    expect(membersSummary({ add: ["a", "b"], remove: ["z"] }, { added: ["b"], removed: [] })).toBe(
      "Added 1 id and removed 0 ids (2 ids unchanged: already in, or not in, the include list).",
    );
  });
});

describe("searchIds", () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `user-${String(i).padStart(5, "0")}`);
  it("shows at most SHOWN_IDS ids but counts every match", () => {
    const all = searchIds(ids, "");
    expect(all.shown).toHaveLength(SHOWN_IDS);
    expect(all.matching).toBe(10_000);
    expect(searchSummary(all, ids.length)).toBe(`Showing the first ${SHOWN_IDS} of 10000 matching ids (of 10000); search to narrow.`);
  });
  it("matches a substring case-insensitively", () => {
    const found = searchIds(ids, " USER-0999");
    expect(found).toEqual({ shown: Array.from({ length: 10 }, (_, i) => `user-0999${i}`), matching: 10 });
    expect(searchSummary(found, ids.length)).toBe("Showing 10 of 10000 included ids.");
    expect(searchSummary(searchIds(ids, "nobody"), ids.length)).toBe("No included id matches.");
    expect(searchSummary(searchIds([], ""), 0)).toBe("No included ids.");
  });
  it("property: shown is the first `limit` matches in list order, every one containing the query", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: fc.constantFrom("a", "B", "c"), minLength: 1, maxLength: 4 })), fc.string({ unit: fc.constantFrom("a", "b", "C"), maxLength: 2 }), fc.nat(20), (list, query, limit) => {
        const { shown, matching } = searchIds(list, query, limit);
        const all = list.filter((id) => id.toLowerCase().includes(query.toLowerCase()));
        expect(matching).toBe(all.length);
        expect(shown).toEqual(all.slice(0, limit));
      }),
    );
  });
});

describe("deleteBlocked and newSegmentBody", () => {
  it("explains why Delete is disabled, naming the flags", () => {
    expect(deleteBlocked([], true)).toBeNull();
    expect(deleteBlocked(["f1", "f2"], true)).toBe("Delete is disabled: used by flags f1, f2; remove it from their rules first.");
    expect(deleteBlocked(["f1"], false)).toMatch(/^Delete is disabled: used by flag f1;/);
    expect(deleteBlocked([], false)).toMatch(/^Delete is disabled: this token/);
  });
  it("sends the description only when given", () => {
    expect(newSegmentBody(" beta ", " ")).toEqual({ key: "beta" });
    expect(newSegmentBody("beta", "Beta users")).toEqual({ key: "beta", description: "Beta users" });
  });
});

describe("shared JSON editor helpers", () => {
  it("edit a segment without its server-owned fields and name it in the parse error", () => {
    expect(JSON.parse(editableJson({ key: "s", include: [], version: 3, updatedAt: "x" }))).toEqual({ key: "s", include: [] });
    expect(parseJsonObject("[]", "segment")).toEqual({ ok: false, message: "the segment must be a JSON object" });
  });
});
