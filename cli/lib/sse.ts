/**
 * A Server-Sent Events parser for streaming `fetch` bodies (the admin event stream is behind an
 * `Authorization` header, which EventSource cannot send). Follows the WHATWG event-stream rules:
 * `id:`, `event:`, `data:` (several lines joined by "\n"), `retry:`, `:` comments, CRLF/CR/LF line
 * ends, one optional space after the colon, a leading BOM. Pure: feed it text chunks, split anywhere.
 */

export interface SseEvent {
  /** "message" when the frame named none. */
  readonly event: string;
  readonly data: string;
  /** The last event id seen so far (ids persist across frames, as in EventSource). */
  readonly lastEventId: string;
}

export class SseParser {
  /** The reconnection delay the server asked for (`retry:`), in ms; undefined until it does. */
  retryMs: number | undefined;
  lastEventId = "";
  private buffer = "";
  private started = false;
  private eventType = "";
  private data: string[] = [];
  private pendingCr = false;

  /** Parses one chunk; returns the events completed by it, in order. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR that ended the previous chunk may be the first half of a CRLF.
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/[\r\n]/);
      if (end === -1) break;
      const line = this.buffer.slice(0, end);
      let next = end + 1;
      if (this.buffer[end] === "\r") {
        if (end + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer[end + 1] === "\n") next = end + 2;
      }
      this.buffer = this.buffer.slice(next);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined; // a comment (keep-alive)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const data = this.data;
    const event = this.eventType;
    this.data = [];
    this.eventType = "";
    // A frame without data (e.g. only `retry:` or `id:`) dispatches nothing.
    if (data.length === 0) return undefined;
    return { event: event === "" ? "message" : event, data: data.join("\n"), lastEventId: this.lastEventId };
  }
}

/** The events of a streaming body, as they arrive; ends when the body does. */
export async function* readSse(body: ReadableStream<Uint8Array>, parser: SseParser = new SseParser()): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
  } finally {
    // Also when the consumer stops early: the connection is not left open.
    await reader.cancel().catch(() => {});
  }
}
