/**
 * Where the API is and who we are: `--url`/`--token` or FLAGS_URL/FLAGS_TOKEN, validated with zod.
 * Option values of the commands are validated here too, so every bad argument is a UsageError
 * (exit 2) with the option's name in the message.
 */
import { z } from "zod";
import { FLAG_KEY_PATTERN } from "../../src/domain/flag.ts";
import { RolloutRequest } from "../../src/domain/rollout/model.ts";
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
  // fetch refuses such URLs, and its error repeats the password.
  .refine((u) => !hasCredentials(u), "must not contain a user name or password")
  .transform((u) => u.replace(/\/+$/, ""));
/**
 * A token goes into an `Authorization` header, so it is visible ASCII; the messages say what is
 * wrong without ever repeating the value (it is a secret, and stderr ends up in CI logs).
 */
const Token = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .superRefine((token, ctx) => {
    if (/^bearer\s/i.test(token)) ctx.addIssue({ code: "custom", message: 'must not contain spaces — drop the "Bearer " prefix' });
    else if (/\s/.test(token)) ctx.addIssue({ code: "custom", message: "must not contain spaces or line breaks" });
    else if (!/^[\x21-\x7e]+$/.test(token)) ctx.addIssue({ code: "custom", message: "must be printable ASCII (no control or non-ASCII characters)" });
  });

export function connection(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Connection {
  const rawUrl = globals.url ?? env.FLAGS_URL;
  if (rawUrl === undefined || rawUrl === "") throw new UsageError("no API address: pass --url or set FLAGS_URL (e.g. http://localhost:8787)");
  const url = parse(Url, rawUrl, globals.url !== undefined ? "--url" : "FLAGS_URL", { secret: hasCredentials(rawUrl) });
  const rawToken = globals.token ?? (env.FLAGS_TOKEN === "" ? undefined : env.FLAGS_TOKEN);
  const token = rawToken === undefined ? undefined : parse(Token, rawToken, globals.token !== undefined ? "--token" : "FLAGS_TOKEN", { secret: true });
  return { url, token, json: globals.json === true };
}

/** Whether an address carries `user:password@` (a secret: never shown). */
function hasCredentials(address: string): boolean {
  try {
    const url = new URL(address);
    return url.username !== "" || url.password !== "";
  } catch {
    return address.includes("@");
  }
}

/**
 * Words for zod's built-in checks where a schema brings no message of its own (the ones from src/
 * are written for the API, which reports zod's defaults): "at most 1000 characters", not
 * "Too big: expected string to have <=1000 characters".
 */
function optionMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "too_small") {
    if (issue.origin === "string") return issue.minimum === 1 ? "must not be empty" : `at least ${issue.minimum} characters`;
    if (issue.origin === "number") return issue.minimum === 0 && issue.inclusive === true ? "must not be negative" : `at least ${issue.minimum}`;
  }
  if (issue.code === "too_big") {
    if (issue.origin === "string") return `at most ${issue.maximum} characters`;
    if (issue.origin === "number") return `at most ${issue.maximum}`;
  }
  if (issue.code === "invalid_format" && issue.format === "regex" && "pattern" in issue) return `must match ${String(issue.pattern)}`;
  if (issue.code === "invalid_value") return `expected one of ${issue.values.map(String).join(", ")}`;
  return undefined;
}

/**
 * Validates one value; the error names where it came from (`--limit`, `FLAGS_URL`, `<flag>`) and
 * quotes the value, except a secret's.
 */
export function parse<T extends z.ZodType>(schema: T, value: unknown, name: string, options: { secret?: boolean } = {}): z.output<T> {
  const result = schema.safeParse(value, { error: optionMessage });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const shown = typeof value === "string" && options.secret !== true ? ` "${value}"` : "";
  throw new UsageError(`invalid ${name}${shown}: ${issue?.message ?? "invalid value"}`);
}

// ── option schemas shared by the commands ────────────────────────────────────────────────────
// The API's own rules, imported from src/ at run time (cli/lib/resolve-src.ts); only the CLI's
// conveniences (relative times, seconds with fractions) are defined here.

export { EnvironmentName as EnvName } from "../../src/domain/snapshot.ts";
export { VariantName } from "../../src/domain/flag.ts";
/** The domain's flag-key pattern, with the message saying what the value is. */
export const FlagKey = z.string().regex(FLAG_KEY_PATTERN, `flag keys match ${FLAG_KEY_PATTERN.source}`);
/**
 * An audit reason, by the rule of the rollout request's `reason`: every admin route applies the same
 * rule, and this is the one copy of it in a module that loads outside the Worker.
 */
export const Reason = RolloutRequest.shape.reason.unwrap();
/** Seconds as a number (fractions allowed), e.g. `--wait 600`, `--interval 0.5`. */
export const Seconds = z.coerce.number({ error: "must be a number of seconds" }).positive("must be more than 0").max(30 * 86_400, "at most 30 days");
/** Whole seconds for a rollout request's field, by that field's own bounds (`--min-stage-duration 300`). */
const wholeSecondsOf = (field: "minStageDurationSeconds" | "finalBakeSeconds") =>
  z.coerce.number({ error: "must be a number of seconds" }).int("must be whole seconds").pipe(RolloutRequest.shape[field].unwrap());
export const MinStageSeconds = wholeSecondsOf("minStageDurationSeconds");
export const FinalBakeSeconds = wholeSecondsOf("finalBakeSeconds");
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

/** `--timeout 10s` (or 2m, 1h, or plain seconds: `10`): a span of time, in seconds. */
export const DurationSeconds = z.string().transform((value, ctx) => {
  const text = value.trim();
  const relative = RELATIVE.exec(text);
  const seconds = relative ? (Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]) / 1000 : /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds > 0)) {
    ctx.addIssue({ code: "custom", message: "expected a duration of more than 0 (10s, 5m, 1h, or seconds)" });
    return z.NEVER;
  }
  return seconds;
});

/** The `If-Match` header of a guarded write from `--if-version <n>` (none without it; "0": create only). */
export function ifVersionHeader(version: string | undefined): Record<string, string> {
  return version === undefined ? {} : { "If-Match": `"${parse(NonNegativeInt, version, "--if-version")}"` };
}
