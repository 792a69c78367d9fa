/**
 * Exit codes (docs/cli.md): 0 success; 1 the API refused, the service is unreachable or unhealthy,
 * a confirmation was declined, a watched rollout rolled back or was cancelled; 2 bad arguments or
 * configuration, a watched rollout paused, or a wait timed out.
 *
 * Except `plan` and `apply`, which follow Terraform's `plan -detailed-exitcode`: 0 no changes,
 * 2 changes planned, 1 any error — bad arguments and configuration included, so that 2 always
 * means "changes" (see `detailedExitCodes`).
 */
import type { ErrorDetail, ErrorEnvelope } from "./types.ts";

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** A failure that ends the command with a message (stderr) and an exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  /** What `--json` prints on stdout for this failure. */
  readonly json: unknown;
  constructor(message: string, exitCode: number = EXIT.FAILED, json?: unknown) {
    super(message);
    this.exitCode = exitCode;
    this.json = json ?? { error: { code: exitCode === EXIT.USAGE ? "USAGE" : "FAILED", message, details: [] } };
  }
}

/** Bad arguments, options or configuration: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}

/** The API answered with an error envelope (or an unexpected status). */
export class ApiError extends CliError {
  readonly status: number;
  readonly code: string;
  readonly details: readonly ErrorDetail[];
  constructor(status: number, envelope: ErrorEnvelope | null, fallback: string) {
    const code = envelope?.error.code ?? `HTTP_${status}`;
    const message = envelope?.error.message ?? fallback;
    const details = envelope?.error.details ?? [];
    super(formatApiError(status, code, message, details), EXIT.FAILED, envelope ?? { error: { code, message, details: [] } });
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** One readable line: `422 VALIDATION_FAILED: the request is invalid — body.variants.on: not a boolean`. */
export function formatApiError(status: number, code: string, message: string, details: readonly ErrorDetail[]): string {
  const fields = details
    .slice(0, 5)
    .map((d) => (d.path ? `${d.path}: ${d.message}` : d.message))
    .join("; ");
  const more = details.length > 5 ? ` (+${details.length - 5} more)` : "";
  return `${status} ${code}: ${message}${fields ? ` — ${fields}${more}` : ""}`.replace(/\s*\n\s*/g, " ");
}

/** Commands whose 2 means "changes": every usage or configuration error of theirs exits 1. */
const detailed = new WeakSet<object>();

/** Marks a command as using Terraform's detailed exit codes (plan, apply). */
export function detailedExitCodes<C extends object>(command: C): C {
  detailed.add(command);
  return command;
}

export function usesDetailedExitCodes(command: object): boolean {
  return detailed.has(command);
}

/** A usage error of a detailed-exit-code command: reported like any other, exit 1. */
export function asFailure(error: unknown): unknown {
  if (error instanceof CliError && error.exitCode === EXIT.USAGE) {
    const json = error.json as { error?: { message?: string; details?: unknown } } | null;
    return new CliError(error.message, EXIT.FAILED, { error: { code: "USAGE", message: json?.error?.message ?? error.message, details: json?.error?.details ?? [] } });
  }
  return error;
}
