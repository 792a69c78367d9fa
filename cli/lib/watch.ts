/**
 * Following a rollout until it settles: COMPLETED → 0, ROLLED_BACK/CANCELLED → 1, PAUSED or the
 * timeout → 2. The status is re-read whenever the environment's admin event stream reports a change
 * or an audit event, plus a slow fallback poll so that a broken stream never freezes the view. On a
 * terminal the status is redrawn in place at every read; otherwise (pipes, CI logs) it is printed
 * again whenever it changes.
 */
import { followAdminStream } from "./admin-stream.ts";
import type { Api } from "./api.ts";
import { ApiError, CliError, EXIT } from "./errors.ts";
import { out } from "./output.ts";
import { renderStatus } from "./rollout-view.ts";
import type { RolloutStatus } from "./types.ts";
import { Wakeup } from "./wakeup.ts";

export interface WatchOptions {
  /**
   * `--interval`: re-read at least this often. Undefined: every STREAMING_POLL_SECONDS while the
   * event stream is connected, every POLL_SECONDS while it is not (an older server, a refusal).
   */
  readonly intervalSeconds: number | undefined;
  /** Give up after this long (exit 2); undefined waits forever. */
  readonly timeoutSeconds: number | undefined;
  /** Print nothing while watching (`--json` prints the final status only). */
  readonly quiet: boolean;
}

export interface WatchResult {
  readonly status: RolloutStatus;
  readonly exitCode: number;
  readonly summary: string;
}

export const POLL_SECONDS = 5;
export const STREAMING_POLL_SECONDS = 30;
const MAX_CONSECUTIVE_FAILURES = 5;

export function settled(status: RolloutStatus): WatchResult | null {
  switch (status.state) {
    case "COMPLETED":
      return { status, exitCode: EXIT.OK, summary: `completed: ${status.flag} serves ${status.variant} in ${status.env}` };
    case "ROLLED_BACK":
      return { status, exitCode: EXIT.FAILED, summary: `rolled back: ${status.outcome?.reason ?? "no reason recorded"}` };
    case "CANCELLED":
      return { status, exitCode: EXIT.FAILED, summary: `cancelled: ${status.outcome?.reason ?? "no reason recorded"}` };
    case "PAUSED": {
      const reasons = status.pauseReasons.map((p) => `${p.reason}${p.message ? ` (${p.message})` : ""}`).join(", ");
      return { status, exitCode: EXIT.USAGE, summary: `paused: ${reasons || "no reason recorded"}` };
    }
    default:
      return null;
  }
}

export async function watchRollout(api: Api, env: string, id: string, options: WatchOptions): Promise<WatchResult> {
  const stop = new AbortController();
  const wakeup = new Wakeup();
  let streaming = false;
  const stream = followAdminStream(
    api,
    env,
    {
      // A (re)connection may follow missed changes: read again.
      onOpen: () => {
        streaming = true;
        wakeup.notify();
      },
      onAudit: () => wakeup.notify(),
      onChange: () => wakeup.notify(),
      onDrop: () => {
        streaming = false;
      },
    },
    { signal: stop.signal },
  ).catch(() => {
    // Refused (or unsupported by the server): the poll carries on alone.
    streaming = false;
  });
  const pollSeconds = () => options.intervalSeconds ?? (streaming ? STREAMING_POLL_SECONDS : POLL_SECONDS);
  try {
    return await watchLoop(api, env, id, options, (ms) => wakeup.wait(Math.min(pollSeconds() * 1000, ms)), () => {
      const poll = `at least every ${pollSeconds()} s`;
      return streaming ? `on every change, ${poll}` : `every ${pollSeconds()} s`;
    });
  } finally {
    stop.abort();
    await stream;
  }
}

async function watchLoop(
  api: Api,
  env: string,
  id: string,
  options: WatchOptions,
  /** Waits for the next read: a change on the stream, the poll interval, or `remainingMs`. */
  next: (remainingMs: number) => Promise<void>,
  cadence: () => string,
): Promise<WatchResult> {
  const deadline = options.timeoutSeconds === undefined ? Infinity : Date.now() + options.timeoutSeconds * 1000;
  const tty = process.stdout.isTTY === true && !options.quiet;
  let drawn = 0; // lines of the last frame on the terminal
  let lastFrame = "";
  let failures = 0;
  let status: RolloutStatus | undefined;
  for (;;) {
    try {
      status = await api.admin<RolloutStatus>("GET", `/envs/${env}/rollouts/${id}`);
      failures = 0;
    } catch (error) {
      // A refusal (4xx) will not heal by itself; a network blip or a 5xx might.
      if (error instanceof ApiError && error.status < 500) throw error;
      if (++failures >= MAX_CONSECUTIVE_FAILURES || !(error instanceof CliError)) throw error;
      if (!options.quiet) out.err(`(retrying: ${error.message})`);
    }
    if (status !== undefined && !options.quiet) {
      const lines = renderStatus(status);
      const frame = lines.join("\n");
      if (tty) {
        // Redrawn in place on every read, with the time of the check so it visibly stays alive.
        const footer = `(checked ${new Date().toTimeString().slice(0, 8)}, ${cadence()}; Ctrl-C stops watching, not the rollout)`;
        if (drawn > 0) process.stdout.write(`\x1b[${drawn}F\x1b[J`);
        out.lines([...lines, footer]);
        drawn = lines.length + 1;
      } else if (frame !== lastFrame) {
        // Logs and pipes get each change once.
        out.lines([...lines, ""]);
        lastFrame = frame;
      }
    }
    const done = status === undefined ? null : settled(status);
    if (done) return done;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      if (status === undefined) throw new CliError("gave up: the rollout could not be read");
      const where = status.state === "SCHEDULED" ? `SCHEDULED, starts at ${status.startAt}` : `${status.state} at ${status.percentage} %, stage ${status.stage}`;
      return { status, exitCode: EXIT.USAGE, summary: `timed out after ${options.timeoutSeconds} s: still ${where}` };
    }
    await next(remaining);
  }
}
