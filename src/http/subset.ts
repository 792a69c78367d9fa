/**
 * Subsets of an environment's flags selected by a path prefix on the provider's base URL, so every
 * stock OFREP provider (which only appends `/ofrep/v1/…` to its base URL) can ask for fewer flags:
 *
 *   base URL https://host/subsets/tag/checkout        → only flags tagged `checkout`
 *   base URL https://host/subsets/prefix/checkout.    → only flags whose key starts with `checkout.`
 *
 * Under the prefix, bulk evaluation returns the subset, single-flag evaluation answers
 * FLAG_NOT_FOUND for a flag outside it, and the event stream signals only changes to it
 * (docs/ofrep.md, "Subsets"). A malformed subset is a 400 in OFREP's failure shape. The same
 * subsets can be asked for as `?tag=` / `?prefix=` under `/ofrep/v1` (`querySubset`).
 */
import type { Context, Next } from "hono";
import { z } from "zod";
import { label } from "../domain/text.js";
import type { AppEnv } from "./app-env.js";
import { failure } from "./ofrep-errors.js";

/** A key prefix: 1-128 characters a flag key may contain. */
const KeyPrefix = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, "a key prefix is 1-128 characters of [A-Za-z0-9._-]");

/** The one schema of a subset, from the two path segments after `/subsets/`. */
export const Subset = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tag"), value: label(64, 1) }),
  z.object({ kind: z.literal("prefix"), value: KeyPrefix }),
], { error: 'a subset is /subsets/tag/<tag> or /subsets/prefix/<key prefix>' });
export type Subset = z.infer<typeof Subset>;

/** The mount point of the subset routes: `/subsets/<kind>/<value>/ofrep/v1`. */
export const SUBSET_OFREP_PATH = "/subsets/:kind/:value/ofrep/v1";

/** Whether a flag belongs to the subset (no subset: every flag). */
export function inSubset(subset: Subset | undefined, flag: { readonly key: string; readonly tags: readonly string[] }): boolean {
  if (subset === undefined) return true;
  return subset.kind === "tag" ? flag.tags.includes(subset.value) : flag.key.startsWith(subset.value);
}

/** The path the subset is served under, for URLs we hand out (the event stream's): `/subsets/tag/checkout`. */
export function subsetPath(subset: Subset | undefined): string {
  return subset === undefined ? "" : `/subsets/${subset.kind}/${encodeURIComponent(subset.value)}`;
}

/** A stable id of the subset, for memo keys. */
export const subsetId = (subset: Subset | undefined): string => (subset === undefined ? "" : `${subset.kind}:${subset.value}`);

/** Middleware on the subset mount: validates the two segments and sets `subset`, or answers 400 (OFREP shape). */
export async function parseSubset(c: Context<AppEnv>, next: Next): Promise<Response | void> {
  const parsed = Subset.safeParse({ kind: c.req.param("kind"), value: c.req.param("value") });
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `subset${i.path.length ? `.${i.path.join(".")}` : ""}: ${i.message}`).join("; ");
    const key = /\/evaluate\/flags\/([^/]+)$/.exec(c.req.path)?.[1];
    return failure(c, 400, "GENERAL", details, key === undefined ? undefined : safeDecode(key));
  }
  c.set("subset", parsed.data);
  await next();
}

/**
 * Middleware on `/ofrep/v1/*`: the same subset from the query (`?tag=checkout` or `?prefix=checkout.`),
 * for providers that can add static query parameters (the web provider's `query` option). One of
 * the two at most; nothing to do without either.
 */
export async function querySubset(c: Context<AppEnv>, next: Next): Promise<Response | void> {
  const tag = c.req.query("tag");
  const prefix = c.req.query("prefix");
  if (tag === undefined && prefix === undefined) return next();
  const key = /\/evaluate\/flags\/([^/]+)$/.exec(c.req.path)?.[1];
  const named = key === undefined ? undefined : safeDecode(key);
  if (tag !== undefined && prefix !== undefined) return failure(c, 400, "GENERAL", "subset: give ?tag= or ?prefix=, not both", named);
  const parsed = Subset.safeParse(tag !== undefined ? { kind: "tag", value: tag } : { kind: "prefix", value: prefix });
  if (!parsed.success) return failure(c, 400, "GENERAL", parsed.error.issues.map((i) => `subset.${i.path.join(".")}: ${i.message}`).join("; "), named);
  c.set("subset", parsed.data);
  await next();
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
