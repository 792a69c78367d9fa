/**
 * Following a rollout until it settles: COMPLETED → 0, ROLLED_BACK/CANCELLED → 1, PAUSED or the
 * timeout → 2. On a terminal the status is redrawn in place at every poll; otherwise (pipes, CI
 * logs) it is printed again whenever it changes.
 */
import type { Api } from "./api.ts";
import { ApiError, CliError, EXIT } from "./errors.ts";
import { out } from "./output.ts";
import { renderStatus } from "./rollout-view.ts";
import type { RolloutStatus } from "./types.ts";

export interface WatchOptions {
  readonly intervalSeconds: number;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
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
        // Redrawn in place on every poll, with the time of the check so it visibly stays alive.
        const footer = `(checked ${new Date().toTimeString().slice(0, 8)}, every ${options.intervalSeconds} s; Ctrl-C stops watching, not the rollout)`;
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
    await sleep(Math.min(options.intervalSeconds * 1000, remaining));
  }
}
