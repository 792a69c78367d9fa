/**
 * Global setup of the `node` (e2e) project: starts the whole local service, exactly as
 * `npm run dev` does (`node scripts/dev.mjs`: D1 migrations, then `wrangler dev --ip 127.0.0.1`),
 * on a free port and on fresh local state in a temporary directory. It waits until `/health` is
 * 200, meaning every environment's Durable Object has seeded config/flags.json and published its
 * KV snapshot. The tests get the address through `inject("baseUrl")`.
 *
 * Teardown stops the whole process group (dev.mjs → wrangler → workerd, esbuild), with SIGTERM and
 * then SIGKILL, and deletes the state directory.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  interface ProvidedContext {
    /** e.g. `http://127.0.0.1:41234`, no trailing slash (the OFREP providers append `/ofrep/…`). */
    baseUrl: string;
  }
}

/** Cold start (migrations, bundling, workerd, first seeding) is ~10 s here; allow for a slow CI box. */
const READY_TIMEOUT_MS = 90_000;
const KILL_GRACE_MS = 5_000;
const MAX_LOG_CHARS = 30_000;

/** A free TCP port on the loopback interface: bind port 0, read what the OS picked, release it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close((error) => (error ? reject(error) : port > 0 ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True while at least one process of the group is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: "SIGTERM" | "SIGKILL"): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = project.config.root;
  const port = await freePort();
  const stateDir = await mkdtemp(join(tmpdir(), "edgeflags-e2e-"));
  const baseUrl = `http://127.0.0.1:${port}`;

  let log = "";
  const capture = (chunk: string) => {
    log += chunk;
    if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS);
  };

  const child = spawn(process.execPath, ["scripts/dev.mjs", "--port", String(port), "--persist-to", stateDir], {
    cwd: root,
    // Its own process group, so teardown can signal dev.mjs, wrangler and workerd together.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      // wrangler's bin has a `#!/usr/bin/env node` shebang: make it the same Node as ours.
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_LOG_PATH: join(stateDir, "wrangler-logs"),
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    },
  });
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", capture);
  child.stderr?.on("data", capture);
  let exited: string | undefined;
  child.on("exit", (code, signal) => {
    exited = `dev server exited (code ${code}, signal ${signal})`;
  });
  child.on("error", (error) => {
    exited = `dev server failed to start: ${error.message}`;
  });
  const pgid = child.pid;
  if (pgid === undefined) {
    await rm(stateDir, { recursive: true, force: true });
    throw new Error(`could not spawn scripts/dev.mjs in ${root}`);
  }

  // If vitest dies without running teardown, do not leave wrangler/workerd behind.
  const onExit = () => signalGroup(pgid, "SIGKILL");
  process.once("exit", onExit);

  const teardown = async () => {
    process.removeListener("exit", onExit);
    signalGroup(pgid, "SIGTERM");
    const deadline = Date.now() + KILL_GRACE_MS;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
    if (groupAlive(pgid)) {
      signalGroup(pgid, "SIGKILL");
      const hardDeadline = Date.now() + KILL_GRACE_MS;
      while (groupAlive(pgid) && Date.now() < hardDeadline) await sleep(100);
    }
    await rm(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  const started = Date.now();
  let last = "no answer yet";
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(exited);
      if (Date.now() - started > READY_TIMEOUT_MS) {
        throw new Error(`GET ${baseUrl}/health was not 200 within ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
      }
      try {
        // 503 is expected at first, until the Durable Objects have seeded and published the snapshots.
        const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
        const body = await response.text();
        if (response.status === 200) break;
        last = `${response.status} ${body.slice(0, 2_000)}`;
      } catch (error) {
        last = String(error);
      }
      await sleep(250);
    }
  } catch (error) {
    await teardown();
    throw new Error(`${(error as Error).message}\n--- dev server output ---\n${log}`);
  }

  project.provide("baseUrl", baseUrl);
  return teardown;
}
