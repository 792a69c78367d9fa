/**
 * The Access Durable Object (one instance, "access"): API tokens for the admin API, built like the
 * Environment Durable Object from the same kit — a store, the audit outbox and its flusher, and
 * commands that commit the change and its audit event in one transaction. Creating and revoking
 * tokens is audited through the same outbox → D1 path as environment changes, under the audit
 * environment `_access`. Access changes are not environment changes, so they are stamped with the
 * wall clock, not an environment clock.
 */
import { DurableObject } from "cloudflare:workers";
import { AuditFlusher, type AuditFlushStatus } from "../audit/flusher.js";
import { AuditOutbox } from "../audit/outbox.js";
import { failure, validationError, type ChangeMeta, type CommandResult } from "../command.js";
import { randomToken, sha256Hex } from "../crypto.js";
import type { Env } from "../env.js";
import type { AccessApi } from "./api.js";
import type { Principal } from "./roles.js";
import { ACCESS_AUDIT_ENVIRONMENT, CreateTokenInput, TOKEN_PREFIX, type CreatedToken, type TokenRecord } from "./token.js";
import { TokenStore } from "./token-store.js";

export class AccessDurableObject extends DurableObject<Env> implements AccessApi {
  private readonly tokens: TokenStore;
  private readonly outbox: AuditOutbox;
  private readonly auditFlusher: AuditFlusher;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.tokens = new TokenStore(ctx.storage.sql);
    this.outbox = new AuditOutbox(ctx.storage.sql, ACCESS_AUDIT_ENVIRONMENT);
    this.tokens.migrate();
    this.outbox.migrate();
    this.auditFlusher = new AuditFlusher({
      outbox: this.outbox,
      database: () => env.AUDIT_DB,
      retryAt: async (at) => {
        const current = await ctx.storage.getAlarm();
        if (current === null || current > at) await ctx.storage.setAlarm(at);
      },
    });
  }

  async createToken(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedToken>> {
    const parsed = CreateTokenInput.safeParse(input);
    if (!parsed.success) return validationError("the token is invalid", parsed.error);
    const token = `${TOKEN_PREFIX}${randomToken(40)}`;
    const hash = await sha256Hex(token);
    const record: TokenRecord = {
      id: `tok_${randomToken(16)}`,
      name: parsed.data.name,
      role: parsed.data.role,
      environments: [...parsed.data.environments],
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    this.ctx.storage.transactionSync(() => {
      this.tokens.insert(record, hash);
      this.outbox.append({ ...meta, action: "token.created", targetType: "token", targetId: record.id, after: record }, record.createdAt);
    });
    await this.auditFlusher.flush();
    return { ok: true, ...record, token };
  }

  async listTokens(): Promise<TokenRecord[]> {
    return this.tokens.list();
  }

  async revokeToken(id: string, meta: ChangeMeta): Promise<CommandResult<{ id: string }>> {
    const revoked = this.ctx.storage.transactionSync(() => {
      const record = this.tokens.active(id);
      if (!record) return false;
      const now = new Date().toISOString();
      this.tokens.revoke(id, now);
      this.outbox.append({ ...meta, action: "token.revoked", targetType: "token", targetId: id, before: record }, now);
      return true;
    });
    if (!revoked) return failure("NOT_FOUND", `no active token "${id}"`);
    await this.auditFlusher.flush();
    return { ok: true, id };
  }

  async principalFor(tokenHash: string): Promise<Principal | null> {
    const record = this.tokens.activeByHash(tokenHash);
    // Names are not unique (a rotated token often keeps its name): the id makes the actor one token.
    return record ? { actor: `token:${record.name}#${record.id}`, role: record.role, environments: record.environments } : null;
  }

  async status(): Promise<{ audit: AuditFlushStatus }> {
    return { audit: this.auditFlusher.status() };
  }

  async flushAudit(): Promise<{ pending: number }> {
    const { pending } = await this.auditFlusher.flush();
    return { pending };
  }

  override async alarm(): Promise<void> {
    await this.auditFlusher.flush();
  }
}
