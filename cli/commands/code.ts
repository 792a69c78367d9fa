/**
 * Flags as code (docs/flags-as-code.md):
 * - `flagctl codegen --env <env> --out flags.ts [--check]`: typed accessors for the environment's
 *   flags (cli/lib/codegen.ts); `--check` exits 1 when the file is out of date, naming what differs.
 * - `flagctl plan <dir|file> --env <env>`: what importing the flag files would change (the
 *   import's dry run), flag by flag and field by field.
 * - `flagctl apply <dir|file> --env <env> [--yes]`: the same plan, then the import.
 * plan and apply exit like Terraform's `plan -detailed-exitcode`: 0 no changes, 2 changes planned,
 * 1 any error (bad arguments and configuration too). apply exits 0 once it has applied.
 */
import { readFile, writeFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { generateModule, manifestDiff, readManifest } from "../lib/codegen.ts";
import { parse, Reason } from "../lib/config.ts";
import { context, envOf, type Ctx } from "../lib/context.ts";
import { asFailure, CliError, detailedExitCodes, EXIT, UsageError } from "../lib/errors.ts";
import { fieldChanges, readFlagFiles } from "../lib/flag-files.ts";
import { out } from "../lib/output.ts";
import { confirm } from "../lib/prompt.ts";
import type { Flag, FlagSetInput, ImportResult } from "../lib/types.ts";

export function codegenCommand(): Command {
  return new Command("codegen")
    .description("write TypeScript for an environment's flags: keys, value types, typed accessors over an OpenFeature client (server and web)")
    .requiredOption("--env <env>", "environment")
    .requiredOption("-o, --out <path>", "the file to write, e.g. src/flags.ts")
    .option("--tag <tag>", "only the flags with this tag (e.g. one app's flags)")
    .option("--check", "write nothing; exit 1 when the file differs from what would be written (and say what differs)")
    .action(async (opts: { env: string; out: string; tag?: string; check?: boolean }, cmd: Command) => {
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const all = (await api.admin<{ flags: Flag[] }>("GET", `/envs/${env}/export`)).flags;
      const flags = opts.tag === undefined ? all : all.filter((f) => f.tags.includes(opts.tag as string));
      const source = generateModule(env, flags, { tag: opts.tag });
      if (opts.check) return check(opts.out, source, json);
      try {
        await writeFile(opts.out, source);
      } catch (error) {
        throw new UsageError(`cannot write ${opts.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      if (json) return out.json({ env, file: opts.out, flags: flags.length });
      out.line(`wrote ${opts.out}: ${flags.length} flags of ${env}`);
    });
}

async function check(path: string, wanted: string, json: boolean): Promise<void> {
  let existing: string;
  try {
    existing = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (run codegen without --check to write it)`);
  }
  if (existing === wanted) {
    if (json) return out.json({ file: path, upToDate: true, differences: [] });
    return out.line(`${path} is up to date`);
  }
  const before = readManifest(existing);
  const after = readManifest(wanted);
  const differences = before === null || after === null ? [] : manifestDiff(before, after);
  if (differences.length === 0) differences.push("the generated code differs (edited by hand, or written by another flagctl version)");
  if (json) out.json({ file: path, upToDate: false, differences });
  else for (const line of [`${path} is out of date:`, ...differences.map((d) => `  ${d}`)]) out.err(line);
  throw new CliError(`${path} is out of date: run \`flagctl codegen\` again`, EXIT.FAILED, { file: path, upToDate: false, differences });
}

interface PlanOptions {
  env: string;
  mode: "merge" | "replace";
  reason?: string;
  yes?: boolean;
}

interface Plan {
  readonly env: string;
  readonly mode: PlanOptions["mode"];
  readonly set: FlagSetInput;
  readonly result: ImportResult;
  readonly changes: Record<string, { field: string; before: string; after: string }[]>;
}

/** plan's exit code when something would change (Terraform's -detailed-exitcode). */
const CHANGES_PLANNED = 2;

const hasChanges = ({ diff }: ImportResult): boolean => diff.added.length + diff.changed.length + diff.removed.length > 0;

/** The import's dry run for the files, with the changed fields of each changed flag. */
async function makePlan(path: string, opts: PlanOptions, ctx: Ctx): Promise<Plan> {
  const env = envOf(opts);
  const { set, parsed } = await readFlagFiles(path);
  const result = await ctx.api.admin<ImportResult>("POST", `/envs/${env}/import`, { body: set, query: { mode: opts.mode, dryRun: "true" } });
  const changes: Plan["changes"] = {};
  if (result.diff.changed.length > 0) {
    const { flags } = await ctx.api.admin<{ flags: Flag[] }>("GET", `/envs/${env}/export`);
    const current = new Map(flags.map((f) => [f.key, f]));
    for (const flag of parsed) {
      const was = current.get(flag.key);
      if (was && result.diff.changed.includes(flag.key)) changes[flag.key] = fieldChanges(was, flag);
    }
  }
  return { env, mode: opts.mode, set, result, changes };
}

function printPlan(plan: Plan): void {
  const { added, changed, removed, unchanged } = plan.result.diff;
  out.line(`plan for ${plan.env} (${plan.mode}): ${added.length} to add, ${changed.length} to change, ${removed.length} to archive, ${unchanged} unchanged`);
  for (const key of added) out.line(`  + ${key}`);
  for (const key of changed) {
    out.line(`  ~ ${key}`);
    for (const c of plan.changes[key] ?? []) out.line(`      ${c.field}: ${c.before} → ${c.after}`);
  }
  for (const key of removed) out.line(`  - ${key} (archived: not in the files)`);
}

/** An action whose usage errors exit 1 (2 means "changes" for plan and apply). */
function detailed<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (error) {
      throw asFailure(error);
    }
  };
}

function planApplyCommand(name: "plan" | "apply"): Command {
  const command = new Command(name)
    .description(name === "plan"
      ? "show what applying flag files would change in an environment (exit 0 none, 2 changes, 1 error)"
      : "apply flag files to an environment: plan, confirm (--yes), import (exit 0 applied or nothing to do, 1 error)")
    .argument("<path>", "a flag-set JSON file ({ \"flags\": [...] }) or a directory of them")
    .requiredOption("--env <env>", "environment")
    .addOption(new Option("--mode <mode>", "merge leaves other flags alone; replace archives flags not in the files").choices(["merge", "replace"]).default("merge"));
  if (name === "apply") {
    command
      .option("-y, --yes", "apply without asking (required when stdin is not a terminal, e.g. in CI)")
      .option("--reason <text>", "recorded in the audit log");
  }
  return detailedExitCodes(command).action(detailed(async (path: string, opts: PlanOptions, cmd: Command) => {
    const reason = opts.reason === undefined ? undefined : parse(Reason, opts.reason, "--reason");
    const ctx = context(cmd);
    const plan = await makePlan(path, opts, ctx);
    const changes = hasChanges(plan.result);
    if (name === "plan") {
      if (ctx.json) out.json({ env: plan.env, mode: plan.mode, diff: plan.result.diff, changes: plan.changes });
      else printPlan(plan);
      if (changes) process.exitCode = CHANGES_PLANNED;
      return;
    }
    if (!changes) {
      if (ctx.json) return out.json({ env: plan.env, mode: plan.mode, applied: false, diff: plan.result.diff });
      return out.line(`nothing to apply: ${plan.env} already matches ${path}`);
    }
    if (!ctx.json) printPlan(plan);
    if (!opts.yes) {
      if (process.stdin.isTTY !== true) throw new CliError("refusing to apply without --yes: stdin is not a terminal, so nobody can confirm (add --yes in CI)");
      if (!(await confirm(`Apply these changes to ${plan.env}?`))) throw new CliError("not applied: declined");
    }
    const result = await ctx.api.admin<ImportResult>("POST", `/envs/${plan.env}/import`, { body: plan.set, query: { mode: plan.mode, reason: reason ?? `flagctl apply ${path}` } });
    if (ctx.json) return out.json({ env: plan.env, mode: plan.mode, applied: true, diff: result.diff, environmentVersion: result.environmentVersion });
    const { added, changed, removed } = result.diff;
    out.line(`applied to ${plan.env}: ${added.length} added, ${changed.length} changed, ${removed.length} archived; environment version ${result.environmentVersion ?? "?"} (edges follow within ~60 s)`);
  }));
}

export function planApplyCommands(): Command[] {
  return [planApplyCommand("plan"), planApplyCommand("apply")];
}
