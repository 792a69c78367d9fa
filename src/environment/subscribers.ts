/**
 * The Environment Durable Object's subscribers: hibernatable WebSockets from the edge Worker, one
 * per connected event-stream client (docs/push.md). The Durable Object never holds an SSE response:
 * the Worker does, and the sockets here are accepted with `ctx.acceptWebSocket`, so an idle
 * environment with connected clients can be evicted from memory and is not billed for duration.
 *
 * Each socket is tagged with its kind: `evaluation` sockets hear `{type:"change"}`; `admin` sockets
 * hear the audit events each commit appended (`{type:"audit"}`) and then the change.
 */
import { z } from "zod";

export const SubscriberKind = z.enum(["evaluation", "admin"]);
export type SubscriberKind = z.infer<typeof SubscriberKind>;

/** An audit event as pushed to admin subscribers (the audit log row, without its hashes and bodies). */
export interface PushedAuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string };
  readonly reason: string | null;
}

export interface ChangeMessage {
  readonly type: "change";
  readonly version: number;
  /** Unix seconds of the change (when the Durable Object built that version's snapshot). */
  readonly lastModified: number;
}

export interface AuditMessage {
  readonly type: "audit";
  readonly entries: readonly PushedAuditEntry[];
}

export type SubscriberMessage = ChangeMessage | AuditMessage;

export class Subscribers {
  /**
   * The last version announced by this instance. Memory only: after an eviction the first drain
   * announces again, which the Worker ignores when it already sent that version.
   */
  private announced = -1;

  constructor(
    private readonly ctx: DurableObjectState,
    /** The current version, sent to each new socket at once: a change between the Worker's read and the subscription is not missed. */
    private readonly current: () => ChangeMessage,
  ) {}

  /** Answers `GET /subscribe?kind=…` with an Upgrade: websocket header: a hibernatable socket. */
  accept(request: Request): Response {
    const url = new URL(request.url);
    if (url.pathname !== "/subscribe") return new Response("not found", { status: 404 });
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const kind = SubscriberKind.safeParse(url.searchParams.get("kind"));
    if (!kind.success) return new Response('kind must be "evaluation" or "admin"', { status: 400 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [kind.data]);
    server.send(JSON.stringify(this.current()));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** After a drain: audit events to admin sockets, then the version to every socket if it is new. */
  broadcast(change: ChangeMessage, entries: readonly PushedAuditEntry[]): void {
    if (entries.length > 0) this.send("admin", { type: "audit", entries });
    if (change.version <= this.announced) return;
    this.announced = change.version;
    this.send("evaluation", change);
    this.send("admin", change);
  }

  count(kind: SubscriberKind): number {
    return this.ctx.getWebSockets(kind).length;
  }

  private send(kind: SubscriberKind, message: SubscriberMessage): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets(kind)) {
      try {
        ws.send(text);
      } catch {
        // A socket closing under us: its close handler cleans up.
      }
    }
  }
}
