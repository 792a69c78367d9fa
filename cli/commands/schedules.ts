/** `flagctl schedules create|list|cancel`: flag changes the environment makes by itself at a time (docs/schedules.md). */
import { Command, Option } from "commander";
import { z } from "zod";
import { ScheduleAction, ScheduleState, type Schedule } from "../../src/domain/schedule.ts";
import { FlagKey, parse, Reason, TimeAfter } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { UsageError } from "../lib/errors.ts";
import { readJsonArg } from "../lib/files.ts";
import { out, table, time } from "../lib/output.ts";

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "ids are 1-64 chars of [A-Za-z0-9_-]");

/** One line about a schedule: what it does, to which flag, when, and where it stands. */
function summary(s: Schedule): string {
  const what = s.action === "patch" ? `patch ${JSON.stringify(s.patch)}` : s.action;
  const outcome =
    s.state === "APPLIED" ? ` at ${time(s.appliedAt)} (flag version ${s.flagVersion})` : s.state === "FAILED" ? `: ${s.failure}` : s.state === "CANCELLED" ? ` by ${s.cancelledBy}` : "";
  return `${s.id}: ${what} ${s.flag} at ${time(s.at)} — ${s.state}${outcome}`;
}

export function schedulesCommand(): Command {
  const schedules = new Command("schedules").description("scheduled flag changes: enable, disable or patch a flag at a time on the environment's clock");

  schedules
    .command("create")
    .description("schedule a change of <flag>; a time at or before now applies at once")
    .argument("<flag>", "flag key")
    .requiredOption("--env <env>", "environment")
    .requiredOption("--at <time>", "ISO-8601 time (2030-01-01T09:00:00Z) or a duration from now (+10m, 2h)")
    .addOption(new Option("--action <action>", "what to do").choices(ScheduleAction.options).makeOptionMandatory())
    .option("--patch <json>", "with --action patch: the JSON merge patch, inline")
    .option("--patch-file <path>", "with --action patch: the JSON merge patch from a file (- for stdin)")
    .option("--reason <text>", "why (kept in the audit log)")
    .action(async (flagArg: string, opts: { env: string; at: string; action: ScheduleAction; patch?: string; patchFile?: string; reason?: string }, cmd: Command) => {
      const flag = parse(FlagKey, flagArg, "<flag>");
      const env = envOf(opts);
      const at = parse(TimeAfter, opts.at, "--at");
      const reason = opts.reason === undefined ? undefined : parse(Reason, opts.reason, "--reason");
      const hasPatch = opts.patch !== undefined || opts.patchFile !== undefined;
      if (opts.action === "patch" && !hasPatch) throw new UsageError("--action patch needs --patch '<json>' or --patch-file <path>");
      if (opts.action !== "patch" && hasPatch) throw new UsageError(`--action ${opts.action} takes no patch`);
      const patch = hasPatch ? await readJsonArg({ data: opts.patch, file: opts.patchFile }, "the patch") : undefined;
      const { api, json } = context(cmd);
      const created = await api.admin<Schedule>("POST", `/envs/${env}/schedules`, { body: { at, flag, action: opts.action, patch, reason } });
      if (json) return out.json(created);
      out.line(`scheduled in ${env}: ${summary(created)}`);
    });

  schedules
    .command("list")
    .description("list the environment's schedules (latest time first)")
    .requiredOption("--env <env>", "environment")
    .addOption(new Option("--state <state>", "only this state").choices(ScheduleState.options))
    .option("--flag <flag>", "only this flag's")
    .action(async (opts: { env: string; state?: string; flag?: string }, cmd: Command) => {
      const env = envOf(opts);
      const flag = opts.flag === undefined ? undefined : parse(FlagKey, opts.flag, "--flag");
      const { api, json } = context(cmd);
      const body = await api.admin<{ schedules: Schedule[] }>("GET", `/envs/${env}/schedules`, { query: { state: opts.state, flag } });
      if (json) return out.json(body);
      if (body.schedules.length === 0) return out.line(`no schedules in ${env} match`);
      const rows = body.schedules.map((s) => [s.id, time(s.at), s.flag, s.action === "patch" ? `patch ${JSON.stringify(s.patch)}` : s.action, s.state, s.failure ?? s.reason ?? "", s.createdBy]);
      for (const l of table(["id", "at", "flag", "change", "state", "note", "by"], rows)) out.line(l);
    });

  schedules
    .command("cancel")
    .description("cancel a PENDING schedule (an applied, failed or cancelled one cannot be)")
    .argument("<id>", "schedule id (from schedules list)")
    .requiredOption("--env <env>", "environment")
    .option("--reason <text>", "why (kept in the audit log)")
    .action(async (idArg: string, opts: { env: string; reason?: string }, cmd: Command) => {
      const id = parse(Id, idArg, "<id>");
      const env = envOf(opts);
      const reason = opts.reason === undefined ? undefined : parse(Reason, opts.reason, "--reason");
      const { api, json } = context(cmd);
      const cancelled = await api.admin<Schedule>("DELETE", `/envs/${env}/schedules/${id}`, { query: { reason } });
      if (json) return out.json(cancelled);
      out.line(`cancelled in ${env}: ${summary(cancelled)}`);
    });

  return schedules;
}
