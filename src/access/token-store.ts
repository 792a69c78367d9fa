/**
 * API tokens in the Access Durable Object's SQLite.
 *
 * Table: api_tokens(id, name, role, environments, token_hash, created_at, revoked_at) —
 * `environments` is a JSON array (`["*"]` = all), `token_hash` the SHA-256 hex of the secret.
 */
import { Role } from "./roles.js";
import type { TokenRecord } from "./token.js";

type TokenRow = { id: string; name: string; role: string; environments: string; created_at: string; revoked_at: string | null };

const COLUMNS = "id, name, role, environments, created_at, revoked_at";

export class TokenStore {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS api_tokens (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, environments TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
    `);
  }

  insert(record: TokenRecord, tokenHash: string): void {
    this.sql.exec(
      "INSERT INTO api_tokens (id, name, role, environments, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      record.id, record.name, record.role, JSON.stringify(record.environments), tokenHash, record.createdAt,
    );
  }

  list(): TokenRecord[] {
    return this.sql.exec<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, id`).toArray().map(toRecord);
  }

  /** The active token with this id, if any. */
  active(id: string): TokenRecord | undefined {
    const row = this.sql.exec<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ? AND revoked_at IS NULL`, id).toArray()[0];
    return row ? toRecord(row) : undefined;
  }

  /** The active token whose secret hashes to `tokenHash`, if any. */
  activeByHash(tokenHash: string): TokenRecord | undefined {
    const row = this.sql.exec<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, tokenHash).toArray()[0];
    return row ? toRecord(row) : undefined;
  }

  revoke(id: string, at: string): void {
    this.sql.exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", at, id);
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
