/**
 * The house rule "small files with one job each": no file in src/ is over 300 lines. A file that
 * grows past it is split by job (a store, a command module, a route file), not trimmed of comments.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAX_LINES = 300;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [path] : [];
  });
}

describe("src/ files", () => {
  it(`have at most ${MAX_LINES} lines each`, () => {
    const files = sources(join(ROOT, "src"));
    expect(files.length).toBeGreaterThan(50);
    const long = files
      .map((path) => ({ file: relative(ROOT, path), lines: readFileSync(path, "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
