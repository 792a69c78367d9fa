/**
 * OFREP event streams (OFREP ADR-0008; docs/push.md): what a bulk evaluation advertises
 * (`eventStreams`) and `GET /ofrep/v1/events`, the SSE stream behind it.
 *
 * The stream URL carries a signed stream token (src/push/stream-token.ts), never the SDK key, since
 * EventSource cannot send headers; anonymous dev mode uses `?env=` and no token. The Worker holds
 * the SSE response and one hibernatable WebSocket to the environment's Durable Object; on every
 * change it hears of, it sends `refetchEvaluation` with the new version as `etag` — on a client
 * key's stream only when the client-visible flags changed. A revoked key's stream gets one last
 * event and ends.
 */
import type { Context } from "hono";
import { z } from "zod";
import { visibleFlagsEvery, type CompiledSnapshot } from "../domain/snapshot.js";
import { edgeSnapshot, strongSnapshot, type SnapshotSource } from "../edge/snapshot-cache.js";
import type { ChangeMessage } from "../environment/subscribers.js";
import { openSse } from "../push/sse.js";
import { peekStreamClaims, signStreamToken, verifyStreamToken } from "../push/stream-token.js";
import { subscribe } from "../push/subscription.js";
import type { AppEnv } from "./app-env.js";
import { grantOf, identify } from "./auth.js";
import { etagOf } from "./etag.js";
import { deniedResponse } from "./evaluation-access.js";
import { failure } from "./ofrep-errors.js";
import { inSubset, subsetId, subsetPath, type Subset } from "./subset.js";

/** What the stock providers close an idle (hidden-tab) stream after; OFREP's default too. */
export const INACTIVITY_DELAY_SEC = 120;

export interface EventStreamEntry {
  readonly type: "sse";
  readonly url: string;
  readonly inactivityDelaySec: number;
}

/**
 * The `eventStreams` of a successful bulk answer: stable within a token window, so the body (and
 * its ETag) is too. None when the snapshot predates stream keys.
 */
export async function eventStreamsFor(c: Context<AppEnv>, snapshot: CompiledSnapshot, now: number): Promise<EventStreamEntry[] | undefined> {
  // Under a subset prefix the stream is the subset's too: it signals only changes to those flags.
  const origin = `${new URL(c.req.url).origin}${subsetPath(c.get("subset"))}`;
  const caller = identify(c);
  if (!caller.ok) return undefined;
  if (caller.kind === "anonymous") return [entry(`${origin}/ofrep/v1/events?env=${encodeURIComponent(snapshot.env)}`)];
  const grant = await grantOf(c, caller, snapshot);
  if (!grant || snapshot.streamKey === undefined) return undefined;
  const token = await signStreamToken(snapshot.streamKey, { env: snapshot.env, keyId: grant.id, visibility: grant.kind }, now);
  return [entry(`${origin}/ofrep/v1/events?token=${token}`)];
}

const entry = (url: string): EventStreamEntry => ({ type: "sse", url, inactivityDelaySec: INACTIVITY_DELAY_SEC });

const EventsQuery = z.object({
  token: z.string().min(1).max(2_000).optional(),
  env: z.string().max(64).optional(),
  lastEventId: z.string().regex(/^\d{1,15}$/).optional(),
});

/** Who a stream is for: the key's id (absent in anonymous mode) and whether it sees server-only flags. */
interface Subscriber {
  readonly env: string;
  readonly keyId: string | undefined;
  readonly clientOnly: boolean;
  readonly snapshot: CompiledSnapshot;
}

type Admission = { ok: true; subscriber: Subscriber } | { ok: false; reason: string };

const hasKey = (snapshot: CompiledSnapshot, keyId: string): boolean => [...snapshot.keys.values()].some((g) => g.id === keyId);

async function admit(source: SnapshotSource, query: z.infer<typeof EventsQuery>, now: number): Promise<Admission> {
  const { config } = source;
  if (query.token === undefined) {
    const env = query.env ?? config.anonymousEnv;
    if (config.anonymousEnv === undefined || env !== config.anonymousEnv) return { ok: false, reason: "a stream token is required (take the URL from a bulk evaluation's eventStreams)" };
    return { ok: true, subscriber: { env, keyId: undefined, clientOnly: false, snapshot: await edgeSnapshot(source, env, now) } };
  }
  const claimed = peekStreamClaims(query.token);
  if (!claimed || !config.environments.includes(claimed.env)) return { ok: false, reason: "invalid stream token" };
  if (query.env !== undefined && query.env !== claimed.env) return { ok: false, reason: "stream token is for another environment" };
  let snapshot = await edgeSnapshot(source, claimed.env, now);
  // The stream key never changes, so only a snapshot from before stream keys lacks it.
  if (snapshot.streamKey === undefined) snapshot = await strongSnapshot(source, claimed.env, now);
  if (snapshot.streamKey === undefined) return { ok: false, reason: "invalid stream token" };
  const verified = await verifyStreamToken(snapshot.streamKey, query.token, claimed.env, now);
  if (!verified.ok) return verified;
  const { keyId, visibility } = verified.claims;
  // A signed token's key unknown here may be newer than this isolate's snapshot: the DO decides (revocation too).
  if (!hasKey(snapshot, keyId)) snapshot = await strongSnapshot(source, claimed.env, now);
  if (!hasKey(snapshot, keyId)) return { ok: false, reason: "the stream token's SDK key is revoked" };
  return { ok: true, subscriber: { env: claimed.env, keyId, clientOnly: visibility === "client", snapshot } };
}

/**
 * A fingerprint of what a stream's caller can see (client-side flags, a subset), memoized per
 * compiled snapshot. A client key without a subset uses the manifest's own fingerprint (no shard is
 * read); a subset walks the visible flags (keys and versions) and adds the segments'.
 */
const fingerprints = new WeakMap<CompiledSnapshot, Map<string, Promise<string>>>();
function fingerprintOf(snapshot: CompiledSnapshot, clientOnly: boolean, subset: Subset | undefined): Promise<string> {
  const id = `${clientOnly ? "client" : "all"}|${subsetId(subset)}`;
  let prints = fingerprints.get(snapshot);
  if (prints === undefined) fingerprints.set(snapshot, (prints = new Map()));
  let print = prints.get(id);
  if (print === undefined) {
    print = subset === undefined
      ? Promise.resolve(etagOf(snapshot.clientFingerprint))
      : visibleFlagsEvery(snapshot, clientOnly ? "clientSide" : "all").then((visible) =>
          etagOf(visible.filter((c) => inSubset(subset, c.flag)).map((c) => `${c.flag.key}@${c.flag.version}`).join(",") + snapshot.segmentsFingerprint),
        );
    prints.set(id, print);
  }
  return print;
}

export async function eventStream(c: Context<AppEnv>): Promise<Response> {
  const now = Date.now();
  const query = EventsQuery.safeParse({ token: c.req.query("token"), env: c.req.query("env"), lastEventId: c.req.header("last-event-id")?.trim() || c.req.query("lastEventId") });
  if (!query.success) return failure(c, 400, "GENERAL", query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const source = { env: c.env, config: c.get("config") };
  const admission = await admit(source, query.data, now);
  if (!admission.ok) return deniedResponse(401, admission.reason);
  const { env, keyId, clientOnly, snapshot: opened } = admission.subscriber;
  const subset = c.get("subset");
  /** Whether this stream only signals changes to what it can see (client keys, subsets) rather than every version. */
  const narrowed = clientOnly || subset !== undefined;

  const resumeFrom = query.data.lastEventId === undefined ? undefined : Number(query.data.lastEventId);
  /** The newest version this stream has dealt with; a resume starts from the client's last event. */
  let seen = resumeFrom ?? opened.version;
  let fingerprint = narrowed ? await fingerprintOf(opened, clientOnly, subset) : "";
  /** A resumed client stream cannot tell what changed while it was away: its first newer version is always sent. */
  let forceNext = resumeFrom !== undefined;

  const onChange = async (change: ChangeMessage): Promise<void> => {
    if (change.version <= seen) return;
    seen = change.version;
    const frame = { id: change.version, event: "message", data: JSON.stringify({ type: "refetchEvaluation", etag: `"${change.version}"`, lastModified: change.lastModified }) };
    if (keyId === undefined && !narrowed) return sse.write(frame);
    // The Durable Object announced this version, so it exists: read through to it (shared by concurrent streams).
    const current = await edgeSnapshot(source, env, Date.now(), { minVersion: change.version });
    if (keyId !== undefined && !hasKey(current, keyId)) {
      sse.write(frame);
      return sse.end();
    }
    if (narrowed) {
      const next = await fingerprintOf(current, clientOnly, subset);
      const changed = forceNext || next !== fingerprint;
      fingerprint = next;
      forceNext = false;
      if (!changed) return;
    }
    sse.write(frame);
  };

  let subscription: { close(): void } | undefined;
  const sse = openSse(() => subscription?.close());
  subscription = await subscribe(c.env, env, "evaluation", {
    onMessage: (message) => (message.type === "change" ? onChange(message) : undefined),
    onClose: () => sse.end(),
  });
  if (!subscription) {
    sse.end();
    return failure(c, 503, "GENERAL", "the environment's change feed is unavailable; retry");
  }
  return sse.response;
}
