/**
 * `flagctl audit`: the environment's audit log (newest first), `--follow` it as entries commit
 * (cli/lib/audit-follow.ts), or `--verify` the hash chain.
 */
import { Command } from "commander";
import { z } from "zod";
import { followAudit } from "../lib/audit-follow.ts";
import { DurationSeconds, FlagKey, parse, TimeBefore } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { EXIT, UsageError } from "../lib/errors.ts";
import { out, table, time } from "../lib/output.ts";
import type { AuditPage, AuditVerification } from "../lib/types.ts";

const Limit = z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "at least 1").max(500, "at most 500");
const Cursor = z.coerce.number({ error: "must be a number" }).int("must be a whole number").positive("must be positive");

interface AuditOptions {
  env: string;
  flag?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
  verify?: boolean;
  follow?: boolean;
  timeout?: string;
}

export function auditCommand(): Command {
  return new Command("audit")
    .description("read the audit log of an environment, newest first")
    .requiredOption("--env <env>", "environment")
    .option("--flag <key>", "only entries about this flag (and its rollouts)")
    .option("--actor <actor>", "only entries by this actor (admin:bootstrap, token:<name>#<id>, system:guard …)")
    .option("--action <action>", "only this action (flag.enabled, rollout.rolled_back …)")
    .option("--since <time>", "from this time: ISO-8601, or a duration ago (30m, 2h, 7d)")
    .option("--until <time>", "up to this time: ISO-8601, or a duration ago")
    .option("--limit <n>", "at most this many entries (1-500, default 50)")
    .option("--cursor <seq>", "the next page: the cursor a previous page printed")
    .option("--verify", "check the hash chain instead (exit 1 when broken)")
    .option("-f, --follow", "print the recent entries oldest first, then each new one as it commits, until Ctrl-C (--json: one object per line)")
    .option("--timeout <duration>", "with --follow: stop after this long, exit 0 (10s, 5m, 1h)")
    .action(async (opts: AuditOptions, cmd: Command) => {
      const env = envOf(opts);
      if (opts.timeout !== undefined && !opts.follow) throw new UsageError("--timeout goes with --follow");
      if (opts.follow && (opts.until !== undefined || opts.cursor !== undefined)) throw new UsageError("--follow prints the newest entries and what comes next; it takes no --until or --cursor");
      const timeout = opts.timeout === undefined ? undefined : parse(DurationSeconds, opts.timeout, "--timeout");
      const { api, json } = context(cmd);
      if (opts.verify) {
        if (opts.follow) throw new UsageError("--verify checks the chain once; it does not go with --follow");
        if (opts.flag ?? opts.actor ?? opts.action ?? opts.since ?? opts.until ?? opts.limit ?? opts.cursor) {
          throw new UsageError("--verify checks the whole chain; it takes no filters");
        }
        const v = await api.admin<AuditVerification>("GET", `/envs/${env}/audit/verify`);
        if (json) out.json(v);
        if (!v.ok) {
          const where = v.brokenAt ? `at seq ${v.brokenAt.seq}: ${v.brokenAt.problem}` : `: last seq ${v.lastSeq}, expected ${v.expectedLastSeq}`;
          out.err(`✗ the audit chain of ${env} is broken ${where}`);
          process.exitCode = EXIT.FAILED;
        } else if (!json) {
          out.line(`✓ the audit chain of ${env} is intact: ${v.checked} entries checked, last seq ${v.lastSeq}${v.pending > 0 ? ` (${v.pending} still to flush to D1)` : ""}`);
        }
        return;
      }
      const query = {
        flag: opts.flag === undefined ? undefined : parse(FlagKey, opts.flag, "--flag"),
        actor: opts.actor,
        action: opts.action,
        since: opts.since === undefined ? undefined : parse(TimeBefore, opts.since, "--since"),
        until: opts.until === undefined ? undefined : parse(TimeBefore, opts.until, "--until"),
        limit: opts.limit === undefined ? undefined : parse(Limit, opts.limit, "--limit"),
        cursor: opts.cursor === undefined ? undefined : parse(Cursor, opts.cursor, "--cursor"),
      };
      if (opts.follow) {
        const { since, limit } = query;
        await follow(timeout, (signal) => followAudit(api, env, { filter: { flag: query.flag, actor: query.actor, action: query.action, since }, limit, json, signal }));
        return;
      }
      const page = await api.admin<AuditPage>("GET", `/envs/${env}/audit`, { query });
      if (json) return out.json(page);
      if (page.entries.length === 0) return out.line(`no audit entries in ${env} match`);
      const rows = page.entries.map((e) => [String(e.seq), time(e.at), e.actor, e.action, `${e.target.type}:${e.target.id}`, e.reason ?? ""]);
      for (const l of table(["seq", "at", "actor", "action", "target", "reason"], rows)) out.line(l);
      if (page.nextCursor !== null) out.line(`more: --cursor ${page.nextCursor}`);
    });
}

/** Runs `task` until Ctrl-C or the timeout aborts its signal; both end the command with exit 0. */
async function follow(timeoutSeconds: number | undefined, task: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once("SIGINT", onInterrupt);
  const timer = timeoutSeconds === undefined ? undefined : setTimeout(() => stop.abort(), timeoutSeconds * 1000);
  try {
    await task(stop.signal);
  } finally {
    clearTimeout(timer);
    process.removeListener("SIGINT", onInterrupt);
  }
}
