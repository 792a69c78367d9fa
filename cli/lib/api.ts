/**
 * A small typed client over `fetch` for the admin API (and /health). Non-2xx answers become an
 * ApiError carrying the error envelope; an unreachable service becomes a CliError (exit 1).
 */
import { CliError, ApiError, UsageError } from "./errors.ts";
import type { Connection } from "./config.ts";
import type { ErrorEnvelope } from "./types.ts";

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly headers?: Record<string, string>;
  /** Statuses (besides 2xx) that are answers rather than errors, e.g. 503 from /health. */
  readonly accept?: readonly number[];
  /** False for routes that take no credential (/health). */
  readonly auth?: boolean;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class Api {
  readonly connection: Connection;
  constructor(connection: Connection) {
    this.connection = connection;
  }

  /** An admin route under /admin/v1. */
  admin<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>(method, `/admin/v1${path}`, options).then((r) => r.body);
  }

  /**
   * Opens a streaming admin route (Server-Sent Events) and returns the response once its headers
   * have arrived; the caller reads the body. A refusal is an ApiError as for request().
   */
  async openStream(path: string, options: { readonly headers?: Record<string, string>; readonly signal: AbortSignal }): Promise<Response> {
    if (this.connection.token === undefined) throw new UsageError("no API token: pass --token or set FLAGS_TOKEN");
    const headers = { Accept: "text/event-stream", ...options.headers, Authorization: `Bearer ${this.connection.token}` };
    let response: Response;
    try {
      response = await fetch(new URL(`${this.connection.url}/admin/v1${path}`), { headers, signal: options.signal });
    } catch (error) {
      throw new CliError(`cannot reach ${this.connection.url}: ${describeFetchError(error)}`);
    }
    if (response.ok && response.body !== null) return response;
    const text = await response.text().catch(() => "");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    throw new ApiError(response.status, isEnvelope(body) ? body : null, `GET /admin/v1${path} answered ${response.status} ${response.statusText}`.trim());
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(this.connection.url + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (options.auth !== false) {
      if (this.connection.token === undefined) throw new UsageError("no API token: pass --token or set FLAGS_TOKEN");
      headers.Authorization = `Bearer ${this.connection.token}`;
    }
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new CliError(`cannot reach ${this.connection.url}: ${describeFetchError(error)}`);
    }
    const text = await response.text();
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (response.ok || options.accept?.includes(response.status)) {
      if (body === undefined && text !== "") throw new CliError(`${method} ${path}: the answer is not JSON (${response.status})`);
      return { status: response.status, body: body as T, headers: response.headers };
    }
    throw new ApiError(response.status, isEnvelope(body) ? body : null, `${method} ${path} answered ${response.status} ${response.statusText}`.trim());
  }
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== "object" || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string";
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) return (cause as { code?: string }).code ?? cause.message;
    return error.message;
  }
  return String(error);
}
