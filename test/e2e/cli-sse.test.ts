/**
 * flagctl's Server-Sent Events parser (cli/lib/sse.ts), fed chunks directly (no server): fields,
 * comments, `retry:`, multi-line data, the three line ends, and the property that splitting a
 * stream anywhere yields the same events. Also the Wakeup the watch waits on (cli/lib/wakeup.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SseEvent, SseParser as Parser } from "../../cli/lib/sse.ts";
import type { Wakeup as WakeupClass } from "../../cli/lib/wakeup.ts";

// Imported by URL, as cli-docs.test.ts does: cli/ has its own type check (`.ts` specifiers).
const { SseParser, readSse } = (await import(/* @vite-ignore */ new URL("../../cli/lib/sse.ts", import.meta.url).href)) as {
  SseParser: new () => Parser;
  readSse: (body: ReadableStream<Uint8Array>, parser?: Parser) => AsyncGenerator<SseEvent>;
};
const { Wakeup } = (await import(/* @vite-ignore */ new URL("../../cli/lib/wakeup.ts", import.meta.url).href)) as { Wakeup: new () => WakeupClass };

/** What the admin event stream sends (src/push/sse.ts): retry first, pings, audit and change frames. */
const WIRE =
  "retry: 1000\n\n" +
  'event: change\ndata: {"version":7,"lastModified":1764150000}\n\n' +
  ": ping\n\n" +
  'id: 41\nevent: audit\ndata: {"seq":41,"action":"flag.enabled"}\n\n' +
  'id: 42\nevent: audit\ndata: {"seq":42,"action":"flag.disabled"}\n\n';

const EXPECTED: SseEvent[] = [
  { event: "change", data: '{"version":7,"lastModified":1764150000}', lastEventId: "" },
  { event: "audit", data: '{"seq":41,"action":"flag.enabled"}', lastEventId: "41" },
  { event: "audit", data: '{"seq":42,"action":"flag.disabled"}', lastEventId: "42" },
];

function parseChunks(chunks: readonly string[]): { events: SseEvent[]; parser: Parser } {
  const parser = new SseParser();
  const events = chunks.flatMap((c) => parser.push(c));
  return { events, parser };
}

describe("SseParser", () => {
  it("parses the admin stream's frames, skips comments, and keeps retry and the last id", () => {
    const { events, parser } = parseChunks([WIRE]);
    expect(events).toEqual(EXPECTED);
    expect(parser.retryMs).toBe(1000);
    expect(parser.lastEventId).toBe("42");
  });

  it("joins multi-line data, takes one optional space after the colon, defaults the event to message", () => {
    const { events } = parseChunks(["data:a\ndata:  b\ndata\n\nid\nevent\ndata: c\n\n"]);
    expect(events).toEqual([
      { event: "message", data: "a\n b\n", lastEventId: "" },
      { event: "message", data: "c", lastEventId: "" },
    ]);
  });

  it("dispatches nothing for frames without data, ignores unknown fields, bad retry values and ids with NUL", () => {
    const { events, parser } = parseChunks(["id: 9\n\nretry: soon\nfoo: bar\n\nid: 1\u00002\nevent: x\ndata: y\n\n"]);
    expect(events).toEqual([{ event: "x", data: "y", lastEventId: "9" }]);
    expect(parser.retryMs).toBeUndefined();
  });

  it("accepts CRLF, CR and LF line ends (a CRLF split between chunks too) and a leading BOM", () => {
    const crlf = WIRE.replaceAll("\n", "\r\n");
    const cr = WIRE.replaceAll("\n", "\r");
    expect(parseChunks([`\ufeff${crlf}`]).events).toEqual(EXPECTED);
    expect(parseChunks([cr]).events).toEqual(EXPECTED);
    const at = crlf.indexOf("\r\n") + 1; // between the CR and the LF
    expect(parseChunks([crlf.slice(0, at), crlf.slice(at)]).events).toEqual(EXPECTED);
  });

  it("holds an incomplete frame until it ends", () => {
    const parser = new SseParser();
    expect(parser.push('event: audit\ndata: {"seq"')).toEqual([]);
    expect(parser.push(":1}\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "audit", data: '{"seq":1}', lastEventId: "" }]);
  });

  it("yields the same events however the stream is split (property)", () => {
    const wires = [WIRE, WIRE.replaceAll("\n", "\r\n"), WIRE.replaceAll("\n", "\r")];
    fc.assert(
      fc.property(fc.constantFrom(...wires), fc.array(fc.nat(), { maxLength: 12 }), (wire, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((from, i) => wire.slice(from, [...points, wire.length][i]));
        expect(parseChunks(chunks).events).toEqual(EXPECTED);
      }),
    );
  });

  it("readSse decodes a byte stream split inside a multi-byte character", async () => {
    const bytes = new TextEncoder().encode('event: audit\ndata: {"reason":"größer ✓"}\n\n');
    const split = bytes.indexOf(0xc3) + 1; // inside "ö"
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, split));
        controller.enqueue(bytes.slice(split));
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    for await (const event of readSse(body)) events.push(event);
    expect(events).toEqual([{ event: "audit", data: '{"reason":"größer ✓"}', lastEventId: "" }]);
  });
});

describe("Wakeup", () => {
  it("a notification ends the wait at once, and one sent while nobody waits is kept once", async () => {
    const wakeup = new Wakeup();
    const started = Date.now();
    const waiting = wakeup.wait(10_000);
    wakeup.notify();
    await waiting;
    wakeup.notify();
    wakeup.notify();
    await wakeup.wait(10_000); // the kept one
    expect(Date.now() - started).toBeLessThan(1_000);
    const timed = Date.now();
    await wakeup.wait(150); // nothing kept: the full wait
    expect(Date.now() - timed).toBeGreaterThanOrEqual(140);
  });
});
