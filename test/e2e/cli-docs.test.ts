/**
 * The flagctl commands shown in docs/cli.md and docs/runbook.md work: every one parses against the
 * real command tree (commands, arguments, options, choices, required options), and the read-only
 * ones run for real against `wrangler dev` and exit 0. What the others do is covered command by
 * command in cli-flagctl.test.ts and cli-rollouts.test.ts.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { flagctl, type Run } from "./support/flagctl.js";

/**
 * The CLI's command tree. Imported by URL so that this project's type check (tsconfig.node.json)
 * does not take in cli/, which has its own (cli/tsconfig.json: `.ts` import specifiers).
 */
const PROGRAM = new URL("../../cli/program.ts", import.meta.url).href;
const { buildProgram } = (await import(/* @vite-ignore */ PROGRAM)) as { buildProgram: () => Command };

const DOCS = ["docs/cli.md", "docs/runbook.md"];

/** Placeholders the prose uses in inline commands. */
const PLACEHOLDERS: Record<string, string> = { "<flag>": "phase_4_deployment", "<id>": "4711" };

/** Splits a shell command line into words (single and double quotes, backslash escapes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) word = (word ?? "") + (line[++i] as string);
      else word = (word ?? "") + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The pieces of a shell line that run flagctl: split at `|`, `||`, `&&`, `;` outside quotes, comments dropped. */
function flagctlInvocations(line: string): string[][] {
  const pieces: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === "#" && /(^|\s)$/.test(current)) {
      break;
    } else if (c === "|" || c === ";" || (c === "&" && line[i + 1] === "&")) {
      pieces.push(current);
      current = "";
      if (line[i + 1] === c) i++;
    } else {
      current += c;
    }
  }
  pieces.push(current);
  return pieces
    .map((p) => shellWords(p.trim()))
    .map((words) => (words[0] === "npx" ? words.slice(1) : words[0] === "node" && words[1] === "cli/flagctl.ts" ? ["flagctl", ...words.slice(2)] : words))
    .filter((words) => words[0] === "flagctl")
    .map((words) => words.slice(1));
}

/** Every flagctl command in a markdown file: in ```sh blocks, and in inline `flagctl …` code. */
function documentedCommands(file: string): { source: string; args: string[] }[] {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
  const found: { source: string; args: string[] }[] = [];
  for (const block of text.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    const lines = (block[1] as string).replace(/\\\n\s*/g, " ").split("\n");
    for (const line of lines) for (const args of flagctlInvocations(line)) found.push({ source: `${file}: ${line.trim()}`, args });
  }
  const prose = text.replace(/^```[\s\S]*?^```/gm, "");
  for (const span of prose.matchAll(/`(flagctl [^`]+)`/g)) {
    let line = (span[1] as string).replace(/\s+/g, " ");
    for (const [placeholder, value] of Object.entries(PLACEHOLDERS)) line = line.replaceAll(placeholder, value);
    if (/[<>[\]…]/.test(line)) continue; // a template, e.g. `flagctl status <flag> --env …`
    for (const args of flagctlInvocations(line)) {
      // `flagctl tokens create` in a sentence names a command; it is not an invocation.
      if (args.length <= 2 && args.every((a) => /^[a-z]+$/.test(a))) continue;
      found.push({ source: `${file}: \`${line}\``, args });
    }
  }
  return found;
}

/** Parses `args` with the real command tree, actions replaced by no-ops; the parse errors, if any. */
async function parseOnly(args: readonly string[]): Promise<string[]> {
  const errors: string[] = [];
  const program = buildProgram();
  const prepare = (command: Command) => {
    command.configureOutput({ writeOut: () => {}, writeErr: (text) => errors.push(text.trim()) });
    if (command.commands.length === 0) command.action(() => {});
    for (const sub of command.commands) prepare(sub);
  };
  prepare(program);
  try {
    await program.parseAsync(["node", "flagctl", ...args]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "commander.helpDisplayed" && code !== "commander.version") errors.push((error as Error).message);
  }
  return errors;
}

/** Commands that only read (or dry-run) and whose documented arguments exist locally. */
function readOnly(args: readonly string[]): boolean {
  const [command, sub] = args;
  // Watching and following run until stopped; they are parsed, and tested in their own files.
  if (args.includes("--watch") || args.includes("-w") || args.includes("--follow") || args.includes("--output")) return false;
  if (command === "health" || command === "audit") return true;
  if (command === "flags") return sub === "list" || sub === "get" || sub === "export";
  if (command === "keys" || command === "tokens") return sub === "list";
  if (command === "status") return sub === undefined || sub.startsWith("-"); // the list of active rollouts
  if (command === "deploy") return args.includes("--dry-run");
  return args.includes("--help") || args.includes("--version");
}

const commands = DOCS.flatMap(documentedCommands);

describe("the flagctl commands in the docs", () => {
  it("are found (both documents show many)", () => {
    for (const file of DOCS) expect(commands.filter((c) => c.source.startsWith(file)).length, file).toBeGreaterThan(15);
  });

  it("all parse: known commands and options, required ones present, valid choices", async () => {
    const failures: string[] = [];
    for (const { source, args } of commands) {
      const errors = await parseOnly(args);
      if (errors.length > 0) failures.push(`${source}\n    ${errors.join("\n    ")}`);
    }
    expect(failures).toEqual([]);
  });

  it("the read-only ones run against wrangler dev and exit 0", async () => {
    const runnable = commands.filter((c) => readOnly(c.args));
    expect(runnable.length).toBeGreaterThan(10);
    // Four at a time: the machine also runs wrangler dev and the other test files.
    const results: (typeof runnable[number] & { result: Run })[] = [];
    for (let i = 0; i < runnable.length; i += 4) {
      results.push(...(await Promise.all(runnable.slice(i, i + 4).map(async (c) => ({ ...c, result: await flagctl(c.args) })))));
    }
    const failures = results.filter((r) => r.result.code !== 0).map((r) => `${r.source}\n    exit ${r.result.code}: ${r.result.stderr.trim()}`);
    expect(failures).toEqual([]);
  });
});
