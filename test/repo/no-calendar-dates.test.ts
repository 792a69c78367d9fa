/**
 * Tests that run the real Worker must not depend on the calendar: an environment's clock never
 * goes back, so a test that simulates a fixed future date breaks the day the wall clock passes it.
 * Simulated time comes from `test/support/sim-clock.ts` (it starts at the real clock). This test
 * fails when a date literal later than today appears in those tests; past dates used as data (a
 * metric that is too old, `$now` after 2020) are fine. Pure unit tests whose subject takes `now`
 * as an argument may keep fixed dates, so `test/unit/` is not scanned.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCANNED = ["test/integration", "test/e2e", "test/support"];
/** YYYY-MM-DD, optionally followed by a time: the shapes `Date.parse` and ISO strings use. */
const DATE = /(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.(ts|mts|js|mjs|json)$/.test(entry.name) ? [path] : [];
  });
}

/** Every date literal in `text` later than `today` (UTC, YYYY-MM-DD), as "line: literal". */
export function futureDates(text: string, today: string): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, index) => {
    for (const match of line.matchAll(DATE)) {
      const [literal, year, month, day] = match as unknown as [string, string, string, string];
      const parsed = new Date(`${year}-${month}-${day}T00:00:00Z`);
      const valid = !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(literal);
      if (valid && literal > today) found.push(`${index + 1}: ${literal}`);
    }
  });
  return found;
}

describe("tests do not depend on the calendar", () => {
  const today = new Date().toISOString().slice(0, 10);

  it("the scanner finds future dates and ignores past ones and non-dates", () => {
    const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
    const text = [`const t = Date.parse("${nextYear}T00:00:00Z");`, `old("2020-01-01")`, `id-2024-13-45`, `v1.2.3-4`].join("\n");
    expect(futureDates(text, today)).toEqual([`1: ${nextYear}`]);
  });

  it(`no date literal later than ${today} in ${SCANNED.join(", ")}`, () => {
    const offenders = SCANNED.flatMap((dir) => files(join(ROOT, dir))).flatMap((path) =>
      futureDates(readFileSync(path, "utf8"), today).map((hit) => `${relative(ROOT, path)}:${hit}`),
    );
    expect(offenders, "use test/support/sim-clock.ts instead of a calendar date").toEqual([]);
  });
});
