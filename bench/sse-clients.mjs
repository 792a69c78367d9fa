// Part 4 (push) helper: many plain SSE clients in this process, each a streaming `fetch` reader of
// the advertised `eventStreams[0].url` that parses `data:` lines and time-stamps every event.
// A stream that ends is reopened (after the server's `retry`, with Last-Event-ID), a bounded number
// of times, and counted, so a DO restart shows up in the figures instead of hanging the run.

const MAX_RECONNECTS = 20;

/** Parses an SSE byte stream (already text) into events; comments (`: ping`) are counted apart. */
export function sseParser(onEvent, onComment) {
  let buffer = "";
  let data = [];
  let id;
  let event;
  return (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      let line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (data.length > 0) onEvent({ id, event: event ?? "message", data: data.join("\n") });
        data = [];
        event = undefined;
        continue;
      }
      if (line.startsWith(":")) {
        onComment(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "id") id = value;
      else if (field === "event") event = value;
    }
  };
}

/** One SSE client: `events` = [{ at (performance.now()), id, type, etag, lastModified }]. */
class SseClient {
  constructor(index, url, onEvent) {
    this.index = index;
    this.url = url;
    this.onEvent = onEvent;
    this.events = [];
    this.pings = 0;
    this.reconnects = 0;
    this.lastEventId = undefined;
    this.connected = false;
    this.error = undefined;
    this.controller = new AbortController();
    this.closed = false;
  }

  /** Resolves once the first response's headers arrived (or it failed); the stream runs on. */
  start() {
    return new Promise((resolve) => {
      this.loop(resolve);
    });
  }

  async loop(firstResponse) {
    let notify = firstResponse;
    while (!this.closed) {
      try {
        const headers = { Accept: "text/event-stream" };
        if (this.lastEventId !== undefined) headers["Last-Event-ID"] = this.lastEventId;
        const res = await fetch(this.url, { headers, signal: this.controller.signal });
        const type = res.headers.get("content-type") ?? "";
        if (res.status !== 200 || !type.startsWith("text/event-stream")) {
          throw new Error(`HTTP ${res.status} ${type}: ${(await res.text()).slice(0, 200)}`);
        }
        this.connected = true;
        notify?.();
        notify = undefined;
        const parse = sseParser(
          (e) => this.receive(e),
          (comment) => {
            if (comment === "ping") this.pings++;
          },
        );
        for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) parse(chunk);
        this.connected = false;
      } catch (error) {
        this.connected = false;
        if (this.closed) break;
        this.error = String(error.message ?? error);
        notify?.();
        notify = undefined;
      }
      if (this.closed || this.reconnects >= MAX_RECONNECTS) break;
      this.reconnects++;
      await new Promise((r) => setTimeout(r, 1_000)); // the contract's `retry: 1000`
    }
    notify?.();
  }

  receive(e) {
    const at = performance.now();
    if (e.id !== undefined) this.lastEventId = e.id;
    let body = {};
    try {
      body = JSON.parse(e.data);
    } catch {
      // not JSON: kept as an event without etag
    }
    const event = { at, id: e.id, type: body.type, etag: body.etag, lastModified: body.lastModified };
    this.events.push(event);
    this.onEvent?.(this, event);
  }

  close() {
    this.closed = true;
    this.controller.abort();
  }
}

/**
 * Opens `count` clients on `url`, `batch` at a time (a burst of 1,000 connects on 2 cores would
 * mostly measure the accept queue), and resolves when every one answered or `timeoutMs` passed.
 */
export async function openClients({ url, count, batch = 50, timeoutMs = 120_000, onEvent }) {
  const clients = [];
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < count && Date.now() < deadline; i += batch) {
    const group = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const client = new SseClient(j, url, onEvent);
      clients.push(client);
      group.push(client.start());
    }
    await Promise.race([Promise.all(group), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
  }
  return {
    clients,
    connected: () => clients.filter((c) => c.connected).length,
    errors: () => clients.filter((c) => c.error !== undefined).map((c) => c.error),
    close: () => {
      for (const c of clients) c.close();
    },
  };
}
