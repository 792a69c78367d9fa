/**
 * Segments: reusable audiences of one environment, referenced from flag rules with
 * `{ "op": "inSegment" | "notInSegment", "values": ["<segment key>"] }` (docs/flags.md, "Segments").
 *
 * A context is in a segment when its id (the `bucketBy` attribute, default `targetingKey`) is in
 * `include`; otherwise when the id is not in `exclude` and any rule matches (all of a rule's
 * conditions hold). So include beats exclude, and exclude beats rules. `include`/`exclude` compile
 * into Sets: membership is O(1) whatever their size. Pure: no I/O, time comes in as `now`.
 */
import { z } from "zod";
import { attributeOf, compileCondition, type CompiledCondition, type EvaluationContext, type SegmentMatcher } from "./conditions.js";
import { Condition, isSegmentOp, SegmentKey } from "./flag.js";
import { utf8Bytes } from "./limits.js";
import { multilineText } from "./text.js";

export { SegmentKey };

/** Ids per list (include, exclude), and per members batch. */
export const MAX_SEGMENT_IDS = 10_000;
/** An environment's segments may total this many bytes (stored JSON): they travel in its snapshot (one KV value). */
export const MAX_ENVIRONMENT_SEGMENT_BYTES = 4 * 1024 * 1024;

/** An id as contexts carry it: a targeting key or another attribute's string form. */
export const SegmentId = z.string().min(1).max(256);
const IdList = z
  .array(SegmentId)
  .max(MAX_SEGMENT_IDS)
  // Stored unique and sorted, so the same audience is always the same segment (no spurious changes).
  .transform((ids) => [...new Set(ids)].sort());

export const SegmentRule = z.strictObject({
  when: z
    .array(Condition)
    .max(50)
    .superRefine((conditions, ctx) => {
      conditions.forEach((c, i) => {
        // Segments do not nest: there is nothing to cycle through, and one lookup per condition.
        if (isSegmentOp(c.op)) ctx.addIssue({ code: "custom", path: [i, "op"], message: "a segment's rules cannot refer to segments" });
      });
    }),
});
export type SegmentRule = z.infer<typeof SegmentRule>;

/** Strict: a misspelt field ("includes") is refused, never silently dropped from an audience. */
export const Segment = z.strictObject({
  key: SegmentKey,
  description: multilineText(2000).optional(),
  include: IdList.default([]),
  exclude: IdList.default([]),
  rules: z.array(SegmentRule).max(50).default([]),
  /** The context attribute whose value is looked up in include/exclude. */
  bucketBy: z.string().min(1).max(128).default("targetingKey"),
  version: z.number().int().nonnegative().default(0),
  updatedAt: z.string().optional(),
});
/** A validated segment (ids unique and sorted, defaults applied). */
export type Segment = z.infer<typeof Segment>;
export type SegmentInput = z.input<typeof Segment>;

/** `POST …/segments/{key}/members`: ids to add to and remove from `include`. */
export const SegmentMembersChange = z
  .strictObject({
    add: z.array(SegmentId).max(MAX_SEGMENT_IDS).default([]),
    remove: z.array(SegmentId).max(MAX_SEGMENT_IDS).default([]),
  })
  .refine((c) => c.add.length + c.remove.length > 0, { message: "give ids to add or remove", path: ["add"] });
export type SegmentMembersChange = z.infer<typeof SegmentMembersChange>;

/** A segment as the admin API shows it: with the live flags whose rules use it. */
export const SegmentView = z.object({
  segment: Segment,
  usedBy: z.array(z.string()).describe("keys of the live flags whose rules name this segment; it cannot be deleted while any do"),
});
export type SegmentView = z.infer<typeof SegmentView>;

/** What a segment stores that matters (no version, no time): equal content means no change. */
export function segmentContent(segment: Segment): string {
  const { version: _v, updatedAt: _u, ...content } = segment;
  return JSON.stringify(content);
}

export function segmentBytes(segment: Segment): number {
  return utf8Bytes(JSON.stringify(segment));
}

/**
 * `include` after a members change, and the change that really happened (ids already in, or
 * already out, are not part of it). An id both added and removed is removed.
 */
export function applyMembers(include: readonly string[], change: SegmentMembersChange): { include: string[]; added: string[]; removed: string[] } {
  const members = new Set(include);
  const removing = new Set(change.remove);
  const added = [...new Set(change.add)].filter((id) => !members.has(id) && !removing.has(id)).sort();
  const removed = [...removing].filter((id) => members.has(id)).sort();
  for (const id of added) members.add(id);
  for (const id of removed) members.delete(id);
  return { include: [...members].sort(), added, removed };
}

export interface CompiledSegment extends SegmentMatcher {
  readonly segment: Segment;
}

/** The id a context is looked up by: a non-empty string, or a finite number's string form. */
function idOf(context: EvaluationContext, attribute: string): string | undefined {
  const raw = attributeOf(context, attribute);
  if (typeof raw === "string") return raw.length > 0 ? raw : undefined;
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  return undefined;
}

/** Lists this long get a bit-array pre-filter in front of their Set. */
const PREFILTER_MIN_IDS = 256;

/** FNV-1a over UTF-16 code units: cheap for the short ids contexts carry. */
function fnv1a(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * `has(id)` of a Set of ids, with a Bloom pre-filter (2 probes, at least 32 bits per id: under
 * 0.5 % false positives) for long lists. A 10,000-id Set is hundreds of KiB of scattered entries
 * and strings, so a lookup that misses (most contexts) costs several cache misses (measured: a
 * segment rule doubled a flag's evaluation time); the bit array (64 KiB for 10,000 ids) stays hot,
 * so a miss usually never touches the Set. A pre-filter hit still asks the Set:
 * answers are exact, and membership stays O(1).
 */
export function idLookup(ids: readonly string[]): (id: string) => boolean {
  const set = new Set(ids);
  if (set.size < PREFILTER_MIN_IDS) return (id) => set.has(id);
  let bits = 1024;
  while (bits < set.size * 32) bits *= 2;
  const mask = bits - 1;
  const filter = new Uint32Array(bits >>> 5);
  for (const id of set) {
    const h = fnv1a(id);
    const a = h & mask;
    const b = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
    filter[a >>> 5] = (filter[a >>> 5] as number) | (1 << (a & 31));
    filter[b >>> 5] = (filter[b >>> 5] as number) | (1 << (b & 31));
  }
  return (id) => {
    const h = fnv1a(id);
    const a = h & mask;
    if (((filter[a >>> 5] as number) & (1 << (a & 31))) === 0) return false;
    const b = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
    if (((filter[b >>> 5] as number) & (1 << (b & 31))) === 0) return false;
    return set.has(id);
  };
}

export function compileSegment(segment: Segment): CompiledSegment {
  const inInclude = idLookup(segment.include);
  const inExclude = idLookup(segment.exclude);
  const exclude = new Set(segment.exclude);
  const rules: CompiledCondition[][] = segment.rules.map((r) => r.when.map((c) => compileCondition(c)));
  const { bucketBy } = segment;
  if (rules.length === 0) {
    // Ids only (the usual imported cohort): exclude cannot matter without rules.
    return { segment, contains: (context) => {
      const id = idOf(context, bucketBy);
      return id !== undefined && inInclude(id);
    } };
  }
  return {
    segment,
    contains(context, now) {
      const id = idOf(context, bucketBy);
      if (id !== undefined) {
        if (inInclude(id)) return true;
        if (inExclude(id)) return false;
      }
      for (let r = 0; r < rules.length; r++) {
        const when = rules[r] as CompiledCondition[];
        let all = true;
        for (let c = 0; c < when.length; c++) {
          if (!(when[c] as CompiledCondition)(context, now)) {
            all = false;
            break;
          }
        }
        if (all) return true;
      }
      return false;
    },
  };
}

/** A snapshot's segments by key, compiled once per version. */
export function compileSegments(segments: readonly Segment[]): ReadonlyMap<string, CompiledSegment> {
  return new Map(segments.map((s) => [s.key, compileSegment(s)]));
}

/**
 * A snapshot's lookups for its flags: segments compiled once, other flags through `flag` (which
 * the snapshot backs with its index; resolved at evaluation time, so it may be built afterwards).
 */
export function snapshotDeps<F>(segments: readonly Segment[], flag: (key: string) => F | undefined): { segment(key: string): CompiledSegment | undefined; flag(key: string): F | undefined } {
  const compiled = compileSegments(segments);
  return { segment: (key) => compiled.get(key), flag };
}

/** The segment keys a flag's rules name (inSegment / notInSegment values), each once, sorted. */
export function segmentRefs(rules: readonly { when: readonly Condition[] }[]): string[] {
  const keys = new Set<string>();
  for (const rule of rules) for (const c of rule.when) if (isSegmentOp(c.op)) for (const v of c.values) if (typeof v === "string") keys.add(v);
  return [...keys].sort();
}
