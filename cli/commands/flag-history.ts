/** `flagctl flags history <key>` and `flagctl flags restore <key> <version>`: a flag's versions, rebuilt from the audit log. */
import type { Command } from "commander";
import { z } from "zod";
import { FlagKey, ifVersionHeader, parse, Reason } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { out, serveSummary, table, time } from "../lib/output.ts";
import type { FlagWriteResult, VersionsPage } from "../lib/types.ts";

const Limit = z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "at least 1").max(500, "at most 500");
const Version = z.coerce.number({ error: "must be a number" }).int("must be a whole number").positive("must be positive");

export function addHistoryCommands(flags: Command): void {
  flags
    .command("history")
    .description("list a flag's versions, newest first: when, who, what changed it, and what it served")
    .argument("<key>", "flag key")
    .requiredOption("--env <env>", "environment")
    .option("--limit <n>", "at most this many versions (1-500, default 20)")
    .option("--before <version>", "only versions older than this one (the next page)")
    .action(async (keyArg: string, opts: { env: string; limit?: string; before?: string }, cmd: Command) => {
      const key = parse(FlagKey, keyArg, "<key>");
      const env = envOf(opts);
      const limit = opts.limit === undefined ? 20 : parse(Limit, opts.limit, "--limit");
      const before = opts.before === undefined ? undefined : parse(Version, opts.before, "--before");
      const { api, json } = context(cmd);
      const page = await api.admin<VersionsPage>("GET", `/envs/${env}/flags/${key}/versions`, { query: { limit, before } });
      if (json) return out.json(page);
      const rows = page.versions.map((v) => [
        String(v.version), time(v.at), v.actor, v.action,
        v.flag.enabled ? serveSummary(v.flag.fallthrough) : `${v.flag.offVariant} (disabled)`, v.reason ?? "",
      ]);
      for (const line of table(["version", "at", "actor", "action", "serves", "reason"], rows)) out.line(line);
      if (page.nextCursor !== null) out.err(`more: --before ${page.nextCursor}`);
    });

  flags
    .command("restore")
    .description("write an earlier version's content as the flag's next version (audited as flag.restored)")
    .argument("<key>", "flag key")
    .argument("<version>", "the version to restore (see flags history)")
    .requiredOption("--env <env>", "environment")
    .option("--reason <text>", "recorded in the audit log (default: restored version <n>)")
    .option("--if-version <n>", "only if the flag is still at this version")
    .action(async (keyArg: string, versionArg: string, opts: { env: string; reason?: string; ifVersion?: string }, cmd: Command) => {
      const key = parse(FlagKey, keyArg, "<key>");
      const env = envOf(opts);
      const version = parse(Version, versionArg, "<version>");
      const reason = opts.reason === undefined ? undefined : parse(Reason, opts.reason, "--reason");
      const headers = ifVersionHeader(opts.ifVersion);
      const { api, json } = context(cmd);
      const r = await api.admin<FlagWriteResult>("POST", `/envs/${env}/flags/${key}/restore`, { body: { version, ...(reason === undefined ? {} : { reason }) }, headers });
      if (json) return out.json(r);
      out.line(r.changed
        ? `restored ${key} in ${env} to version ${version}'s content: now version ${r.flag.version}, environment version ${r.environmentVersion} (edges follow within ~60 s)`
        : `${key} in ${env} already has version ${version}'s content (no change)`);
    });
}
