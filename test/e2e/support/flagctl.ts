/**
 * Running flagctl in e2e tests as operators and scripts run it: `node cli/flagctl.ts …` as a child
 * process against the `wrangler dev` of global-setup.ts, configured by FLAGS_URL/FLAGS_TOKEN (the
 * admin token), plus the assertions every CLI test makes on a finished run.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, inject } from "vitest";
import { ADMIN_TOKEN } from "./admin.js";

const CLI = fileURLToPath(new URL("../../../cli/flagctl.ts", import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Live {
  /** Resolves when the process has exited. */
  readonly done: Promise<Run>;
  /** Resolves once stdout matches `pattern` (a watch has drawn a frame). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves once stderr matches `pattern` (e.g. `audit --follow` says it is following). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends a signal (e.g. SIGINT, as Ctrl-C does). */
  kill(signal: NodeJS.Signals): void;
}

export interface FlagctlOptions {
  /** What stdin gets before it ends (EOF); nothing by default. */
  stdin?: string;
  /** Environment overrides; `undefined` unsets a variable (e.g. FLAGS_TOKEN). */
  env?: Record<string, string | undefined>;
}

/** Starts flagctl with FLAGS_URL/FLAGS_TOKEN set (override or unset them through `env`). */
export function start(args: readonly string[], options: FlagctlOptions = {}): Live {
  const env: NodeJS.ProcessEnv = { ...process.env, FLAGS_URL: inject("baseUrl"), FLAGS_TOKEN: ADMIN_TOKEN, NO_COLOR: "1", ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; stream: "stdout" | "stderr"; resolve: () => void }[] = [];
  const wake = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(w.stream === "stdout" ? stdout : stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    wake();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    wake();
  });
  child.stdin.on("error", () => {}); // the CLI may exit before reading its input
  child.stdin.end(options.stdin ?? "");
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  const waitOn = (stream: "stdout" | "stderr", pattern: RegExp, timeoutMs: number): Promise<void> => {
    if (pattern.test(stream === "stdout" ? stdout : stderr)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
      waiters.push({ pattern, stream, resolve: () => (clearTimeout(timer), resolve()) });
      void done.then(() => reject(new Error(`exited without ${pattern} on ${stream}:\n${stdout}\n${stderr}`)));
    });
  };
  return {
    done,
    waitFor: (pattern, timeoutMs = 20_000) => waitOn("stdout", pattern, timeoutMs),
    waitForStderr: (pattern, timeoutMs = 20_000) => waitOn("stderr", pattern, timeoutMs),
    kill: (signal) => void child.kill(signal),
  };
}

/** Runs flagctl to completion. */
export function flagctl(args: readonly string[], options: FlagctlOptions = {}): Promise<Run> {
  return start(args, options).done;
}

/** Expects exit code 0 and returns stdout parsed as JSON. */
export function json<T = Record<string, unknown>>(run: Run): T {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** Expects a failure with this exit code and one `flagctl: …` line on stderr matching `message`. */
export function expectFailure(run: Run, code: 1 | 2, message: RegExp): void {
  expect(run.code, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(code);
  expect(run.stderr).toMatch(message);
}
