/** Inputs and results of Environment Durable Object commands (results are returned, never thrown, across RPC). */
import type { AuditFlushStatus } from "../audit/flusher.js";
import type { FlagSetDiff } from "../domain/flag-diff.js";
import type { Flag } from "../domain/flag.js";
import type { SdkKeyRecord } from "../domain/sdk-key.js";
import type { SdkKeyKind } from "../domain/snapshot.js";
import type { PublishStatus } from "./snapshot-publisher.js";

/** Optimistic concurrency: the flag version the caller last saw (0 = "must not exist yet"). */
export interface WriteGuard {
  readonly expectedVersion?: number | undefined;
}

export interface EnvironmentStatus extends PublishStatus {
  readonly env: string;
  readonly version: number;
  readonly flagCount: number;
  /** Stored bytes (UTF-8) of the live flags: what the environment budget counts (src/domain/limits.ts). */
  readonly flagBytes: number;
  /** The environment clock, epoch ms. */
  readonly clock: number;
  readonly audit: AuditFlushStatus;
  /** Where rollout guards read metrics, and its last read error (cleared by a good read). */
  readonly metrics: { readonly source: string; readonly lastError: string | null };
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
