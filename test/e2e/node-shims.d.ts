/**
 * The few Node built-ins the e2e global setup uses, typed just enough for `tsc`.
 *
 * The project type-checks against @cloudflare/workers-types only, and @types/node is not installed.
 * The e2e files run in Node, so they need these. Delete this file if @types/node is ever added.
 * Everything is declared inline (no named interfaces), so it would merge with @types/node as
 * function overloads and not clash.
 */
declare module "node:child_process" {
  export function spawn(
    command: string,
    args: readonly string[],
    options: {
      cwd?: string;
      env?: Record<string, string | undefined>;
      detached?: boolean;
      stdio?: readonly ("ignore" | "pipe" | "inherit")[];
    },
  ): {
    readonly pid?: number;
    readonly exitCode: number | null;
    readonly signalCode: string | null;
    readonly stdout: { setEncoding(encoding: "utf8"): unknown; on(event: "data", listener: (chunk: string) => void): unknown } | null;
    readonly stderr: { setEncoding(encoding: "utf8"): unknown; on(event: "data", listener: (chunk: string) => void): unknown } | null;
    on(event: "exit", listener: (code: number | null, signal: string | null) => void): unknown;
    on(event: "error", listener: (error: Error) => void): unknown;
    unref(): void;
  };
}

declare module "node:net" {
  export function createServer(): {
    listen(port: number, host: string, listener: () => void): unknown;
    address(): { port: number } | string | null;
    close(callback: (error?: Error) => void): unknown;
    once(event: "error", listener: (error: Error) => void): unknown;
  };
}

declare module "node:fs/promises" {
  export function mkdtemp(prefix: string): Promise<string>;
  export function rm(path: string, options: { recursive?: boolean; force?: boolean; maxRetries?: number; retryDelay?: number }): Promise<void>;
}

declare module "node:os" {
  export function tmpdir(): string;
}

declare module "node:path" {
  export function join(...paths: string[]): string;
  export function dirname(path: string): string;
  export const delimiter: string;
}

declare module "node:url" {
  export function fileURLToPath(url: string | URL): string;
}
