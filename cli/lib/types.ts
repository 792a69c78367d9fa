/**
 * The admin API's own types, for the CLI: request bodies are the zod *input* types of the schemas
 * that validate them, responses their *output* types. Type-only imports, because some of these
 * modules (the HTTP schemas, the environment's types) pull in the Worker and cannot run under Node;
 * the pure domain modules the commands need as values they import directly (cli/lib/resolve-src.ts).
 */
import type { z } from "zod";
import type { Flag } from "../../src/domain/flag.ts";
import type { RolloutRequest, RolloutState } from "../../src/domain/rollout/model.ts";
import type { RolloutStatus } from "../../src/domain/rollout/status.ts";
import type { RolloutPlan } from "../../src/domain/rollout/strategies.ts";
import type { RolloutCommand } from "../../src/environment/types.ts";
import type { CreatedWebhook, CreateWebhookInput, WebhookDelivery, WebhookRecord } from "../../src/domain/webhook.ts";
import type * as S from "../../src/http/admin/schemas.ts";
import type * as X from "../../src/http/admin/explain-schemas.ts";
import type * as H from "../../src/http/admin/history-schemas.ts";

export type { Flag, RolloutPlan, RolloutState, RolloutStatus };

/** The error envelope of every admin route. */
export type ErrorEnvelope = z.infer<typeof S.ErrorEnvelope>;
export type ErrorDetail = ErrorEnvelope["error"]["details"][number];

export type FlagView = z.infer<typeof S.FlagView>;
export type FlagList = { flags: FlagView[] };
export type FlagWriteResult = z.infer<typeof S.FlagWriteResult>;
export type ChangeResult = z.infer<typeof S.ChangeResult>;
export type FlagSetInput = z.input<typeof S.FlagSet>;
export type FlagInput = z.input<typeof S.Flag>;
export type ImportResult = z.infer<typeof S.ImportResult>;
export type AuditPage = z.infer<typeof S.AuditPage>;
export type ExplainBody = z.input<typeof X.ExplainBody>;
export type ExplainResult = z.infer<typeof X.ExplainResult>;
export type VersionsPage = z.infer<typeof H.VersionsPage>;
export type AuditEntry = z.infer<typeof S.AuditEntry>;
export type AuditVerification = z.infer<typeof S.AuditVerification>;
export type CreateSdkKeyBody = z.input<typeof S.CreateSdkKeyBody>;
export type SdkKeyRecord = z.infer<typeof S.SdkKeyRecord>;
export type CreatedSdkKey = z.infer<typeof S.CreatedSdkKey>;
export type CreateTokenBody = z.input<typeof S.CreateTokenInput>;
export type TokenRecord = z.infer<typeof S.TokenRecord>;
export type CreatedToken = z.infer<typeof S.CreatedToken>;
export type SegmentInput = z.input<typeof S.Segment>;
export type SegmentView = z.infer<typeof S.SegmentView>;
export type SegmentList = { segments: SegmentView[] };
export type SegmentWriteResult = z.infer<typeof S.SegmentWriteResult>;
export type SegmentMembersResult = z.infer<typeof S.SegmentMembersResult>;

export type { CreatedWebhook, WebhookDelivery, WebhookRecord };
export type CreateWebhookBody = z.input<typeof CreateWebhookInput>;

/** `POST /envs/{env}/rollouts`. */
export type RolloutRequestBody = z.input<typeof RolloutRequest>;
export type CreateRolloutResult = { rollout: RolloutStatus | null; plan: RolloutPlan };
export type RolloutList = { rollouts: RolloutStatus[] };
export type RolloutCommandResult = { rollout: RolloutStatus; changed: boolean };
export type RolloutAction = RolloutCommand["action"];

/**
 * `GET /health` (src/http/health.ts; that module is not type-checked here: under Node's types its
 * `setTimeout` differs from the Workers one it is written for).
 */
export type HealthReport = { status: "ok" | "unhealthy"; checks: { name: string; ok: boolean; detail: string; [extra: string]: unknown }[] };

/**
 * An `event: audit` frame of `GET /envs/{env}/events`: the audit row without its hashes and bodies
 * (those are read from `GET /envs/{env}/audit`).
 */
export type StreamedAuditEntry = Pick<AuditEntry, "seq" | "at" | "actor" | "action" | "target" | "reason">;
/** An `event: change` frame: the environment's new configuration version. */
export type StreamedChange = { version: number; lastModified: number };
