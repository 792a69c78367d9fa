/** Reading JSON documents given on the command line: a file, `-` for stdin, or inline. */
import { readFile } from "node:fs/promises";
import { UsageError } from "./errors.ts";

export async function readJsonArg(source: { file?: string | undefined; data?: string | undefined }, what: string): Promise<unknown> {
  if (source.file !== undefined && source.data !== undefined) throw new UsageError(`give ${what} with --file or --data, not both`);
  let text: string;
  let origin: string;
  if (source.data !== undefined) {
    text = source.data;
    origin = "--data";
  } else if (source.file !== undefined) {
    origin = source.file === "-" ? "stdin" : source.file;
    try {
      text = source.file === "-" ? await readStdin() : await readFile(source.file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${origin}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else {
    throw new UsageError(`give ${what} with --file <path> (- for stdin) or --data '<json>'`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${origin} is not valid JSON: ${(error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}
