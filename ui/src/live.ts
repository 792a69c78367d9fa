/**
 * Keeps a page live: reloads when the environment's admin event stream sends an `audit` or
 * `change` event (debounced), reconnects after a drop, and polls slowly in case the stream is down.
 */
import { useEffect, useRef } from "preact/hooks";
import type { Api } from "./api.js";

const POLL_MS = 30_000;
const DEBOUNCE_MS = 250;
const RECONNECT_MS = 5_000;

export function useLive(api: Api, env: string, reload: () => void): void {
  // The stream outlives renders: it calls the newest `reload` (a page's filters change it), not the first.
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    const reload = () => latest.current();
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(reload, DEBOUNCE_MS);
    };
    let first = true;
    const connect = async () => {
      while (!abort.signal.aborted) {
        try {
          await api.stream(env, abort.signal, (event) => {
            // The first `change` frame is the current version, which the page has just loaded.
            if (event === "change" && first) {
              first = false;
              return;
            }
            if (event === "audit" || event === "change") soon();
          });
        } catch {
          // dropped or aborted: wait, then reconnect (unless the page is gone)
        }
        first = true;
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    };
    void connect();
    const poll = setInterval(reload, POLL_MS);
    return () => {
      abort.abort();
      clearTimeout(timer);
      clearInterval(poll);
    };
  }, [api, env]);
}
