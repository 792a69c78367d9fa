/** `flagctl explain <flag> --env <env> --context '{…}' [--at <time>]`: how a flag evaluates for a context, and why. */
import { Command } from "commander";
import { FlagKey, parse, TimeBefore } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { UsageError } from "../lib/errors.ts";
import { out } from "../lib/output.ts";
import type { ExplainBody, ExplainResult } from "../lib/types.ts";

function contextOf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid --context: not JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError('invalid --context: must be a JSON object, e.g. \'{"targetingKey":"user-1"}\'');
  return value as Record<string, unknown>;
}

/** Why, in words: the rule, the bucket against its bound, the override, the kill switch. */
function because(r: ExplainResult): string {
  switch (r.decidedBy) {
    case "override":
      return `FLAG_OVERRIDES forces ${r.override ?? "?"} in this environment`;
    case "disabled":
      return "the flag is disabled: everyone gets its off variant";
    case "prerequisite":
      return `prerequisite ${r.prerequisite?.flag ?? "?"} failed (it served ${r.prerequisite?.variant ?? "nothing"}, not ${r.prerequisite?.variants.join(" or ") ?? "?"}): its off variant`;
    case "rule":
      return `rule ${r.ruleId ?? "?"} (#${(r.ruleIndex ?? 0) + 1}) matched`;
    case "fallthrough":
      return r.bucket !== undefined && r.bound !== undefined ? `no rule matched; fallthrough, bucket ${r.bucket} vs bound ${r.bound}` : "no rule matched; fallthrough";
    case "error":
      return `evaluation failed: ${r.errorCode ?? "GENERAL"}${r.errorDetails ? ` (${r.errorDetails})` : ""}`;
  }
}

export function explainCommand(): Command {
  return new Command("explain")
    .description("explain how a flag evaluates for a context: value, variant, reason, and the rule/bucket that decided (--at: as it was then)")
    .argument("<flag>", "flag key")
    .requiredOption("--env <env>", "environment")
    .option("--context <json>", 'the evaluation context as a JSON object, e.g. \'{"targetingKey":"user-1","country":"DE"}\' (default {})')
    .option("--at <time>", "as the flag was at this time (ISO-8601, or a duration ago: 30m, 2h, 7d), rebuilt from the audit log")
    .action(async (flagArg: string, opts: { env: string; context?: string; at?: string }, cmd: Command) => {
      const key = parse(FlagKey, flagArg, "<flag>");
      const env = envOf(opts);
      const body: ExplainBody = { context: contextOf(opts.context), ...(opts.at === undefined ? {} : { at: parse(TimeBefore, opts.at, "--at") }) };
      const { api, json } = context(cmd);
      const r = await api.admin<ExplainResult>("POST", `/envs/${env}/flags/${key}/explain`, { body });
      if (json) return out.json(r);
      const value = r.value === undefined ? "(none)" : JSON.stringify(r.value);
      out.line(`${key} in ${env} → ${r.variant ?? "(no variant)"} = ${value} (${r.reason})`);
      out.line(`  because:   ${because(r)}`);
      out.line(`  flag:      version ${r.flagVersion}`);
      out.line(`  evaluated: ${r.evaluatedAt}`);
    });
}
