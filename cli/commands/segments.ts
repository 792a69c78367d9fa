/** `flagctl segments list|get|put|delete|members`: reusable audiences of one environment. */
import { Command } from "commander";
import { SegmentId } from "../../src/domain/segment.ts";
import { FlagKey, ifVersionHeader, parse, Reason } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { UsageError } from "../lib/errors.ts";
import { readJsonArg } from "../lib/files.ts";
import { out, table } from "../lib/output.ts";
import type { ChangeResult, SegmentList, SegmentMembersResult, SegmentView, SegmentWriteResult } from "../lib/types.ts";

/** Segment keys follow flag keys' rule. */
const SegmentKey = FlagKey;

function reasonOf(opts: { reason?: string }): string | undefined {
  return opts.reason === undefined ? undefined : parse(Reason, opts.reason, "--reason");
}

/** Comma-separated ids, each checked. */
function ids(list: string | undefined, option: string): string[] {
  if (list === undefined) return [];
  return list.split(",").map((s) => s.trim()).filter((s) => s !== "").map((id) => parse(SegmentId, id, option));
}

const published = (r: { published: boolean }) => (r.published ? "published" : "publishing");

export function segmentsCommand(): Command {
  const segments = new Command("segments").description("reusable audiences (include/exclude ids and rules) that flag rules target with inSegment");

  segments
    .command("list")
    .description("list the environment's segments and the flags that use them")
    .requiredOption("--env <env>", "environment")
    .action(async (opts: { env: string }, cmd: Command) => {
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const body = await api.admin<SegmentList>("GET", `/envs/${env}/segments`);
      if (json) return out.json(body);
      if (body.segments.length === 0) return out.line(`no segments in ${env}`);
      const rows = body.segments.map(({ segment: s, usedBy }) => [s.key, String(s.include.length), String(s.exclude.length), String(s.rules.length), String(s.version), usedBy.join(", ")]);
      for (const l of table(["key", "include", "exclude", "rules", "version", "used by"], rows)) out.line(l);
    });

  segments
    .command("get")
    .description("show one segment (add --json for every id)")
    .argument("<key>", "segment key")
    .requiredOption("--env <env>", "environment")
    .action(async (keyArg: string, opts: { env: string }, cmd: Command) => {
      const key = parse(SegmentKey, keyArg, "<key>");
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const view = await api.admin<SegmentView>("GET", `/envs/${env}/segments/${key}`);
      if (json) return out.json(view);
      const { segment: s, usedBy } = view;
      const sample = (list: string[]) => (list.length === 0 ? "none" : `${list.length} (${list.slice(0, 5).join(", ")}${list.length > 5 ? ", …" : ""})`);
      out.line(`${s.key} in ${env} (version ${s.version}, by ${s.bucketBy})`);
      const rows: [string, string][] = [
        ["include", sample(s.include)],
        ["exclude", sample(s.exclude)],
        ["rules", String(s.rules.length)],
        ["used by", usedBy.length === 0 ? "no flags" : usedBy.join(", ")],
      ];
      if (s.description) rows.push(["description", s.description]);
      for (const [name, value] of rows) out.line(`  ${`${name}:`.padEnd(13)}${value}`);
    });

  segments
    .command("put")
    .description("create or replace a segment from JSON ({ include, exclude, rules, bucketBy, description })")
    .argument("<key>", "segment key")
    .requiredOption("--env <env>", "environment")
    .option("-f, --file <path>", "the segment as JSON (- reads stdin)")
    .option("-d, --data <json>", "the segment as inline JSON")
    .option("--reason <text>", "recorded in the audit log")
    .option("--if-version <n>", "only if the segment is still at this version (0: only create)")
    .action(async (keyArg: string, opts: { env: string; file?: string; data?: string; reason?: string; ifVersion?: string }, cmd: Command) => {
      const key = parse(SegmentKey, keyArg, "<key>");
      const env = envOf(opts);
      const reason = reasonOf(opts);
      const doc = await readJsonArg(opts, "the segment");
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new UsageError("the segment must be a JSON object");
      const body = { ...(doc as Record<string, unknown>) };
      if (body.key === undefined) body.key = key;
      else if (body.key !== key) throw new UsageError(`the JSON is for segment "${String(body.key)}", not "${key}"`);
      const { api, json } = context(cmd);
      const r = await api.admin<SegmentWriteResult>("PUT", `/envs/${env}/segments/${key}`, { body, query: { reason }, headers: ifVersionHeader(opts.ifVersion) });
      if (json) return out.json(r);
      const what = r.changed ? `${r.created ? "created" : "updated"} segment ${key} in ${env}` : `segment ${key} in ${env} already was that way (no change)`;
      out.line(`${what}: version ${r.segment.version}, ${r.segment.include.length} included, environment version ${r.environmentVersion} (${published(r)})`);
    });

  segments
    .command("delete")
    .description("delete a segment (refused while flags use it)")
    .argument("<key>", "segment key")
    .requiredOption("--env <env>", "environment")
    .option("--reason <text>", "recorded in the audit log")
    .option("--if-version <n>", "only if the segment is still at this version")
    .action(async (keyArg: string, opts: { env: string; reason?: string; ifVersion?: string }, cmd: Command) => {
      const key = parse(SegmentKey, keyArg, "<key>");
      const env = envOf(opts);
      const headers = ifVersionHeader(opts.ifVersion);
      const { api, json } = context(cmd);
      const r = await api.admin<ChangeResult>("DELETE", `/envs/${env}/segments/${key}`, { query: { reason: reasonOf(opts) }, headers });
      if (json) return out.json({ key, ...r });
      out.line(`deleted segment ${key} in ${env}: environment version ${r.environmentVersion} (${published(r)})`);
    });

  segments
    .command("members")
    .description("add ids to and remove ids from a segment's include list, in one batch")
    .argument("<key>", "segment key")
    .requiredOption("--env <env>", "environment")
    .option("--add <ids>", "comma-separated ids to include")
    .option("--remove <ids>", "comma-separated ids to take out of include")
    .option("--reason <text>", "recorded in the audit log")
    .action(async (keyArg: string, opts: { env: string; add?: string; remove?: string; reason?: string }, cmd: Command) => {
      const key = parse(SegmentKey, keyArg, "<key>");
      const env = envOf(opts);
      const add = ids(opts.add, "--add");
      const remove = ids(opts.remove, "--remove");
      if (add.length + remove.length === 0) throw new UsageError("give ids with --add and/or --remove");
      const { api, json } = context(cmd);
      const r = await api.admin<SegmentMembersResult>("POST", `/envs/${env}/segments/${key}/members`, { body: { add, remove }, query: { reason: reasonOf(opts) } });
      if (json) return out.json(r);
      out.line(`segment ${key} in ${env}: added ${r.added.length}, removed ${r.removed.length}; ${r.segment.include.length} included (version ${r.segment.version}, ${published(r)})`);
    });

  return segments;
}
