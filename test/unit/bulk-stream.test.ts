/**
 * The pieces of a streamed bulk answer: the incremental murmur3 equals the one-shot hash for any
 * split of the bytes, the parts' ETag equals `etagOf` of the joined body, and the joined parts are
 * `JSON.stringify` of the whole body.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFlag } from "../../src/domain/evaluate.js";
import { Flag } from "../../src/domain/flag.js";
import { murmur3Bytes } from "../../src/domain/murmur3.js";
import { BULK_CHUNK_FLAGS, bulkParts } from "../../src/http/bulk-body.js";
import { etagOf, etagOfParts } from "../../src/http/etag.js";
import { Murmur3Stream } from "../../src/http/murmur3-stream.js";
import { booleanFlag } from "../support/flags.js";

describe("Murmur3Stream", () => {
  it("gives murmur3Bytes of the whole, however the bytes are split", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 8 }), fc.integer(), (bytes, cuts, seed) => {
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const stream = new Murmur3Stream(seed);
        let from = 0;
        for (const p of [...points, bytes.length]) {
          stream.update(bytes.subarray(from, p));
          from = p;
        }
        expect(stream.digest()).toBe(murmur3Bytes(bytes, seed));
      }),
    );
  });
});

describe("bulkParts", () => {
  const flags = (n: number) =>
    Array.from({ length: n }, (_, i) => compileFlag(Flag.parse(booleanFlag(`f${String(i).padStart(4, "0")}`, { fallthrough: { rollout: { variant: "on", baseline: "off", percentage: 50 } } }))));

  it("joins to JSON.stringify of the whole body, and its ETag is etagOf of that body", () => {
    for (const n of [0, 1, BULK_CHUNK_FLAGS - 1, BULK_CHUNK_FLAGS, BULK_CHUNK_FLAGS * 3 + 7]) {
      const list = flags(n);
      const context = { targetingKey: "u-1" };
      const rest = { eventStreams: n % 2 === 0 ? [{ type: "sse", url: "https://x/ofrep/v1/events?token=t", inactivityDelaySec: 120 }] : undefined, metadata: { environment: "qa", version: 3 } };
      const joined = [...bulkParts({ flags: list, context, now: 0, rest })].join("");
      const whole = JSON.stringify({ flags: list.map((f) => f.evaluate(context, 0)), ...(rest.eventStreams && { eventStreams: rest.eventStreams }), metadata: rest.metadata });
      expect(joined).toBe(whole);
      expect(etagOfParts(bulkParts({ flags: list, context, now: 0, rest }))).toBe(etagOf(whole));
    }
  });

  it("hashes multi-byte text split across parts like the whole", () => {
    expect(etagOfParts(["{\"a\":\"€", "€\",\"b\":\"😀", "\"}"])).toBe(etagOf('{"a":"€€","b":"😀"}'));
  });
});
