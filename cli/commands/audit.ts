/** `flagctl audit`: the environment's audit log (newest first), or `--verify` the hash chain. */
import { Command } from "commander";
import { z } from "zod";
import { FlagKey, parse, TimeBefore } from "../lib/config.ts";
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
    .action(async (opts: AuditOptions, cmd: Command) => {
      const env = envOf(opts);
      const { api, json } = context(cmd);
      if (opts.verify) {
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
      const page = await api.admin<AuditPage>("GET", `/envs/${env}/audit`, { query });
      if (json) return out.json(page);
      if (page.entries.length === 0) return out.line(`no audit entries in ${env} match`);
      const rows = page.entries.map((e) => [String(e.seq), time(e.at), e.actor, e.action, `${e.target.type}:${e.target.id}`, e.reason ?? ""]);
      for (const l of table(["seq", "at", "actor", "action", "target", "reason"], rows)) out.line(l);
      if (page.nextCursor !== null) out.line(`more: --cursor ${page.nextCursor}`);
    });
}
