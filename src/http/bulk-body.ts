/**
 * The body of an OFREP bulk evaluation, `{ flags, eventStreams?, metadata }`, as a sequence of text
 * parts: byte for byte `JSON.stringify` of the whole object, but produced `BULK_CHUNK_FLAGS` flags at
 * a time, so a large environment's answer is streamed with bounded memory (src/http/etag.ts,
 * `streamedConditional`) while a small one is joined and sent as before.
 */
import type { CompiledFlag, EvaluationContext } from "../domain/evaluate.js";

/** Flags evaluated and serialized per streamed part. */
export const BULK_CHUNK_FLAGS = 256;
/** From this many flags on, the bulk body is streamed rather than built whole. */
export const STREAM_FROM_FLAGS = 1_000;

export interface BulkBody {
  readonly flags: readonly CompiledFlag[];
  readonly context: EvaluationContext;
  readonly now: number;
  /** Everything after the flags array, already in the body (eventStreams, metadata). */
  readonly rest: Readonly<Record<string, unknown>>;
}

/** The body's parts; iterating twice yields the same parts (evaluation is pure for a fixed `now`). */
export function* bulkParts(body: BulkBody): Generator<string> {
  const { flags, context, now } = body;
  yield '{"flags":[';
  for (let start = 0; start < flags.length; start += BULK_CHUNK_FLAGS) {
    const end = Math.min(flags.length, start + BULK_CHUNK_FLAGS);
    let part = "";
    for (let i = start; i < end; i++) part += (i === 0 ? "" : ",") + JSON.stringify((flags[i] as CompiledFlag).evaluate(context, now));
    yield part;
  }
  let tail = "]";
  for (const [name, value] of Object.entries(body.rest)) if (value !== undefined) tail += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
  yield `${tail}}`;
}
