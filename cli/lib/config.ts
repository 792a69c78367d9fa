/**
 * Where the API is and who we are: `--url`/`--token` or FLAGS_URL/FLAGS_TOKEN, validated with zod.
 * Option values of the commands are validated here too, so every bad argument is a UsageError
 * (exit 2) with the option's name in the message.
 */
import { z } from "zod";
import { UsageError } from "./errors.ts";

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

export interface Connection {
  readonly url: string;
  readonly token: string | undefined;
  readonly json: boolean;
}

const Url = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. http://localhost:8787" })
  .transform((u) => u.replace(/\/+$/, ""));
const Token = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .regex(/^\S+$/, "must not contain spaces");

export function connection(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Connection {
  const rawUrl = globals.url ?? env.FLAGS_URL;
  if (rawUrl === undefined || rawUrl === "") throw new UsageError("no API address: pass --url or set FLAGS_URL (e.g. http://localhost:8787)");
  const url = parse(Url, rawUrl, globals.url !== undefined ? "--url" : "FLAGS_URL");
  const rawToken = globals.token ?? (env.FLAGS_TOKEN === "" ? undefined : env.FLAGS_TOKEN);
  const token = rawToken === undefined ? undefined : parse(Token, rawToken, globals.token !== undefined ? "--token" : "FLAGS_TOKEN");
  return { url, token, json: globals.json === true };
}

/** Validates one value; the error names where it came from (`--limit`, `FLAGS_URL`, `<flag>`). */
export function parse<T extends z.ZodType>(schema: T, value: unknown, name: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const shown = typeof value === "string" ? ` "${value}"` : "";
  throw new UsageError(`invalid ${name}${shown}: ${issue?.message ?? "invalid value"}`);
}

// ── option schemas shared by the commands ────────────────────────────────────────────────────

export const EnvName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "environment names are 1-32 chars of [a-z0-9-], starting with a letter");
export const FlagKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "flag keys match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
export const VariantName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "variant names are 1-64 chars of [A-Za-z0-9._-]");
export const Reason = z.string().trim().min(1, "must not be empty").max(1000, "at most 1000 characters");
/** Seconds as a number (fractions allowed), e.g. `--wait 600`, `--interval 0.5`. */
export const Seconds = z.coerce.number({ error: "must be a number of seconds" }).positive("must be more than 0").max(30 * 86_400, "at most 30 days");
/** Whole seconds for the API (`--min-stage-duration 300`). */
export const WholeSeconds = z.coerce
  .number({ error: "must be a number of seconds" })
  .int("must be whole seconds")
  .min(0, "must not be negative")
  .max(30 * 86_400, "at most 30 days");
export const NonNegativeInt = z.coerce.number({ error: "must be a number" }).int("must be a whole number").nonnegative("must not be negative");

const RELATIVE = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `--since 2h` (that long ago) or an ISO-8601 time; the API takes ISO-8601. */
export const TimeBefore = z.string().transform((value, ctx) => {
  const relative = RELATIVE.exec(value.trim());
  if (relative) {
    const ms = Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
    return new Date(Date.now() - ms).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) {
    return new Date(Date.parse(value)).toISOString();
  }
  ctx.addIssue({ code: "custom", message: "expected a duration ago (30m, 2h, 7d) or an ISO-8601 time (2026-11-26T10:00:00Z)" });
  return z.NEVER;
});

/** `--start-at`: ISO-8601 time, or a duration from now (`+10m`, `10m`). */
export const TimeAfter = z.string().transform((value, ctx) => {
  const relative = RELATIVE.exec(value.trim().replace(/^\+/, ""));
  if (relative) return new Date(Date.now() + Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(Date.parse(value)).toISOString();
  ctx.addIssue({ code: "custom", message: "expected an ISO-8601 time (2026-11-26T10:00:00Z) or a duration from now (+10m, 2h)" });
  return z.NEVER;
});

/** Production environments (`production`, `prod`, `prod-eu`, `production-2` …) ask for confirmation before a deploy. */
export function isProduction(env: string): boolean {
  return /^prod(uction)?(-|$)/.test(env);
}
