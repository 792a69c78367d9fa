/**
 * The segment pages' pure logic: a segment's counts for the list and the facts, the members form's
 * id lines (one id per line, trimmed, deduplicated, checked against the API's limits before the
 * call), the status line a members change answers with, the included-ids search (a segment holds
 * up to 10,000 ids, so only the first matches are rendered), and the delete button's explanation.
 */

/** The API's limits (src/domain/segment.ts): ids per list and per members batch, and per id. */
export const MAX_SEGMENT_IDS = 10_000;
export const MAX_ID_LENGTH = 256;
/** Included ids rendered at once by the search list: all 10,000 would make every keystroke slow. */
export const SHOWN_IDS = 200;

export interface SegmentCounts {
  included: number;
  excluded: number;
  rules: number;
}

/** The shape the pages read of a segment (the API's; `include`/`exclude`/`rules` always present). */
export interface SegmentLike {
  include: readonly string[];
  exclude: readonly string[];
  rules: readonly unknown[];
}

export function segmentCounts(segment: SegmentLike): SegmentCounts {
  return { included: segment.include.length, excluded: segment.exclude.length, rules: segment.rules.length };
}

export interface IdLines {
  /** Each distinct id once, in the order first typed. */
  ids: string[];
  /** Lines longer than the API accepts (it would refuse the whole batch). */
  tooLong: string[];
}

/** One id per line: surrounding blanks trimmed (ids copied from a spreadsheet), empty lines and repeats dropped. */
export function parseIdLines(text: string): IdLines {
  const seen = new Set<string>();
  const tooLong: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const id = raw.trim();
    if (id === "" || seen.has(id)) continue;
    seen.add(id);
    if (id.length > MAX_ID_LENGTH) tooLong.push(id);
  }
  return { ids: [...seen], tooLong };
}

export type MembersRequest = { ok: true; add: string[]; remove: string[] } | { ok: false; message: string };

/** The members form's two textareas as the `POST …/members` body, or why it cannot be sent. */
export function membersRequest(addText: string, removeText: string): MembersRequest {
  const add = parseIdLines(addText);
  const remove = parseIdLines(removeText);
  const tooLong = [...add.tooLong, ...remove.tooLong];
  if (tooLong.length > 0) return { ok: false, message: `ids are at most ${MAX_ID_LENGTH} characters; ${tooLong.length} line(s) are longer` };
  if (add.ids.length === 0 && remove.ids.length === 0) return { ok: false, message: "give ids to add or remove, one per line" };
  if (add.ids.length > MAX_SEGMENT_IDS || remove.ids.length > MAX_SEGMENT_IDS) return { ok: false, message: `at most ${MAX_SEGMENT_IDS} ids to add and ${MAX_SEGMENT_IDS} to remove per change` };
  return { ok: true, add: add.ids, remove: remove.ids };
}

const ids = (n: number) => `${n} ${n === 1 ? "id" : "ids"}`;

/**
 * What a members change did, from the API's answer (`added`/`removed` are the ids that really
 * changed): ids already included, or not included, are named as unchanged rather than hidden.
 */
export function membersSummary(asked: { add: readonly string[]; remove: readonly string[] }, done: { added: readonly string[]; removed: readonly string[] }): string {
  const unchanged = asked.add.length + asked.remove.length - done.added.length - done.removed.length;
  const tail = unchanged > 0 ? ` (${ids(unchanged)} unchanged: already in, or not in, the include list)` : "";
  return `Added ${ids(done.added.length)} and removed ${ids(done.removed.length)}${tail}.`;
}

export interface IdSearch {
  /** The first `limit` matching ids, in the list's (sorted) order. */
  shown: string[];
  /** How many ids match in all. */
  matching: number;
}

/** Included ids containing `query` (case-insensitive; every id when empty), at most `limit` of them. */
export function searchIds(list: readonly string[], query: string, limit = SHOWN_IDS): IdSearch {
  const needle = query.trim().toLowerCase();
  const shown: string[] = [];
  let matching = 0;
  for (const id of list) {
    if (needle !== "" && !id.toLowerCase().includes(needle)) continue;
    matching++;
    if (shown.length < limit) shown.push(id);
  }
  return { shown, matching };
}

/** The line under the search list: how many of the matches are shown. */
export function searchSummary(search: IdSearch, total: number): string {
  if (total === 0) return "No included ids.";
  if (search.matching === 0) return "No included id matches.";
  if (search.shown.length < search.matching) return `Showing the first ${search.shown.length} of ${search.matching} matching ids (of ${total}); search to narrow.`;
  return `Showing ${search.matching} of ${total} included ids.`;
}

/** Why Delete is disabled, or null when it is not. */
export function deleteBlocked(usedBy: readonly string[], writable: boolean): string | null {
  if (usedBy.length > 0) return `Delete is disabled: used by ${usedBy.length === 1 ? "flag" : "flags"} ${usedBy.join(", ")}; remove it from their rules first.`;
  if (!writable) return "Delete is disabled: this token may not change segments here.";
  return null;
}

/** The body that creates an empty segment from the list page's form. */
export function newSegmentBody(key: string, description: string): { key: string; description?: string } {
  const text = description.trim();
  return text === "" ? { key: key.trim() } : { key: key.trim(), description: text };
}
