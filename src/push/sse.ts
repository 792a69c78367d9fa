/**
 * A Server-Sent Events response body the Worker holds open: frames written as they come, a
 * keep-alive comment every 25 s (proxies drop idle connections), `retry:` once at the start, and a
 * cleanup hook that runs exactly once — when the client goes away (the body is cancelled) or the
 * server ends the stream.
 */

export const KEEP_ALIVE_MS = 25_000;
/** How soon a disconnected EventSource should come back (the server ends streams on a redeploy or DO restart). */
export const RETRY_MS = 1_000;

export interface SseFrame {
  readonly id?: string | number;
  readonly event?: string;
  readonly data: string;
}

/** One SSE frame. `data` must not contain a newline (every payload here is compact JSON). */
export function sseFrame(frame: SseFrame): string {
  let out = "";
  if (frame.id !== undefined) out += `id: ${frame.id}\n`;
  if (frame.event !== undefined) out += `event: ${frame.event}\n`;
  return `${out}data: ${frame.data}\n\n`;
}

export interface SseStream {
  readonly response: Response;
  write(frame: SseFrame): void;
  /** Ends the stream (idempotent); runs the cleanup. */
  end(): void;
  readonly closed: boolean;
}

export function openSse(onClose: () => void, headers: Record<string, string> = {}): SseStream {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  let ping: ReturnType<typeof setInterval> | undefined;
  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    if (ping !== undefined) clearInterval(ping);
    onClose();
  };
  const raw = (text: string): void => {
    if (closed || !controller) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      cleanup();
    }
  };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    // The client went away.
    cancel: cleanup,
  });
  raw(`retry: ${RETRY_MS}\n\n`);
  ping = setInterval(() => raw(": ping\n\n"), KEEP_ALIVE_MS);
  const response = new Response(body, {
    status: 200,
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no", ...headers },
  });
  return {
    response,
    write: (frame) => raw(sseFrame(frame)),
    end: () => {
      if (closed) return;
      const c = controller;
      cleanup();
      try {
        c?.close();
      } catch {
        // already cancelled
      }
    },
    get closed() {
      return closed;
    },
  };
}
