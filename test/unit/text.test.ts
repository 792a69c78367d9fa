import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forbiddenCharacter, label, multilineText, plainText } from "../../src/domain/text.js";

/** Every code point the rules refuse in one-line text. */
const REFUSED = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i), // DEL and C1
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
].map((c) => String.fromCodePoint(c));

const refused = fc.constantFrom(...REFUSED);
/** Text with none of the refused characters (any other Unicode, emoji and combining marks included). */
const clean = fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => [...s].filter((c) => !REFUSED.includes(c)).join(""));

describe("plainText", () => {
  it("accepts ordinary text, trimmed, and refuses each control character, naming it", () => {
    expect(plainText(100).parse("  incident 42 — rollback ✓ 日本  ")).toBe("incident 42 — rollback ✓ 日本");
    const result = plainText(100).safeParse("a\u001b[31mred");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("must not contain control characters, line breaks and bidirectional overrides; found a control character (U+001B)");
    expect(plainText(100).safeParse("x\u009by").error?.issues[0]?.message).toContain("(U+009B)");
    expect(plainText(100).safeParse("x\u2067y").error?.issues[0]?.message).toContain("a bidirectional override (U+2067)");
    expect(plainText(100).safeParse("x\ny").error?.issues[0]?.message).toContain("a line break");
  });

  it("keeps its bounds: empty after trimming and too long are refused", () => {
    expect(plainText(5).safeParse("   ").success).toBe(false);
    expect(plainText(5).safeParse("abcdef").success).toBe(false);
  });

  it("property: text with a refused character anywhere (not at an edge it trims) is refused; clean text is accepted", () => {
    fc.assert(
      fc.property(clean, refused, clean, (before, bad, after) => {
        const schema = plainText(1000);
        const text = `x${before}${bad}${after}x`;
        expect(schema.safeParse(text).success).toBe(false);
        expect(forbiddenCharacter(text, { multiline: false })).toBeDefined();
        const ok = `x${before}${after}x`;
        expect(schema.safeParse(ok).success).toBe(true);
      }),
    );
  });
});

describe("multilineText and label", () => {
  it("descriptions keep \\n and only \\n; labels keep nothing", () => {
    expect(multilineText(100).parse("one\ntwo\n")).toBe("one\ntwo\n");
    expect(multilineText(100).safeParse("a\tb").error?.issues[0]?.message).toBe(
      "must not contain control characters (other than \\n) and bidirectional overrides; found a control character (U+0009)",
    );
    expect(multilineText(100).safeParse("a\r\nb").success).toBe(false);
    expect(label(10).safeParse("a\nb").success).toBe(false);
    expect(label(10).parse(" spaced ")).toBe(" spaced ");
    expect(label(10, 1).safeParse("").success).toBe(false);
  });

  it("property: multiline text refuses exactly the one-line refusals other than \\n", () => {
    fc.assert(
      fc.property(clean, refused, clean, (before, bad, after) => {
        const ok = multilineText(1000).safeParse(`${before}${bad}${after}`).success;
        expect(ok).toBe(bad === "\n");
      }),
    );
  });
});
