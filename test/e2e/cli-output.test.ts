/**
 * flagctl's printable(): every string the CLI prints from the server goes through it, so no control
 * character, line break or bidirectional override reaches the terminal. Pure; no server needed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { printable, table } from "../../cli/lib/output.js";

/** What a terminal must never receive from server text. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe("printable", () => {
  it("shows line breaks, escapes and CSI as visible escapes and leaves other text alone", () => {
    expect(printable("first\nsecond\r\tend")).toBe("first\\nsecond\\r\\tend");
    expect(printable("\u001b[2J\u001b]0;title\u0007")).toBe("\\x1b[2J\\x1b]0;title\\x07");
    expect(printable("x\u009b31m\u007f")).toBe("x\\u009b31m\\x7f");
    expect(printable("ok \u202eevil\u2069")).toBe("ok \\u202eevil\\u2069");
    expect(printable("incident 42 — ✓ 日本 \\ done")).toBe("incident 42 — ✓ 日本 \\ done");
  });

  it("property: the output holds no unsafe character, escaping is idempotent, and safe text is unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
        const shown = printable(text);
        expect(shown).not.toMatch(UNSAFE);
        expect(printable(shown)).toBe(shown);
        if (!UNSAFE.test(text)) expect(shown).toBe(text);
      }),
    );
  });

  it("table cells are escaped before they are measured, so columns still line up", () => {
    expect(table(["name", "reason"], [["a\nb", "x"], ["long-name", "\u001b[31mred"]])).toEqual([
      "name       reason",
      "a\\nb       x",
      "long-name  \\x1b[31mred",
    ]);
  });
});
