/**
 * The admin API's answers as the dashboard reads them (docs/admin-api.md). Only the fields the UI
 * uses; the server may send more.
 */

export type Role = "viewer" | "operator" | "admin";

export interface Principal {
  actor: string;
  role: Role;
  environments: string[];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface EnvironmentStatus {
  env: string;
  version: number;
  flagCount: number;
  publishedVersion: number;
  snapshotVersion: number | null;
  lastPublishError: string | null;
  audit: { lastSeq: number; pending: number; lastFlushError: string | null };
}

export interface StatusReport {
  principal: Principal;
  status: "ok" | "unhealthy";
  checks: Check[];
  environments: EnvironmentStatus[];
}

export type Serve =
  | { variant: string }
  | { split: Record<string, number> }
  | { rollout: { variant: string; baseline: string; percentage: number } };

export interface Flag {
  key: string;
  type: "boolean" | "string" | "number" | "object";
  variants: Record<string, unknown>;
  offVariant: string;
  enabled: boolean;
  rules: { id?: string; serve: Serve }[];
  fallthrough: Serve;
  category?: string;
  description?: string;
  tags?: string[];
  owner?: string;
  version?: number;
  updatedAt?: string;
}

export interface FlagView {
  flag: Flag;
  /** A FLAG_OVERRIDES entry pinning this flag's value in this environment, when there is one. */
  override: unknown;
}

export interface GuardVerdict {
  minute: string;
  verdict: "BREACH" | "OK" | "NODATA" | "UNKNOWN";
  n: number;
  x: number | null;
  lowerBound: number | null;
}

export interface Guard {
  name: string;
  status: "OK" | "PENDING" | "FIRE";
  streak: number;
  verdicts: GuardVerdict[];
}

export interface Rollout {
  id: string;
  env: string;
  flag: string;
  variant: string;
  baseline: string;
  state: string;
  phase: string | null;
  stage: string;
  percentage: number;
  nextPercentage: number | null;
  timeLeftInStageSeconds: number | null;
  pauseReasons: { at: string; code?: string; message?: string }[];
  guards: Guard[];
  startedAt: string | null;
  createdBy: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  lastSeq: number;
  pending: number;
  brokenAt?: { seq: number; problem: string };
}
