/**
 * Progressive rollouts: `deploy`, `status`, and the operator commands `pause`, `resume`,
 * `promote`, `rollback`, `cancel` (all by flag key: the CLI finds the flag's rollout).
 */
import { Command, Option } from "commander";
import { baselineOf } from "../../src/domain/rollout/create.ts";
import { isTerminal, Strategy } from "../../src/domain/rollout/model.ts";
import type { Api } from "../lib/api.ts";
import { FinalBakeSeconds, FlagKey, isProduction, MinStageSeconds, parse, Reason, Seconds, TimeAfter, VariantName } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { CliError, EXIT, UsageError } from "../lib/errors.ts";
import { out } from "../lib/output.ts";
import { confirm } from "../lib/prompt.ts";
import { headline, renderPlan, renderStatus, rolloutRows } from "../lib/rollout-view.ts";
import type { CreateRolloutResult, FlagView, RolloutAction, RolloutCommandResult, RolloutList, RolloutRequestBody, RolloutStatus } from "../lib/types.ts";
import { POLL_SECONDS, STREAMING_POLL_SECONDS, watchRollout } from "../lib/watch.ts";

const INTERVAL_HELP = `re-read at least this often (default: on every change the event stream reports, and every ${STREAMING_POLL_SECONDS} s; every ${POLL_SECONDS} s while the stream is down)`;


/** The strategies `deploy` offers: every preset; "custom" needs stages, which the CLI does not take. */
type PresetStrategy = Exclude<Strategy, "custom">;
const PRESET_STRATEGIES = Strategy.options.filter((s): s is PresetStrategy => s !== "custom");

/** The newest active rollout of a flag, else its newest rollout; null when it never had one. */
async function rolloutOf(api: Api, env: string, flag: string): Promise<RolloutStatus | null> {
  const { rollouts } = await api.admin<RolloutList>("GET", `/envs/${env}/rollouts`, { query: { flag } });
  return rollouts.find((r) => !isTerminal(r.state)) ?? rollouts[0] ?? null;
}

async function requireRollout(api: Api, env: string, flag: string): Promise<RolloutStatus> {
  const rollout = await rolloutOf(api, env, flag);
  if (rollout === null) throw new CliError(`no rollout of flag ${flag} in ${env} (start one with: flagctl deploy ${flag} --env ${env} --strategy …)`);
  return rollout;
}

/** `--interval`, when given; without it the watch follows the event stream (cli/lib/watch.ts). */
function intervalOf(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parse(Seconds, value, "--interval");
}

interface DeployOptions {
  env: string;
  strategy: PresetStrategy;
  variant?: string;
  baseline?: string;
  minStageDuration?: string;
  finalBake?: string;
  startAt?: string;
  reason?: string;
  wait?: string;
  interval?: string;
  dryRun?: boolean;
  yes?: boolean;
}

export function deployCommand(): Command {
  return new Command("deploy")
    .description("start a progressive rollout of a flag's new variant (production asks for confirmation)")
    .argument("<flag>", "flag key")
    .requiredOption("--env <env>", "environment")
    .addOption(new Option("--strategy <strategy>", "safe (5-75 % over 5 days), fast (25, 50 % over 2 days) or instant (100 %)").choices(PRESET_STRATEGIES).makeOptionMandatory())
    .option("--variant <variant>", "the variant to roll out (default: the flag's only other variant)")
    .option("--baseline <variant>", "the variant everyone gets now (default: what the fallthrough serves)")
    .option("--min-stage-duration <seconds>", "dwell of every stage instead of the strategy's 24 h (e.g. 300 in staging)")
    .option("--final-bake <seconds>", "how long 100 % bakes before the rollout completes")
    .option("--start-at <time>", "schedule the start: ISO-8601 time or a duration from now (+30m)")
    .option("--reason <text>", "recorded in the audit log")
    .option("--wait <seconds>", "then watch the rollout up to this long; exit codes as `status --watch`")
    .option("--interval <seconds>", `while waiting: ${INTERVAL_HELP}`)
    .option("--dry-run", "print the plan (stages, percentages, times, guards) and change nothing")
    .option("-y, --yes", "do not ask for confirmation (production)")
    .action(async (flagArg: string, opts: DeployOptions, cmd: Command) => {
      const flag = parse(FlagKey, flagArg, "<flag>");
      const env = envOf(opts);
      const wait = opts.wait === undefined ? undefined : parse(Seconds, opts.wait, "--wait");
      const interval = intervalOf(opts.interval);
      const variantArg = opts.variant === undefined ? undefined : parse(VariantName, opts.variant, "--variant");
      const baselineArg = opts.baseline === undefined ? undefined : parse(VariantName, opts.baseline, "--baseline");
      const settings: Partial<RolloutRequestBody> = {};
      if (opts.minStageDuration !== undefined) settings.minStageDurationSeconds = parse(MinStageSeconds, opts.minStageDuration, "--min-stage-duration");
      if (opts.finalBake !== undefined) settings.finalBakeSeconds = parse(FinalBakeSeconds, opts.finalBake, "--final-bake");
      if (opts.startAt !== undefined) settings.startAt = parse(TimeAfter, opts.startAt, "--start-at");
      if (opts.reason !== undefined) settings.reason = parse(Reason, opts.reason, "--reason");
      const { api, json } = context(cmd);

      // Without --variant: the flag's only variant besides the baseline its fallthrough serves.
      const { flag: current } = await api.admin<FlagView>("GET", `/envs/${env}/flags/${flag}`);
      const baseline = baselineArg ?? baselineOf(current.fallthrough);
      let variant = variantArg;
      if (variant === undefined) {
        const others = Object.keys(current.variants).filter((v) => v !== baseline);
        if (baseline === undefined || others.length !== 1) {
          throw new UsageError(`choose the variant to roll out with --variant (${flag} has ${Object.keys(current.variants).join(", ")})`);
        }
        variant = others[0] as string;
      }
      const request: RolloutRequestBody = { ...settings, flag, variant, strategy: opts.strategy };
      if (baselineArg !== undefined) request.baseline = baselineArg;

      // The server validates the request and computes the plan; a dry run changes nothing.
      const dry = await api.admin<CreateRolloutResult>("POST", `/envs/${env}/rollouts`, { body: { ...request, dryRun: true } });
      const what = { flag, env, variant: request.variant, baseline: baseline ?? "?", strategy: opts.strategy };
      if (opts.dryRun) {
        if (json) return out.json(dry);
        for (const l of renderPlan(dry.plan, what)) out.line(l);
        out.line("dry run: nothing changed");
        return;
      }
      if (isProduction(env) && !opts.yes) {
        for (const l of renderPlan(dry.plan, what)) out.err(l);
        if (!(await confirm(`Roll out ${flag} → ${request.variant} in ${env}?`))) {
          throw new CliError(`aborted: nothing was changed (confirm with "yes", or pass --yes)`, EXIT.FAILED, {
            error: { code: "ABORTED", message: "not confirmed; nothing was changed", details: [] },
          });
        }
      }
      const created = await api.admin<CreateRolloutResult>("POST", `/envs/${env}/rollouts`, { body: request });
      const rollout = created.rollout as RolloutStatus;
      if (!json) {
        out.line(`started rollout ${rollout.id}: ${flag} → ${rollout.variant} in ${env}, ${rollout.state === "SCHEDULED" ? `scheduled for ${rollout.startAt}` : `now at ${rollout.percentage} % (stage ${rollout.stage})`}`);
        if (wait === undefined) out.line(`follow it with: flagctl status ${flag} --env ${env} --watch`);
      }
      if (wait === undefined) {
        if (json) out.json(created);
        return;
      }
      if (!json) out.line("");
      const result = await watchRollout(api, env, rollout.id, { intervalSeconds: interval, timeoutSeconds: wait, quiet: json });
      if (json) out.json({ rollout: result.status, plan: created.plan });
      else out.line(result.summary);
      process.exitCode = result.exitCode;
    });
}

export function statusCommand(): Command {
  return new Command("status")
    .description("show a flag's rollout (progress, guard table, pause reasons), or every active rollout of the environment")
    .argument("[flag]", "flag key (without it: all active rollouts)")
    .requiredOption("--env <env>", "environment")
    .option("-w, --watch", "follow until it completes (exit 0), rolls back or is cancelled (1), pauses or times out (2)")
    .option("--timeout <seconds>", "with --watch: give up after this long (exit 2)")
    .option("--interval <seconds>", `with --watch: ${INTERVAL_HELP}`)
    .option("--all", "without a flag: include finished rollouts")
    .action(async (flagArg: string | undefined, opts: { env: string; watch?: boolean; timeout?: string; interval?: string; all?: boolean }, cmd: Command) => {
      const env = envOf(opts);
      const flag = flagArg === undefined ? undefined : parse(FlagKey, flagArg, "[flag]");
      if (!opts.watch && (opts.timeout !== undefined || opts.interval !== undefined)) throw new UsageError("--timeout and --interval go with --watch");
      if (opts.watch && flag === undefined) throw new UsageError("--watch follows one rollout: name the flag (flagctl status <flag> --env … --watch)");
      const timeout = opts.timeout === undefined ? undefined : parse(Seconds, opts.timeout, "--timeout");
      const interval = intervalOf(opts.interval);
      const { api, json } = context(cmd);

      if (flag === undefined) {
        const { rollouts } = await api.admin<RolloutList>("GET", `/envs/${env}/rollouts`);
        const shown = opts.all ? rollouts : rollouts.filter((r) => !isTerminal(r.state));
        if (json) return out.json({ rollouts: shown });
        if (shown.length === 0) return out.line(`no ${opts.all ? "" : "active "}rollouts in ${env}`);
        for (const l of rolloutRows(shown)) out.line(l);
        return;
      }
      const rollout = await requireRollout(api, env, flag);
      if (!opts.watch) {
        if (json) return out.json(rollout);
        for (const l of renderStatus(rollout)) out.line(l);
        return;
      }
      const result = await watchRollout(api, env, rollout.id, { intervalSeconds: interval, timeoutSeconds: timeout, quiet: json });
      if (json) out.json(result.status);
      else out.line(result.summary);
      process.exitCode = result.exitCode;
    });
}

const VERB: Record<RolloutAction, string> = { pause: "paused", resume: "resumed", promote: "promoted", rollback: "rolled back", cancel: "cancelled" };
const DESCRIPTION: Record<RolloutAction, string> = {
  pause: "pause a flag's rollout (guards stay armed); idempotent",
  resume: "resume a paused rollout (sends the stage just read as expectedStage)",
  promote: "advance to the next stage now, skipping the gate (sends expectedStage: a double submit never skips two)",
  rollback: "roll back: the baseline for everyone again; idempotent",
  cancel: "end the rollout and restore the fallthrough",
};

export function rolloutActionCommands(): Command[] {
  return (["pause", "resume", "promote", "rollback", "cancel"] as const).map((action) =>
    new Command(action)
      .description(DESCRIPTION[action])
      .argument("<flag>", "flag key")
      .requiredOption("--env <env>", "environment")
      .option("--reason <text>", "recorded in the audit log and the rollout's events")
      .action(async (flagArg: string, opts: { env: string; reason?: string }, cmd: Command) => {
        const flag = parse(FlagKey, flagArg, "<flag>");
        const env = envOf(opts);
        const reason = opts.reason === undefined ? undefined : parse(Reason, opts.reason, "--reason");
        const { api, json } = context(cmd);
        const current = await requireRollout(api, env, flag);
        const body: { reason?: string; expectedStage?: number } = {};
        if (reason !== undefined) body.reason = reason;
        // Forward commands name the stage we saw, so a stale or doubled command gets a 409.
        if (action === "resume" || action === "promote") body.expectedStage = current.stageIndex;
        const result = await api.admin<RolloutCommandResult>("POST", `/envs/${env}/rollouts/${current.id}/${action}`, { body });
        if (json) return out.json(result);
        const r = result.rollout;
        const state = `${r.state}${r.phase ? ` ${r.phase}` : ""} at ${r.percentage} %, stage ${r.stage}`;
        out.line(result.changed ? `${VERB[action]}: ${headline(r)} — now ${state}` : `no change: ${headline(r)} is already ${state}`);
      }),
  );
}
