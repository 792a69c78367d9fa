/** Inputs and results of Environment Durable Object commands (results are returned, never thrown, across RPC). */
import type { FlagSetDiff } from "../domain/flag-diff.js";
import type { Flag } from "../domain/flag.js";
import type { SdkKeyKind } from "../domain/snapshot.js";
import type { SdkKeyRecord } from "./storage.js";

export type CommandErrorCode = "VALIDATION_FAILED" | "NOT_FOUND" | "VERSION_CONFLICT";

export interface CommandError {
  readonly code: CommandErrorCode;
  readonly message: string;
  readonly details: readonly { path: string; message: string }[];
}
export type CommandResult<T> = ({ ok: true } & T) | { ok: false; error: CommandError };

/** Who asked for a change, and why: every change is audited with this. */
export interface ChangeMeta {
  readonly actor: string;
  readonly requestId?: string | undefined;
  readonly reason?: string | undefined;
}

/** Optimistic concurrency: the flag version the caller last saw (0 = "must not exist yet"). */
export interface WriteGuard {
  readonly expectedVersion?: number | undefined;
}

export interface EnvironmentStatus {
  readonly env: string;
  readonly version: number;
  readonly publishedVersion: number;
  readonly lastPublishAt: number | null;
  readonly lastPublishError: string | null;
  readonly flagCount: number;
  readonly audit: { readonly lastSeq: number; readonly pending: number; readonly lastFlushError: string | null };
}

/** What a change produced: the environment version, and whether KV already has it. */
export interface ChangeOutcome {
  readonly version: number;
  readonly published: boolean;
}

export interface FlagChange extends ChangeOutcome {
  readonly flag: Flag;
  readonly created: boolean;
  /** False when the write matched what was stored (no new version, no audit event). */
  readonly changed: boolean;
}

export interface ImportOutcome {
  readonly diff: FlagSetDiff;
  readonly dryRun: boolean;
  /** Present when the import was applied. */
  readonly version?: number;
  readonly published?: boolean;
}

export interface CreatedSdkKey extends ChangeOutcome {
  readonly id: string;
  readonly name: string;
  readonly kind: SdkKeyKind;
  /** The secret, shown once. */
  readonly key: string;
}

export type { SdkKeyRecord };

/** An operator command on a rollout; forward commands carry the stage the caller saw. */
export interface RolloutCommand {
  readonly action: "pause" | "resume" | "promote" | "rollback" | "cancel";
  readonly expectedStage?: number | undefined;
}

/** A rollout's plan: each stage with its times if every gate passes on time. */
export interface RolloutPlan {
  readonly steps: { stage: number; percentage: number; phase: string; startsAt: string; endsAt: string }[];
  readonly completesAt: string;
  readonly guards: unknown;
}
