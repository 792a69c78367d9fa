/**
 * `flagctl audit --follow`: the matching recent entries, then each new one as it commits, from the
 * admin event stream, until the signal aborts (Ctrl-C or `--timeout`). Filters apply to followed
 * entries too. After a reconnect the entries committed while disconnected are read from the log
 * (the stream does not replay them), so none is lost and none printed twice (dedupe by seq).
 */
import { followAdminStream } from "./admin-stream.ts";
import type { Api } from "./api.ts";
import { displayWidth, out, printable, time } from "./output.ts";
import type { AuditEntry, AuditPage, StreamedAuditEntry } from "./types.ts";

export interface AuditFilter {
  readonly flag?: string | undefined;
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  /** ISO-8601: only for the recent entries (followed ones are newer anyway). */
  readonly since?: string | undefined;
}

export interface FollowAuditOptions {
  readonly filter: AuditFilter;
  /** How many recent entries to print first (the API's default when undefined). */
  readonly limit: number | undefined;
  readonly json: boolean;
  readonly signal: AbortSignal;
}

const HEADER = ["seq", "at", "actor", "action", "target", "reason"] as const;
/** The gap read after a reconnect pages through at most this many entries. */
const GAP_PAGE = 500;
const GAP_MAX_PAGES = 20;

/** The filters of `GET …/audit`, applied to a streamed entry. */
export function matches(entry: StreamedAuditEntry, filter: AuditFilter): boolean {
  if (filter.flag !== undefined && !((entry.target.type === "flag" || entry.target.type === "rollout") && entry.target.id === filter.flag)) return false;
  if (filter.actor !== undefined && entry.actor !== filter.actor) return false;
  if (filter.action !== undefined && entry.action !== filter.action) return false;
  return true;
}

/** What `--json` prints per entry: the fields the stream and the log both have, one line each. */
function streamed(entry: StreamedAuditEntry | AuditEntry): StreamedAuditEntry {
  return { seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, target: { type: entry.target.type, id: entry.target.id }, reason: entry.reason };
}

/** Table rows printed one at a time: each column as wide as the widest cell so far. */
class RowPrinter {
  private widths: number[] = HEADER.map((h) => displayWidth(h));
  print(cells: readonly string[]): void {
    const escaped = cells.map(printable);
    this.widths = this.widths.map((w, i) => Math.max(w, displayWidth(escaped[i] ?? "")));
    const line = escaped.map((c, i) => (i === escaped.length - 1 ? c : c + " ".repeat((this.widths[i] ?? 0) - displayWidth(c)))).join("  ");
    out.line(line.trimEnd());
  }
}

export async function followAudit(api: Api, env: string, options: FollowAuditOptions): Promise<void> {
  const { filter, json, signal } = options;
  const rows = new RowPrinter();
  let lastSeq = 0;
  const print = (entry: StreamedAuditEntry | AuditEntry): void => {
    if (json) out.ndjson(streamed(entry));
    else rows.print([String(entry.seq), time(entry.at), entry.actor, entry.action, `${entry.target.type}:${entry.target.id}`, entry.reason ?? ""]);
  };
  const query = { flag: filter.flag, actor: filter.actor, action: filter.action, since: filter.since };

  // The recent entries, oldest first, so that new ones follow below them as in `tail -f`.
  const recent = await api.admin<AuditPage>("GET", `/envs/${env}/audit`, { query: { ...query, limit: options.limit } });
  if (!json) rows.print([...HEADER]);
  for (const entry of [...recent.entries].reverse()) print(entry);
  lastSeq = recent.entries[0]?.seq ?? 0;

  /** Entries newer than lastSeq from the log (a reconnect's gap, or a commit just before the stream opened). */
  const fillGap = async (): Promise<void> => {
    const missed: AuditEntry[] = [];
    let cursor: number | undefined;
    for (let page = 0; page < GAP_MAX_PAGES; page++) {
      const { entries, nextCursor } = await api.admin<AuditPage>("GET", `/envs/${env}/audit`, { query: { ...query, limit: GAP_PAGE, cursor } });
      const newer = entries.filter((e) => e.seq > lastSeq);
      missed.push(...newer);
      if (newer.length < entries.length || nextCursor === null) break;
      cursor = nextCursor;
    }
    for (const entry of missed.reverse()) {
      if (entry.seq <= lastSeq) continue;
      lastSeq = entry.seq;
      print(entry);
    }
  };

  let opened = false;
  await followAdminStream(
    api,
    env,
    {
      onOpen: async () => {
        await fillGap();
        // Said once the gap is read: from here on every entry comes from the stream.
        out.err(opened ? "(reconnected)" : `following the audit log of ${env} (Ctrl-C stops)`);
        opened = true;
      },
      onAudit: (entry) => {
        if (entry.seq <= lastSeq) return; // printed already (by the gap read)
        lastSeq = entry.seq;
        if (matches(entry, filter)) print(entry);
      },
      onDrop: (reason, retryInMs) => out.err(`(connection lost: ${reason}; reconnecting in ${(retryInMs / 1000).toFixed(1)} s)`),
    },
    { signal, lastEventId: () => (lastSeq > 0 ? String(lastSeq) : undefined) },
  );
}
