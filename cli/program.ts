/** The flagctl command tree (commander) and its error handling: exit codes are ours. */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { auditCommand } from "./commands/audit.ts";
import { flagsCommand } from "./commands/flags.ts";
import { healthCommand } from "./commands/health.ts";
import { keysCommand, tokensCommand } from "./commands/keys.ts";
import { deployCommand, rolloutActionCommands, statusCommand } from "./commands/rollouts.ts";
import { codegenCommand, planApplyCommands } from "./commands/code.ts";
import { explainCommand } from "./commands/explain.ts";
import { schedulesCommand } from "./commands/schedules.ts";
import { segmentsCommand } from "./commands/segments.ts";
import { webhooksCommand } from "./commands/webhooks.ts";
import { CliError, EXIT, usesDetailedExitCodes } from "./lib/errors.ts";
import { out } from "./lib/output.ts";

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

/** Parsing errors raised by commands with detailed exit codes (see cli/lib/errors.ts). */
const detailedErrors = new WeakSet<object>();

export function buildProgram(): Command {
  const program = new Command("flagctl")
    .description("Operate edgeflags: flags, kill switches, progressive rollouts, audit log, keys.\nConfigure with FLAGS_URL and FLAGS_TOKEN (or --url and --token).")
    .version(version(), "-V, --version")
    .option("--url <url>", "API address, e.g. http://localhost:8787 (default: $FLAGS_URL)")
    .option("--token <token>", "admin API token (default: $FLAGS_TOKEN)")
    .option("--json", "print machine-readable JSON on stdout")
    .addHelpText(
      "after",
      "\nExit codes: 0 ok · 1 API error, unreachable, unhealthy, declined, rolled back/cancelled · 2 bad arguments, paused, timed out\n            plan/apply: 0 no changes · 2 changes planned · 1 any error (bad arguments too)\nDocs: docs/cli.md, docs/runbook.md, docs/flags-as-code.md",
    );
  program.addCommand(flagsCommand());
  program.addCommand(segmentsCommand());
  program.addCommand(deployCommand());
  program.addCommand(statusCommand());
  for (const command of rolloutActionCommands()) program.addCommand(command);
  program.addCommand(schedulesCommand());
  program.addCommand(explainCommand());
  program.addCommand(codegenCommand());
  for (const command of planApplyCommands()) program.addCommand(command);
  program.addCommand(auditCommand());
  program.addCommand(keysCommand());
  program.addCommand(tokensCommand());
  program.addCommand(webhooksCommand());
  program.addCommand(healthCommand());
  configure(program);
  return program;
}

/** Settings every (sub)command shares: errors are thrown (exit codes are ours), help shows globals. */
function configure(command: Command): void {
  // Commander's own parsing errors of plan/apply must not exit 2, which means "changes" there.
  const detailed = usesDetailedExitCodes(command);
  command
    .exitOverride((error) => {
      if (detailed) detailedErrors.add(error);
      throw error;
    })
    .showHelpAfterError("(add --help for usage)")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false });
  for (const sub of command.commands) configure(sub);
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end "successfully"; every parsing failure is a usage error
      // (commander has printed it on stderr already).
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.OK;
      if (argv.includes("--json")) out.json({ error: { code: "USAGE", message: error.message.replace(/^error: /, ""), details: [] } });
      return detailedErrors.has(error) ? EXIT.FAILED : EXIT.USAGE;
    }
    if (error instanceof CliError) {
      if (argv.includes("--json") && error.json !== null) out.json(error.json);
      out.err(`flagctl: ${error.message}`);
      return error.exitCode;
    }
    // A stack has many lines; each is printed (and escaped) on its own.
    const [first = "", ...rest] = (error instanceof Error ? (error.stack ?? error.message) : String(error)).split("\n");
    out.err(`flagctl: unexpected error: ${first}`);
    for (const line of rest) out.err(line);
    return EXIT.FAILED;
  }
}
