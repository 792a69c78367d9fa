/** `flagctl flags list|get|set|enable|disable|archive|import|export|history|restore`. */
import { writeFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { Category } from "../../src/domain/flag.ts";
import { FlagKey, ifVersionHeader, parse, Reason } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { UsageError } from "../lib/errors.ts";
import { readJsonArg } from "../lib/files.ts";
import { addHistoryCommands } from "./flag-history.ts";
import { out, serveSummary, table, variantsSummary } from "../lib/output.ts";
import type { ChangeResult, FlagList, FlagSetInput, FlagView, FlagWriteResult, ImportResult } from "../lib/types.ts";

/** How a write went, with the KV propagation caveat when the snapshot is not published yet. */
function writeSummary(verb: string, key: string, env: string, r: FlagWriteResult): string {
  const what = r.changed ? `${verb} ${key} in ${env}` : `${key} in ${env} already was that way (no change)`;
  const published = r.published ? "published" : "publishing";
  return `${what}: flag version ${r.flag.version}, environment version ${r.environmentVersion} (${published}; edges follow within ~60 s)`;
}

/** The validated target of a flag write: key, environment, audit reason and If-Match header. */
function flagWrite(keyArg: string, opts: { env: string; reason?: string; ifVersion?: string }) {
  return {
    key: parse(FlagKey, keyArg, "<key>"),
    env: envOf(opts),
    reason: opts.reason === undefined ? undefined : parse(Reason, opts.reason, "--reason"),
    headers: ifVersionHeader(opts.ifVersion),
  };
}

export function flagsCommand(): Command {
  const flags = new Command("flags").description("read and change flags");

  flags
    .command("list")
    .description("list the flags of an environment")
    .requiredOption("--env <env>", "environment")
    .option("--category <category>", "only this category (e.g. safety)")
    .option("--tag <tag>", "only flags with this tag")
    .addOption(new Option("--enabled <bool>", "only enabled (true) or disabled (false) flags").choices(["true", "false"]))
    .action(async (opts: { env: string; category?: string; tag?: string; enabled?: string }, cmd: Command) => {
      const env = envOf(opts);
      const category = opts.category === undefined ? undefined : parse(Category, opts.category, "--category");
      const { api, json } = context(cmd);
      const body = await api.admin<FlagList>("GET", `/envs/${env}/flags`, { query: { category, tag: opts.tag, enabled: opts.enabled } });
      if (json) return out.json(body);
      if (body.flags.length === 0) return out.line(`no flags in ${env} match`);
      const rows = body.flags.map(({ flag, override }) => [
        flag.key,
        flag.enabled ? "on" : "off",
        flag.enabled ? serveSummary(flag.fallthrough) : `${flag.offVariant} (disabled)`,
        String(flag.rules.length),
        flag.category,
        String(flag.version),
        override === null ? "" : `override → ${override.variant}`,
      ]);
      for (const l of table(["key", "enabled", "serves", "rules", "category", "version", ""], rows)) out.line(l);
    });

  flags
    .command("get")
    .description("show one flag")
    .argument("<key>", "flag key")
    .requiredOption("--env <env>", "environment")
    .action(async (keyArg: string, opts: { env: string }, cmd: Command) => {
      const key = parse(FlagKey, keyArg, "<key>");
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const { flag, override } = await api.admin<FlagView>("GET", `/envs/${env}/flags/${key}`);
      if (json) return out.json({ flag, override });
      out.line(`${flag.key} in ${env} (${flag.type}, ${flag.category}, version ${flag.version})`);
      const rows: [string, string][] = [
        ["enabled", flag.enabled ? "yes" : `no — serves ${flag.offVariant} to everyone`],
        ["variants", `${variantsSummary(flag)} (off variant: ${flag.offVariant})`],
        ["rules", flag.rules.length === 0 ? "none" : flag.rules.map((r) => `${r.id} → ${serveSummary(r.serve)}`).join("; ")],
        ["fallthrough", serveSummary(flag.fallthrough)],
        ["client-side", flag.clientSide ? "yes" : "no"],
        ["override", override === null ? "none" : `${override.variant} (${override.source})`],
      ];
      if (flag.description) rows.push(["description", flag.description]);
      if (flag.owner) rows.push(["owner", flag.owner]);
      if (flag.tags.length > 0) rows.push(["tags", flag.tags.join(", ")]);
      if (flag.updatedAt) rows.push(["updated", flag.updatedAt]);
      for (const [name, value] of rows) out.line(`  ${`${name}:`.padEnd(13)}${value}`);
    });

  flags
    .command("set")
    .description("create or replace a flag from JSON (the whole flag), or change fields with --patch (JSON Merge Patch)")
    .argument("<key>", "flag key")
    .requiredOption("--env <env>", "environment")
    .option("-f, --file <path>", "the flag as JSON (- reads stdin)")
    .option("-d, --data <json>", "the flag as inline JSON")
    .option("--patch", "send the JSON as a merge patch: only the given fields change, null removes one")
    .option("--if-version <n>", "only if the flag is still at this version (0: only create)")
    .option("--reason <text>", "recorded in the audit log")
    .action(async (keyArg: string, opts: { env: string; file?: string; data?: string; patch?: boolean; ifVersion?: string; reason?: string }, cmd: Command) => {
      const { key, env, reason, headers } = flagWrite(keyArg, opts);
      const doc = await readJsonArg(opts, "the flag");
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new UsageError("the flag must be a JSON object");
      const body = { ...(doc as Record<string, unknown>) };
      if (!opts.patch) {
        if (body.key === undefined) body.key = key;
        else if (body.key !== key) throw new UsageError(`the JSON is for flag "${String(body.key)}", not "${key}"`);
      }
      const { api, json } = context(cmd);
      const result = await api.admin<FlagWriteResult>(opts.patch ? "PATCH" : "PUT", `/envs/${env}/flags/${key}`, { body, headers, query: { reason } });
      if (json) return out.json(result);
      out.line(writeSummary(result.created ? "created" : "updated", key, env, result));
    });

  for (const action of ["enable", "disable"] as const) {
    flags
      .command(action)
      .description(action === "enable" ? "enable a flag (turns a kill switch ON)" : "disable a flag: everyone gets its off variant")
      .argument("<key>", "flag key")
      .requiredOption("--env <env>", "environment")
      .option("--reason <text>", "recorded in the audit log")
      .option("--if-version <n>", "only if the flag is still at this version")
      .action(async (keyArg: string, opts: { env: string; reason?: string; ifVersion?: string }, cmd: Command) => {
        const { key, env, reason, headers } = flagWrite(keyArg, opts);
        const { api, json } = context(cmd);
        const result = await api.admin<FlagWriteResult>("POST", `/envs/${env}/flags/${key}/${action}`, { body: reason === undefined ? {} : { reason }, headers });
        if (json) return out.json(result);
        out.line(writeSummary(action === "enable" ? "enabled" : "disabled", key, env, result));
      });
  }

  flags
    .command("archive")
    .description("archive a flag: it leaves the snapshot (clients get FLAG_NOT_FOUND), its history and version stay")
    .argument("<key>", "flag key")
    .requiredOption("--env <env>", "environment")
    .option("--reason <text>", "recorded in the audit log")
    .option("--if-version <n>", "only if the flag is still at this version")
    .action(async (keyArg: string, opts: { env: string; reason?: string; ifVersion?: string }, cmd: Command) => {
      const { key, env, reason, headers } = flagWrite(keyArg, opts);
      const { api, json } = context(cmd);
      const result = await api.admin<ChangeResult>("DELETE", `/envs/${env}/flags/${key}`, { headers, query: { reason } });
      if (json) return out.json({ key, ...result });
      out.line(`archived ${key} in ${env}: environment version ${result.environmentVersion} (${result.published ? "published" : "publishing"}; edges drop it within ~60 s)`);
    });

  flags
    .command("export")
    .description("print the environment's flags as a flag set (JSON, flags as code)")
    .requiredOption("--env <env>", "environment")
    .option("-o, --output <path>", "write to a file instead of stdout")
    .action(async (opts: { env: string; output?: string }, cmd: Command) => {
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const set = await api.admin<FlagSetInput>("GET", `/envs/${env}/export`);
      if (opts.output === undefined) return out.json(set);
      try {
        await writeFile(opts.output, `${JSON.stringify(set, null, 2)}\n`);
      } catch (error) {
        throw new UsageError(`cannot write ${opts.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      if (json) return out.json({ env, file: opts.output, flags: set.flags.length });
      out.line(`exported ${set.flags.length} flags of ${env} to ${opts.output}`);
    });

  flags
    .command("import")
    .description("import a flag set ({ flags: [...] }): merge adds and replaces, replace also archives flags not in the set")
    .requiredOption("--env <env>", "environment")
    .requiredOption("-f, --file <path>", "the flag set as JSON (- reads stdin)")
    .addOption(new Option("--mode <mode>", "merge or replace").choices(["merge", "replace"]).default("merge"))
    .option("--dry-run", "show what would change, change nothing")
    .option("--reason <text>", "recorded in the audit log")
    .action(async (opts: { env: string; file: string; mode: string; dryRun?: boolean; reason?: string }, cmd: Command) => {
      const env = envOf(opts);
      const reason = opts.reason === undefined ? undefined : parse(Reason, opts.reason, "--reason");
      const set = await readJsonArg({ file: opts.file }, "the flag set");
      const { api, json } = context(cmd);
      const result = await api.admin<ImportResult>("POST", `/envs/${env}/import`, {
        body: set,
        query: { mode: opts.mode, dryRun: opts.dryRun === true ? "true" : undefined, reason },
      });
      if (json) return out.json(result);
      const { added, changed, removed, unchanged } = result.diff;
      const list = (keys: string[]) => (keys.length === 0 ? "none" : keys.join(", "));
      out.line(`${result.dryRun ? "dry run — nothing changed; would import" : "imported"} into ${env} (${opts.mode}):`);
      out.line(`  added:     ${list(added)}`);
      out.line(`  changed:   ${list(changed)}`);
      out.line(`  ${(opts.mode === "replace" ? "archived:" : "removed:").padEnd(11)}${list(removed)}`);
      out.line(`  unchanged: ${unchanged}`);
      if (!result.dryRun && result.environmentVersion !== undefined) out.line(`  environment version ${result.environmentVersion} (edges follow within ~60 s)`);
    });

  addHistoryCommands(flags);
  return flags;
}
