/**
 * Rollout records in the Environment Durable Object's SQLite.
 *
 * Table: rollouts(id, flag, state, body, created_at) — `body` is the Rollout JSON
 * (src/domain/rollout/model.ts); `state` and `flag` are copied out for queries. At most one
 * non-terminal rollout per flag (checked by the DO before inserting).
 */
import { Rollout, TERMINAL_STATES, type RolloutState } from "../domain/rollout/model.js";

const TERMINAL_SQL = TERMINAL_STATES.map((s) => `'${s}'`).join(", ");

export class RolloutStore {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS rollouts (
        id TEXT PRIMARY KEY, flag TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS rollouts_flag ON rollouts (flag, created_at);
    `);
  }

  get(id: string): Rollout | undefined {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM rollouts WHERE id = ?", id).toArray()[0];
    return row ? Rollout.parse(JSON.parse(row.body)) : undefined;
  }

  /** The flag's non-terminal rollout, if any. */
  activeFor(flag: string): Rollout | undefined {
    const row = this.sql
      .exec<{ body: string }>(`SELECT body FROM rollouts WHERE flag = ? AND state NOT IN (${TERMINAL_SQL})`, flag)
      .toArray()[0];
    return row ? Rollout.parse(JSON.parse(row.body)) : undefined;
  }

  active(): Rollout[] {
    return this.sql
      .exec<{ body: string }>(`SELECT body FROM rollouts WHERE state NOT IN (${TERMINAL_SQL}) ORDER BY created_at`)
      .toArray()
      .map((r) => Rollout.parse(JSON.parse(r.body)));
  }

  list(filter: { flag?: string | undefined; state?: RolloutState | undefined }): Rollout[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.flag !== undefined) { where.push("flag = ?"); args.push(filter.flag); }
    if (filter.state !== undefined) { where.push("state = ?"); args.push(filter.state); }
    return this.sql
      .exec<{ body: string }>(`SELECT body FROM rollouts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC LIMIT 200`, ...args)
      .toArray()
      .map((r) => Rollout.parse(JSON.parse(r.body)));
  }

  put(rollout: Rollout): void {
    this.sql.exec(
      `INSERT INTO rollouts (id, flag, state, body, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, body = excluded.body`,
      rollout.id, rollout.flag, rollout.state, JSON.stringify(rollout), rollout.createdAt,
    );
  }
}
