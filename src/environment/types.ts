/** Results of Environment Durable Object commands (returned, never thrown, across RPC). */
import type { SdkKeyKind } from "../domain/snapshot.js";

export interface CommandError {
  readonly code: "VALIDATION_FAILED" | "NOT_FOUND";
  readonly message: string;
  readonly details: readonly { path: string; message: string }[];
}
export type CommandResult<T> = ({ ok: true } & T) | { ok: false; error: CommandError };

export interface EnvironmentStatus {
  readonly env: string;
  readonly version: number;
  readonly publishedVersion: number;
  readonly lastPublishAt: number | null;
  readonly lastPublishError: string | null;
  readonly flagCount: number;
}

export interface CreatedSdkKey {
  readonly id: string;
  readonly name: string;
  readonly kind: SdkKeyKind;
  /** The secret, shown once. */
  readonly key: string;
  readonly version: number;
}
