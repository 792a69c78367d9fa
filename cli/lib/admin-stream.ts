/**
 * Following an environment's admin event stream (`GET /admin/v1/envs/{env}/events`) for as long as
 * the caller's signal allows: `audit` and `change` frames handed over in order, and on a dropped
 * connection a reconnect with exponential backoff that sends `Last-Event-ID` (the server does not
 * replay audit entries, so callers fill the gap in `onOpen`, which runs on every (re)connection).
 */
import type { Api } from "./api.ts";
import { ApiError } from "./errors.ts";
import { readSse, SseParser } from "./sse.ts";
import type { StreamedAuditEntry, StreamedChange } from "./types.ts";

export interface AdminStreamHandlers {
  /** Each (re)connection, once the server has subscribed us and before any of its frames. */
  onOpen?(): Promise<void> | void;
  onAudit?(entry: StreamedAuditEntry): Promise<void> | void;
  onChange?(change: StreamedChange): Promise<void> | void;
  /** The connection failed or ended; the next attempt is in `retryInMs`. */
  onDrop?(reason: string, retryInMs: number): void;
}

export interface AdminStreamOptions {
  readonly signal: AbortSignal;
  /** The `Last-Event-ID` to send on a reconnect (the last audit seq handled). */
  readonly lastEventId?: () => string | undefined;
}

/** The server pings every 25 s; this long without a byte means the connection is dead. */
const INACTIVITY_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;
const DEFAULT_RETRY_MS = 1_000;

/**
 * Whether an error ends following instead of retrying: the API refused (a bad token, no access to
 * the environment, no such route) — that will not heal by reconnecting. 5xx and 429 may.
 */
export function isFatal(error: unknown): boolean {
  return error instanceof ApiError && error.status < 500 && error.status !== 429 && error.status !== 408;
}

/** Resolves when `signal` aborts; rejects with a fatal error (see isFatal) or a handler's error. */
export async function followAdminStream(api: Api, env: string, handlers: AdminStreamHandlers, options: AdminStreamOptions): Promise<void> {
  const { signal } = options;
  const parser = new SseParser();
  let attempt = 0;
  while (!signal.aborted) {
    const connection = new AbortController();
    const abortConnection = () => connection.abort();
    signal.addEventListener("abort", abortConnection, { once: true });
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(abortConnection, INACTIVITY_MS);
    };
    let reason = "the server ended the stream";
    try {
      const lastEventId = options.lastEventId?.();
      touch();
      const response = await api.openStream(`/envs/${env}/events`, {
        signal: connection.signal,
        headers: lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId },
      });
      attempt = 0;
      await handlers.onOpen?.();
      const body = (response.body as ReadableStream<Uint8Array>).pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            touch();
            controller.enqueue(chunk);
          },
        }),
      );
      for await (const event of readSse(body, parser)) {
        if (event.event === "audit") {
          const entry = parseJson<StreamedAuditEntry>(event.data);
          if (entry !== undefined && typeof entry.seq === "number") await handlers.onAudit?.(entry);
        } else if (event.event === "change") {
          const change = parseJson<StreamedChange>(event.data);
          if (change !== undefined && typeof change.version === "number") await handlers.onChange?.(change);
        }
      }
    } catch (error) {
      if (signal.aborted) break;
      if (isFatal(error)) throw error;
      // Anything else (a reset, a 5xx, the gap read failing) may heal: reconnect.
      reason = connection.signal.aborted ? `no data for ${INACTIVITY_MS / 1000} s` : error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener("abort", abortConnection);
    }
    if (signal.aborted) break;
    const base = Math.max(parser.retryMs ?? DEFAULT_RETRY_MS, 250);
    const delay = Math.min(MAX_BACKOFF_MS, base * 2 ** attempt) * (0.8 + Math.random() * 0.4);
    attempt++;
    handlers.onDrop?.(reason, Math.round(delay));
    await sleep(delay, signal);
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
