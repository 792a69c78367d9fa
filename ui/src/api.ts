/**
 * The dashboard's client of the admin API: same origin, the token in the Authorization header,
 * errors turned into ApiError with the server's message.
 */
import type { AuditEntry, AuditVerify, FlagView, Rollout, StatusReport } from "./types.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The envelope's `details` (path and message per problem), empty when it has none. */
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export class Api {
  constructor(private readonly token: string) {}

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const init: RequestInit = { method, headers: { ...headers, Authorization: `Bearer ${this.token}` } };
    if (body !== undefined) {
      init.headers = { ...init.headers, "Content-Type": "application/json" };
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    const text = await res.text();
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      let details: { path: string; message: string }[] = [];
      try {
        const parsed = JSON.parse(text) as { error?: { message?: string; details?: { path: string; message: string }[] } };
        if (parsed.error?.message) message = parsed.error.message;
        if (Array.isArray(parsed.error?.details)) details = parsed.error.details;
      } catch {
        // a body that is not the error envelope (401/403 have none): keep the status
      }
      throw new ApiError(res.status, message, details);
    }
    return JSON.parse(text) as T;
  }

  status(): Promise<StatusReport> {
    return this.request("GET", "/admin/v1/status");
  }

  async flags(env: string): Promise<FlagView[]> {
    return (await this.request<{ flags: FlagView[] }>("GET", `/admin/v1/envs/${encodeURIComponent(env)}/flags`)).flags;
  }

  setEnabled(env: string, key: string, enabled: boolean, reason: string): Promise<{ flag: FlagView["flag"] }> {
    const action = enabled ? "enable" : "disable";
    return this.request("POST", `/admin/v1/envs/${encodeURIComponent(env)}/flags/${encodeURIComponent(key)}/${action}`, { reason });
  }

  async rollouts(env: string): Promise<Rollout[]> {
    return (await this.request<{ rollouts: Rollout[] }>("GET", `/admin/v1/envs/${encodeURIComponent(env)}/rollouts`)).rollouts;
  }

  rollout(env: string, id: string): Promise<Rollout> {
    return this.request("GET", `/admin/v1/envs/${encodeURIComponent(env)}/rollouts/${encodeURIComponent(id)}`);
  }

  async audit(env: string, filters: { flag?: string; actor?: string; action?: string }): Promise<AuditEntry[]> {
    const query = new URLSearchParams({ limit: "100" });
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    return (await this.request<{ entries: AuditEntry[] }>("GET", `/admin/v1/envs/${encodeURIComponent(env)}/audit?${query}`)).entries;
  }

  verifyAudit(env: string): Promise<AuditVerify> {
    return this.request("GET", `/admin/v1/envs/${encodeURIComponent(env)}/audit/verify`);
  }

  /** The public health report (no token). */
  async health(): Promise<{ status: string; checks?: { name: string; ok: boolean }[] }> {
    const res = await fetch("/health");
    return (await res.json()) as { status: string; checks?: { name: string; ok: boolean }[] };
  }

  /**
   * Opens the environment's admin event stream (SSE over a streaming fetch, since EventSource
   * cannot send the Authorization header) and calls `onEvent` per frame until `signal` aborts.
   * Resolves when the stream ends or fails; the caller reconnects.
   */
  async stream(env: string, signal: AbortSignal, onEvent: (event: string) => void): Promise<void> {
    const res = await fetch(`/admin/v1/envs/${encodeURIComponent(env)}/events`, {
      headers: { Authorization: `Bearer ${this.token}`, Accept: "text/event-stream" },
      signal,
    });
    if (!res.ok || !res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: ?(.*)$/m.exec(frame)?.[1];
        if (name) onEvent(name);
      }
    }
  }
}
