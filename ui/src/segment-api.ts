/**
 * The segment pages' admin API calls and types, on top of `Api.request`: list, read, replace,
 * create-if-absent, members change and delete (src/http/admin/segments.ts). Create and save are
 * guarded by `If-Match` as flag writes are ("0": must not exist yet; else the version loaded), so
 * the Durable Object refuses, atomically, to overwrite what someone else wrote meanwhile.
 */
import { type Api, ApiError } from "./api.js";
import { ifMatch } from "./flag-editor-model.js";

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

/** PUT with `If-Match: "<version>"`: refused with 409 unless the segment is still at that version. */
function guardedPut(api: Api, env: string, key: string, body: unknown, version: number, reason: string): Promise<SegmentWrite> {
  return api.request("PUT", `${segmentPath(env, key)}${reasonQuery(reason)}`, body, { "If-Match": ifMatch(version) });
}

/** Creates an empty segment; a key already taken is refused with "already exists" (the API's 409 under If-Match "0"). */
export async function createSegment(api: Api, env: string, body: { key: string; description?: string }, reason: string): Promise<SegmentWrite> {
  try {
    return await guardedPut(api, env, body.key, body, 0, reason);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) throw new Error(`segment "${body.key}" already exists in ${env}`);
    throw e;
  }
}

/** Replaces the segment unless its version moved on since `version` was loaded (409, shown as the stale notice). */
export function saveSegment(api: Api, env: string, key: string, body: unknown, version: number, reason: string): Promise<SegmentWrite> {
  return guardedPut(api, env, key, body, version, reason);
}

export function changeMembers(api: Api, env: string, key: string, change: { add: string[]; remove: string[] }, reason: string): Promise<MembersResult> {
  return api.request("POST", `${segmentPath(env, key)}/members${reasonQuery(reason)}`, change);
}

export function deleteSegment(api: Api, env: string, key: string, reason: string): Promise<unknown> {
  return api.request("DELETE", `${segmentPath(env, key)}${reasonQuery(reason)}`);
}
