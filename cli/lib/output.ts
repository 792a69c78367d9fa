/** Human output: aligned tables, serve summaries, times, the progress bar; and JSON for `--json`. */
import type { Flag } from "./types.ts";

/**
 * Control characters (C0, DEL, C1), the Unicode line separators and bidirectional overrides: what
 * can move the cursor, clear or retitle the terminal, or reorder what it shows. Audit rows written
 * before the API refused them may still hold some, so every human line goes through printable().
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every control character shown as an escape: `\n` as `\\n`, ESC as `\\x1b`, CSI as
 * `\\u009b`. Idempotent (its output holds no control character), so escaping twice is harmless.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return NAMED[c] ?? (code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`);
  });
}

/**
 * Where commands write: data on stdout, everything meant for the person on stderr. Each call is
 * one line, escaped by printable() (it holds server text: names, reasons, API error messages);
 * several lines go through lines(). `--json` output is JSON.stringify's, which escapes already.
 */
export const out = {
  line(text = ""): void {
    process.stdout.write(`${printable(text)}\n`);
  },
  lines(texts: readonly string[]): void {
    process.stdout.write(texts.map((t) => `${printable(t)}\n`).join(""));
  },
  json(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
  /** One JSON value on one line (NDJSON: `--follow --json`). */
  ndjson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  },
  /** Diagnostics, prompts and progress that must not mix with stdout data. */
  err(text: string): void {
    process.stderr.write(`${printable(text)}\n`);
  },
};

/** Columns padded to the widest cell (the last one is not padded); a null header prints none. */
export function table(header: readonly string[] | null, rawRows: readonly (readonly string[])[]): string[] {
  // Escaped before measuring, so a cell with a control character still lines up.
  const rows = rawRows.map((r) => r.map(printable));
  const count = header?.length ?? rows[0]?.length ?? 0;
  const widths = Array.from({ length: count }, (_, i) => Math.max(displayWidth(header?.[i] ?? ""), ...rows.map((r) => displayWidth(r[i] ?? ""))));
  const render = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat((widths[i] ?? 0) - displayWidth(c))))
      .join("  ")
      .trimEnd();
  return header === null ? rows.map(render) : [render(header), ...rows.map(render)];
}

export function displayWidth(text: string): number {
  return [...text].length;
}

/** `2035-01-01T00:02:00.000Z` → `2035-01-01 00:02:00Z`. */
export function time(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "—";
  return iso.replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

/** 90 → `1m30s`, 86400 → `1d`, 3700 → `1h1m`. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const r = s % 60;
  const parts = [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : "", r && !d ? `${r}s` : ""].filter(Boolean);
  return parts.length === 0 ? "0s" : parts.slice(0, 2).join("");
}

export function percent(p: number | null | undefined): string {
  if (p === null || p === undefined) return "—";
  return `${Number.isInteger(p) ? p : Number(p.toFixed(3))} %`;
}

/** What a serve does, in one phrase: `on`, `a 50 % / b 50 %`, `on 25 % (else off)`. */
export function serveSummary(serve: Flag["fallthrough"]): string {
  if ("variant" in serve) return serve.variant;
  if ("split" in serve) return Object.entries(serve.split).map(([v, w]) => `${v} ${percent(w)}`).join(" / ");
  const r = serve.rollout;
  const ramp = r.startAt !== undefined ? ` (ramping ${String(r.startAt)} → ${String(r.endAt)})` : "";
  return `${r.variant} ${percent(r.percentage)} (else ${r.baseline})${ramp}`;
}

export function variantsSummary(flag: Pick<Flag, "variants">): string {
  return Object.entries(flag.variants)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(", ");
}

/** `[██████████░░░░░░░░░░░░░░░░░░░░]` for a share of 0–100. */
export function progressBar(percentage: number, width = 30): string {
  const filled = Math.round((Math.min(100, Math.max(0, percentage)) / 100) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}

export const CHECK = "✓";
export const CROSS = "✗";
