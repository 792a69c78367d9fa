/**
 * The segment pages' admin API calls and types, on top of `Api.request`: list, read, replace,
 * create-if-absent, members change and delete (src/http/admin/segments.ts). Segment writes take
 * no `If-Match` (unlike flags), so the guards that keep a write from overwriting someone else's are
 * best-effort reads just before it; the comments at each say what they do and do not protect.
 */
import { type Api, ApiError } from "./api.js";

export interface SegmentCondition {
  attribute?: string;
  op: string;
  values: unknown[];
}

export interface Segment {
  key: string;
  description?: string;
  include: string[];
  exclude: string[];
  rules: { when: SegmentCondition[] }[];
  bucketBy: string;
  version: number;
  updatedAt?: string;
}

export interface SegmentView {
  segment: Segment;
  usedBy: string[];
}

export interface SegmentWrite extends SegmentView {
  created: boolean;
  changed: boolean;
}

export interface MembersResult extends SegmentWrite {
  added: string[];
  removed: string[];
}

const segmentsPath = (env: string) => `/admin/v1/envs/${encodeURIComponent(env)}/segments`;
const segmentPath = (env: string, key: string) => `${segmentsPath(env)}/${encodeURIComponent(key)}`;
const reasonQuery = (reason: string) => (reason.trim() === "" ? "" : `?reason=${encodeURIComponent(reason.trim())}`);

export async function listSegments(api: Api, env: string): Promise<SegmentView[]> {
  return (await api.request<{ segments: SegmentView[] }>("GET", segmentsPath(env))).segments;
}

export function getSegment(api: Api, env: string, key: string): Promise<SegmentView> {
  return api.request("GET", segmentPath(env, key));
}

/** The segment, or null when the environment has none by that key (404). */
export async function getSegmentOrNull(api: Api, env: string, key: string): Promise<SegmentView | null> {
  try {
    return await getSegment(api, env, key);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export function putSegment(api: Api, env: string, key: string, body: unknown, reason: string): Promise<SegmentWrite> {
  return api.request("PUT", `${segmentPath(env, key)}${reasonQuery(reason)}`, body);
}

/** Thrown by the guarded writes when the segment is not what the page expected. */
export class StaleSegment extends Error {}

/**
 * Creates an empty segment, refusing when one by that key exists. The PUT has no create-only
 * guard, so this reads first: a create racing another within that instant could still replace it.
 */
export async function createSegment(api: Api, env: string, body: { key: string; description?: string }, reason: string): Promise<SegmentWrite> {
  if (await getSegmentOrNull(api, env, body.key)) throw new StaleSegment(`segment "${body.key}" already exists in ${env}`);
  return putSegment(api, env, body.key, body, reason);
}

/**
 * Replaces the segment unless its version moved on since `version` was loaded (checked by a read
 * just before the write: it catches the usual stale editor, not a write in the same instant).
 */
export async function saveSegment(api: Api, env: string, key: string, body: unknown, version: number, reason: string): Promise<SegmentWrite> {
  const current = await getSegmentOrNull(api, env, key);
  if (!current || current.segment.version !== version) throw new StaleSegment(`segment "${key}" changed since it was loaded`);
  return putSegment(api, env, key, body, reason);
}

export function changeMembers(api: Api, env: string, key: string, change: { add: string[]; remove: string[] }, reason: string): Promise<MembersResult> {
  return api.request("POST", `${segmentPath(env, key)}/members${reasonQuery(reason)}`, change);
}

export function deleteSegment(api: Api, env: string, key: string, reason: string): Promise<unknown> {
  return api.request("DELETE", `${segmentPath(env, key)}${reasonQuery(reason)}`);
}
