/**
 * Confirmation from stdin: one line, and only `yes` confirms. End of input (a closed or empty
 * stdin, e.g. in CI without `--yes`) declines, so nothing changes by accident.
 */
import { createInterface } from "node:readline";
import { printable } from "./output.ts";

export async function confirm(question: string, input: NodeJS.ReadableStream = process.stdin): Promise<boolean> {
  process.stderr.write(`${printable(question)} Type "yes" to continue: `);
  const answer = await readLine(input);
  // A terminal echoes the answer and its newline; piped or missing input does not.
  if (answer === null || process.stdin.isTTY !== true) process.stderr.write("\n");
  return answer?.trim() === "yes";
}

/** The first line of input, or null at end of input. */
export function readLine(input: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      rl.close();
      // Stop reading so the process can exit while stdin stays open (a terminal, a pipe nobody closes).
      if ("pause" in input && typeof input.pause === "function") input.pause();
      if (input === process.stdin && typeof process.stdin.unref === "function") process.stdin.unref();
      resolve(value);
    };
    rl.once("line", (line) => finish(line));
    rl.once("close", () => finish(null));
  });
}
