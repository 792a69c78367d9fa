/**
 * Request and response schemas of the admin API: the domain schemas where they exist, plus the
 * few shapes only HTTP has. The OpenAPI document (/admin/v1/openapi.json) is generated from these.
 */
import { z } from "zod";
import { CreatedToken, CreateTokenInput, TokenRecord } from "../../access/token.js";
import { AuditEntry } from "../../audit/entry.js";
import { Flag, FlagKey, FlagSet } from "../../domain/flag.js";
import { CreateSdkKeyInput, SdkKeyRecord } from "../../domain/sdk-key.js";
import { Segment, SegmentMembersChange, SegmentView } from "../../domain/segment.js";
import { EnvironmentName } from "../../domain/snapshot.js";
import { plainText } from "../../domain/text.js";

export { AuditEntry, CreatedToken, CreateTokenInput, Flag, FlagSet, SdkKeyRecord, Segment, SegmentMembersChange, SegmentView, TokenRecord };

export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
    requestId: z.string().optional(),
  }),
});

export const EnvParam = z.object({ env: EnvironmentName });
export const FlagParams = z.object({ env: EnvironmentName, key: FlagKey });
export const IdParams = z.object({ env: EnvironmentName, id: z.string().min(1).max(64) });

/** Audit reasons: one line, no control characters (src/domain/text.ts). */
export const Reason = plainText(1000);
const Bool = z.enum(["true", "false"]).transform((v) => v === "true");

/** `If-Match` carries the flag version the caller last saw: `7`, `"7"` or `W/"7"`. */
export const WriteHeaders = z.object({
  "if-match": z
    .string()
    .regex(/^(W\/)?"?\d{1,15}"?$/, 'If-Match must be a version, e.g. "7"')
    .transform((v) => Number(v.replace(/^W\//, "").replaceAll('"', "")))
    .optional(),
});
export const WriteQuery = z.object({
  expectedVersion: z.coerce.number().int().nonnegative().optional(),
  reason: Reason.optional(),
});

export const FlagListQuery = z.object({
  category: z.string().max(32).optional(),
  tag: z.string().max(64).optional(),
  enabled: Bool.optional(),
});

export const FlagOverride = z.object({ variant: z.string(), source: z.literal("FLAG_OVERRIDES") });

/** A flag as the admin API shows it: the stored flag, plus the configuration override if any. */
export const FlagView = z.object({ flag: Flag, override: FlagOverride.nullable() });

export const FlagWriteResult = z.object({
  flag: Flag,
  created: z.boolean(),
  changed: z.boolean(),
  environmentVersion: z.number().int(),
  published: z.boolean(),
});

export const MergePatch = z.record(z.string(), z.unknown());

export const ToggleBody = z.object({ reason: Reason.optional() });

export const ChangeResult = z.object({ environmentVersion: z.number().int(), published: z.boolean() });

export const ImportQuery = z.object({
  mode: z.enum(["merge", "replace"]).default("merge"),
  dryRun: Bool.default(false),
  reason: Reason.optional(),
});

export const FlagSetDiff = z.object({
  added: z.array(z.string()),
  changed: z.array(z.string()),
  removed: z.array(z.string()),
  unchanged: z.number().int(),
});

export const ImportResult = z.object({
  dryRun: z.boolean(),
  diff: FlagSetDiff,
  environmentVersion: z.number().int().optional(),
  published: z.boolean().optional(),
});

export const PromoteBody = z.object({
  to: EnvironmentName,
  flags: z.array(FlagKey).min(1).max(20000).optional(),
  dryRun: z.boolean().default(false),
  reason: Reason.optional(),
});

export const AuditQuery = z.object({
  flag: FlagKey.optional(),
  segment: FlagKey.optional().describe("a segment's history: its segment.* events"),
  actor: z.string().max(200).optional(),
  action: z.string().max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const AuditPage = z.object({ entries: z.array(AuditEntry), nextCursor: z.number().int().nullable() });

export const AuditVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  lastSeq: z.number().int(),
  expectedLastSeq: z.number().int(),
  pending: z.number().int(),
  headSeq: z.number().int().describe("the Durable Object's anchor: the newest row it wrote to D1 (0 before any)"),
  headHash: z.string().describe("that row's hash; D1's row at headSeq must have it"),
  brokenAt: z.object({ seq: z.number().int(), problem: z.string() }).optional(),
});

export const CreateSdkKeyBody = CreateSdkKeyInput;
export const CreatedSdkKey = SdkKeyRecord.pick({ id: true, name: true, kind: true }).extend({
  key: z.string().describe("the secret, shown once"),
  environmentVersion: z.number().int(),
  published: z.boolean(),
});

export const SegmentWriteResult = SegmentView.extend({
  created: z.boolean(),
  changed: z.boolean().describe("false when the write matched what was stored (no new version, no audit event)"),
  environmentVersion: z.number().int(),
  published: z.boolean(),
});
export const SegmentMembersResult = SegmentWriteResult.extend({
  added: z.array(z.string()).describe("ids that were added to include (ids already in are left out)"),
  removed: z.array(z.string()).describe("ids that were removed from include (ids not in it are left out)"),
});

export const TokenIdParam = z.object({ id: z.string().min(1).max(64) });
