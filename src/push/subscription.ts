/**
 * The Worker's side of a subscription: one WebSocket to the environment's Durable Object
 * (`/subscribe?kind=…`, accepted there as a hibernatable socket), its messages parsed and handed
 * over in order, one at a time, and a close callback when the socket ends (a DO restart or
 * redeploy: the SSE client reconnects with Last-Event-ID).
 */
import type { Env } from "../env.js";
import type { SubscriberKind, SubscriberMessage } from "../environment/subscribers.js";

export interface Subscription {
  close(): void;
}

export async function subscribe(
  env: Env,
  environment: string,
  kind: SubscriberKind,
  handlers: { onMessage(message: SubscriberMessage): Promise<void> | void; onClose(): void },
): Promise<Subscription | undefined> {
  const answer = await env.ENVIRONMENT.getByName(environment).fetch(`https://do/subscribe?kind=${kind}`, { headers: { Upgrade: "websocket" } });
  const ws = answer.webSocket;
  if (!ws) return undefined;
  ws.accept();
  let chain = Promise.resolve();
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    try {
      ws.close(1000, "done");
    } catch {
      // already closed
    }
  };
  ws.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    const message = JSON.parse(event.data) as SubscriberMessage;
    // Handlers may read snapshots; messages are processed strictly in order.
    chain = chain.then(() => handlers.onMessage(message)).catch(() => handlers.onClose());
  });
  const ended = (): void => {
    open = false;
    void chain.then(() => handlers.onClose());
  };
  ws.addEventListener("close", ended);
  ws.addEventListener("error", ended);
  return { close };
}
