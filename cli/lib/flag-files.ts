/**
 * Flags as code for `flagctl plan|apply`: reading a flag-set file or a directory of them (every
 * `*.json`, in name order, merged into one set), validated with the service's own schema, and the
 * field-level changes of one flag for the plan's output.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { FlagSet } from "../../src/domain/flag.ts";
import { flagContent } from "../../src/domain/flag-diff.ts";
import { CliError } from "./errors.ts";
import type { Flag, FlagSetInput } from "./types.ts";

/** The flag set in `path` (a file, or a directory of `*.json` files); any problem is a CliError (exit 1). */
export async function readFlagFiles(path: string): Promise<{ set: FlagSetInput; parsed: Flag[]; files: string[] }> {
  let files: string[];
  try {
    files = (await stat(path)).isDirectory()
      ? (await readdir(path)).filter((f) => f.endsWith(".json")).sort().map((f) => join(path, f))
      : [path];
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (files.length === 0) throw new CliError(`${path} holds no *.json flag files`);
  const flags: FlagSetInput["flags"] = [];
  const parsedFlags: Flag[] = [];
  const origin = new Map<string, string>();
  for (const file of files) {
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const parsed = FlagSet.safeParse(doc);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
      throw new CliError(`${file} is not a valid flag set ({ "flags": [...] }, docs/flags.md) — ${issues}`);
    }
    parsedFlags.push(...parsed.data.flags);
    for (const flag of (doc as FlagSetInput).flags) {
      const seen = origin.get(flag.key);
      if (seen !== undefined) throw new CliError(`flag "${flag.key}" is in both ${seen} and ${file}`);
      origin.set(flag.key, file);
      flags.push(flag);
    }
  }
  return { set: { flags }, parsed: parsedFlags, files };
}

/** One changed field of a flag: its top-level name and both values as compact JSON. */
export interface FieldChange {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

/** The top-level fields whose content differs (bookkeeping and defaults aside, as the import diff counts). */
export function fieldChanges(current: Flag, wanted: Flag): FieldChange[] {
  const a = JSON.parse(flagContent(current)) as Record<string, unknown>;
  const b = JSON.parse(flagContent(wanted)) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const show = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));
  return fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f])).map((field) => ({ field, before: show(a[field]), after: show(b[field]) }));
}
