/**
 * Reads a streaming SSE Response in tests, never hanging: every wait has a deadline, and `close()`
 * cancels the body (which is how a client going away looks to the Worker).
 */

export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  /** Everything received so far, raw (comments and `retry:` included). */
  raw = "";
  ended = false;

  constructor(readonly response: Response) {
    if (!response.body) throw new Error(`no body (status ${response.status})`);
    this.reader = response.body.getReader();
  }

  /** The next event (comments skipped), or null when none arrives within `timeoutMs` or the stream ends. */
  async next(timeoutMs = 3_000): Promise<SseEvent | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.take();
      if (event) return event;
      if (this.ended) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      // One read at a time: a read that timed out stays pending and is awaited next time.
      this.pending ??= this.reader.read();
      const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), left));
      const result = await Promise.race([this.pending, timeout]);
      if (result === "timeout") return null;
      this.pending = undefined;
      if (result.done) {
        this.ended = true;
        continue;
      }
      const text = this.decoder.decode(result.value, { stream: true });
      this.raw += text;
      this.buffer += text;
    }
  }

  /** Events until `match` returns true (returned), or throws after `timeoutMs`. */
  async until(match: (e: SseEvent) => boolean, timeoutMs = 5_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await this.next(Math.max(deadline - Date.now(), 1));
      if (e && match(e)) return e;
      if (!e) throw new Error(`no matching event within ${timeoutMs} ms (ended: ${this.ended}); got: ${JSON.stringify(this.raw.slice(-500))}`);
    }
  }

  /** True when the stream ends within `timeoutMs` (events before the end are drained). */
  async endsWithin(timeoutMs = 3_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await this.next(deadline - Date.now());
    return this.ended;
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private take(): SseEvent | null {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end < 0) return null;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id: string | undefined;
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") id = value;
        else if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) return { id, event, data: data.join("\n") };
    }
  }
}
