/**
 * The Access Durable Object (one instance, "access"): API tokens for the admin API. Tokens are
 * shown once and stored as SHA-256 hashes; creating and revoking them is audited through the same
 * outbox → D1 path as environment changes, under the audit environment `_access`.
 *
 * Tables: api_tokens(id, name, role, environments, token_hash, created_at, revoked_at, last_used_at).
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { AuditOutbox } from "../audit/outbox.js";
import { randomToken, sha256Hex } from "../crypto.js";
import type { Env } from "../env.js";
import { Serial } from "../environment/serial.js";
import type { ChangeMeta, CommandResult } from "../environment/types.js";
import { Role, TokenEnvironments, type Principal } from "./roles.js";

/** The audit log's environment for access changes (not a valid environment name, so no clash). */
export const ACCESS_AUDIT_ENVIRONMENT = "_access";
export const TOKEN_PREFIX = "eft_";

export const CreateTokenInput = z.object({
  name: z.string().trim().min(1).max(128),
  role: Role,
  environments: TokenEnvironments,
});
export type CreateTokenInput = z.infer<typeof CreateTokenInput>;

export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly environments: string[];
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface CreatedToken extends TokenRecord {
  /** The secret, shown once. */
  readonly token: string;
}

export interface AccessApi {
  createToken(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedToken>>;
  listTokens(): Promise<TokenRecord[]>;
  revokeToken(id: string, meta: ChangeMeta): Promise<CommandResult<{ id: string }>>;
  /** The principal of an active token with this SHA-256 hash, or null. */
  principalFor(tokenHash: string): Promise<Principal | null>;
  flushAudit(): Promise<{ pending: number }>;
}

export function accessStub(env: Env): AccessApi {
  return env.ACCESS.getByName("access") as unknown as AccessApi;
}

type TokenRow = { id: string; name: string; role: string; environments: string; created_at: string; revoked_at: string | null };

export class AccessDurableObject extends DurableObject<Env> implements AccessApi {
  private readonly outbox: AuditOutbox;
  /** One audit flush at a time: the flush is the only writer of the hash chain. */
  private readonly auditFlushes = new Serial();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.outbox = new AuditOutbox(ctx.storage.sql, ACCESS_AUDIT_ENVIRONMENT);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS api_tokens (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, environments TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
    `);
    this.outbox.migrate();
  }

  async createToken(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedToken>> {
    const parsed = CreateTokenInput.safeParse(input);
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: "VALIDATION_FAILED",
          message: "the token is invalid",
          details: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        },
      };
    }
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
      this.ctx.storage.sql.exec(
        "INSERT INTO api_tokens (id, name, role, environments, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        record.id, record.name, record.role, JSON.stringify(record.environments), hash, record.createdAt,
      );
      this.outbox.append({ ...meta, action: "token.created", targetType: "token", targetId: record.id, after: record }, record.createdAt);
    });
    await this.flushAudit();
    return { ok: true, ...record, token };
  }

  async listTokens(): Promise<TokenRecord[]> {
    return this.ctx.storage.sql
      .exec<TokenRow>("SELECT id, name, role, environments, created_at, revoked_at FROM api_tokens ORDER BY created_at, id")
      .toArray()
      .map(toRecord);
  }

  async revokeToken(id: string, meta: ChangeMeta): Promise<CommandResult<{ id: string }>> {
    const revoked = this.ctx.storage.transactionSync(() => {
      const row = this.ctx.storage.sql
        .exec<TokenRow>("SELECT id, name, role, environments, created_at, revoked_at FROM api_tokens WHERE id = ? AND revoked_at IS NULL", id)
        .toArray()[0];
      if (!row) return false;
      const now = new Date().toISOString();
      this.ctx.storage.sql.exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", now, id);
      this.outbox.append({ ...meta, action: "token.revoked", targetType: "token", targetId: id, before: toRecord(row) }, now);
      return true;
    });
    if (!revoked) return { ok: false, error: { code: "NOT_FOUND", message: `no active token "${id}"`, details: [] } };
    await this.flushAudit();
    return { ok: true, id };
  }

  async principalFor(tokenHash: string): Promise<Principal | null> {
    const row = this.ctx.storage.sql
      .exec<TokenRow>("SELECT id, name, role, environments, created_at, revoked_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL", tokenHash)
      .toArray()[0];
    if (!row) return null;
    const record = toRecord(row);
    return { actor: `token:${record.name}`, role: record.role, environments: record.environments };
  }

  async flushAudit(): Promise<{ pending: number }> {
    await this.auditFlushes.run(async () => {
      try {
        await this.outbox.flush(this.env.AUDIT_DB);
      } catch {
        await this.ctx.storage.setAlarm(Date.now() + 5_000);
      }
    });
    return { pending: this.outbox.pending() };
  }

  override async alarm(): Promise<void> {
    await this.flushAudit();
  }
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: Role.parse(row.role),
    environments: JSON.parse(row.environments) as string[],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
