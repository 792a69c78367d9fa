/**
 * Scheduled changes in the Environment Durable Object's SQLite (docs/architecture.md, "Storage
 * schema").
 *
 * Table: schedules(id, flag, state, at, body, created_at) — `body` is the Schedule JSON
 * (src/domain/schedule.ts); `flag`, `state` and `at` (epoch ms, the environment clock) are copied
 * out for queries. Index (state, at, id): the alarm reads the PENDING ones in apply order.
 */
import { Schedule, type ScheduleState } from "../domain/schedule.js";

/** A list answers at most this many schedules (newest `at` first). */
export const MAX_LISTED_SCHEDULES = 1_000;

export class ScheduleStore {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS schedules (
        id TEXT PRIMARY KEY, flag TEXT NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL,
        created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS schedules_due ON schedules (state, at, id);
    `);
  }

  get(id: string): Schedule | undefined {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM schedules WHERE id = ?", id).toArray()[0];
    return row ? Schedule.parse(JSON.parse(row.body)) : undefined;
  }

  /** Newest `at` first, at most `limit`. */
  list(filter: { state?: ScheduleState | undefined; flag?: string | undefined }, limit = MAX_LISTED_SCHEDULES): Schedule[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.state !== undefined) { where.push("state = ?"); args.push(filter.state); }
    if (filter.flag !== undefined) { where.push("flag = ?"); args.push(filter.flag); }
    args.push(Math.min(limit, MAX_LISTED_SCHEDULES));
    return this.sql
      .exec<{ body: string }>(`SELECT body FROM schedules ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ?`, ...args)
      .toArray()
      .map((r) => Schedule.parse(JSON.parse(r.body)));
  }

  /** The first PENDING schedule due at `now` (epoch ms) in apply order (by `at`, ties by id), if any. */
  firstDue(now: number): Schedule | undefined {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM schedules WHERE state = 'PENDING' AND at <= ? ORDER BY at, id LIMIT 1", now).toArray()[0];
    return row ? Schedule.parse(JSON.parse(row.body)) : undefined;
  }

  /** The earliest `at` of the PENDING schedules (epoch ms), or null. */
  nextAt(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(at) AS at FROM schedules WHERE state = 'PENDING'").one().at;
  }

  pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM schedules WHERE state = 'PENDING'").one().n;
  }

  put(schedule: Schedule): void {
    this.sql.exec(
      `INSERT INTO schedules (id, flag, state, at, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, body = excluded.body`,
      schedule.id, schedule.flag, schedule.state, Date.parse(schedule.at), JSON.stringify(schedule), Date.parse(schedule.createdAt),
    );
  }
}
