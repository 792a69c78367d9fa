/**
 * Text that people write and other people later read in a terminal, a chat tool or the audit log
 * (reasons, names, descriptions, tags, owners): zod builders that refuse the characters that can
 * rewrite what a reader sees. C0 controls (U+0000–U+001F), DEL and the C1 controls (U+0080–U+009F)
 * move the cursor, clear the screen or start escape sequences; the bidirectional overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) reorder what is displayed ("Trojan Source"). Multi-line
 * text may keep `\n`, and only `\n` (no `\r`, no tab). Pure: no I/O.
 */
import { z } from "zod";

/** Every character refused in one-line text. */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
/** The same, except `\n`. */
const FORBIDDEN_MULTILINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** Why a character is refused, in the words of the error message. */
function describe(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code >= 0x202a) return `a bidirectional override (${hex})`;
  if (char === "\n") return "a line break";
  return `a control character (${hex})`;
}

/** The first refused character of `text`, described, or undefined when the text is clean. */
export function forbiddenCharacter(text: string, options: { multiline: boolean }): string | undefined {
  const match = (options.multiline ? FORBIDDEN_MULTILINE : FORBIDDEN).exec(text);
  return match ? describe(match[0]) : undefined;
}

function refuseControls(multiline: boolean) {
  return (text: string, ctx: z.core.$RefinementCtx<string>): void => {
    const found = forbiddenCharacter(text, { multiline });
    if (found !== undefined) {
      const allowed = multiline ? "control characters (other than \\n) and bidirectional overrides" : "control characters, line breaks and bidirectional overrides";
      ctx.addIssue({ code: "custom", message: `must not contain ${allowed}; found ${found}`, input: text });
    }
  };
}

/**
 * One line of trimmed text, 1 to `max` characters (a reason, a key or token name). Trimming comes
 * first, so a trailing newline is dropped rather than refused.
 */
export function plainText(max: number) {
  return z.string().trim().min(1).max(max).superRefine(refuseControls(false));
}

/** One line, stored exactly as sent (tags, owners: flag fields round-trip unchanged). */
export function label(max: number, min = 0) {
  return z.string().min(min).max(max).superRefine(refuseControls(false));
}

/** Text that may span lines with `\n`, stored exactly as sent, at most `max` characters (descriptions). */
export function multilineText(max: number) {
  return z.string().max(max).superRefine(refuseControls(true));
}
