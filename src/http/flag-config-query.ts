/**
 * `?flagConfigEtag=…&flagConfigLastModified=…`: what an OFREP provider sends when it re-fetches
 * because an event stream announced a change. The etag is the configuration version the event
 * named (`"n"`, `W/"n"` or bare `n`); the answer must come from a snapshot at least that new.
 * `flagConfigLastModified` (unix seconds or ISO 8601) is validated and otherwise informative: the
 * version alone decides freshness.
 */
import { z } from "zod";

const ETAG = /^(?:W\/)?"(\d{1,15})"$|^(\d{1,15})$/;
const ISO_8601 = z.iso.datetime({ offset: true });

export const FlagConfigEtag = z
  .string()
  .regex(ETAG, 'flagConfigEtag must be a configuration version: "n", W/"n" or n')
  .transform((raw) => {
    const match = ETAG.exec(raw) as RegExpExecArray;
    return Number(match[1] ?? match[2]);
  });

export const FlagConfigLastModified = z
  .string()
  .refine((raw) => /^\d{1,12}$/.test(raw) || ISO_8601.safeParse(raw).success, {
    message: "flagConfigLastModified must be unix seconds or an ISO 8601 date-time",
  });

export const FlagConfigQuery = z.object({
  flagConfigEtag: FlagConfigEtag.optional(),
  flagConfigLastModified: FlagConfigLastModified.optional(),
});

/** The query parameters this module owns (not evaluation-context attributes on `/v1/flags`). */
export const FLAG_CONFIG_PARAMS = ["flagConfigEtag", "flagConfigLastModified"] as const;

export type FlagConfigParse =
  | { readonly ok: true; readonly minVersion: number | undefined }
  | { readonly ok: false; readonly field: string; readonly reason: string };

/** The least snapshot version the request asks for, or why its parameters are malformed. */
export function parseFlagConfigQuery(query: (name: string) => string | undefined): FlagConfigParse {
  const parsed = FlagConfigQuery.safeParse({
    flagConfigEtag: query("flagConfigEtag"),
    flagConfigLastModified: query("flagConfigLastModified"),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    return { ok: false, field: String(issue.path[0] ?? "query"), reason: issue.message };
  }
  return { ok: true, minVersion: parsed.data.flagConfigEtag };
}
