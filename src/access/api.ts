/** The Access Durable Object's RPC surface as callers see it (one instance, named "access"). */
import type { AuditFlushStatus } from "../audit/flusher.js";
import type { ChangeMeta, CommandResult } from "../command.js";
import type { Env } from "../env.js";
import type { Principal } from "./roles.js";
import type { CreatedToken, TokenRecord } from "./token.js";

export interface AccessApi {
  createToken(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedToken>>;
  listTokens(): Promise<TokenRecord[]>;
  revokeToken(id: string, meta: ChangeMeta): Promise<CommandResult<{ id: string }>>;
  /** The principal of an active token with this SHA-256 hash, or null. */
  principalFor(tokenHash: string): Promise<Principal | null>;
  flushAudit(): Promise<{ pending: number }>;
  /** The access audit outbox: its last seq, pending rows and the chain's anchor (headSeq, headHash). */
  status(): Promise<{ audit: AuditFlushStatus }>;
}

export function accessStub(env: Env): AccessApi {
  return env.ACCESS.getByName("access") as unknown as AccessApi;
}
