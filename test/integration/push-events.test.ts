/**
 * OFREP event streams through the real Worker (docs/push.md): the advertised URL, an event for
 * every kind of change, resume with Last-Event-ID, token expiry and environment binding, key
 * revocation ending the stream, and a client key's stream staying quiet on server-only changes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { signClaims, streamTokenExpiry, STREAM_TOKEN_WINDOW_MS } from "../../src/push/stream-token.js";
import { adminJson, booleanFlag } from "./admin-helpers.js";
import { bearer, call, createKey, environment, postJson, published } from "./helpers.js";
import { simulate, tickAt } from "./rollout-helpers.js";
import { SimClock } from "../support/sim-clock.js";
import { SseReader, type SseEvent } from "./sse-reader.js";

const ENV = "production";
const open: SseReader[] = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

interface Bulk {
  eventStreams?: { type: string; url: string; inactivityDelaySec: number }[];
  metadata: { version: number };
}

async function bulk(headers: Record<string, string>): Promise<{ status: number; body: Bulk; etag: string | null }> {
  const res = await postJson("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, headers);
  return { status: res.status, body: (await res.json()) as Bulk, etag: res.headers.get("etag") };
}

async function stream(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const res = await call(url.replace(/^https?:\/\/[^/]+/, ""), { headers });
  expect(res.status, await peek(res)).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = new SseReader(res);
  open.push(reader);
  return reader;
}

const peek = async (res: Response): Promise<string> => (res.status === 200 ? "" : `${res.status} ${res.headers.get("www-authenticate")} ${await res.text()}`);

const refetch = (e: SseEvent) => (JSON.parse(e.data) as { type: string }).type === "refetchEvaluation";

async function putFlag(env: string, key: string, overrides: Record<string, unknown> = {}): Promise<number> {
  const res = await adminJson<{ environmentVersion: number }>("PUT", `/envs/${env}/flags/${key}`, booleanFlag(key, overrides));
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body.environmentVersion;
}

async function streamFor(kind: "client" | "server", env = ENV): Promise<{ reader: SseReader; url: string; key: string; keyId: string }> {
  const created = await createKey(env, kind);
  await published(env);
  const { body } = await bulk(bearer(created.key));
  const url = body.eventStreams?.[0]?.url as string;
  return { reader: await stream(url), url, key: created.key, keyId: created.id };
}

describe("bulk evaluation advertises an event stream", () => {
  it("an absolute URL with a stream token (not the SDK key), stable between requests so 304s keep working", async () => {
    const { key } = await createKey(ENV, "server");
    const first = await bulk(bearer(key));
    expect(first.body.eventStreams).toEqual([{ type: "sse", url: expect.stringMatching(/^https:\/\/flags\.test\/ofrep\/v1\/events\?token=[A-Za-z0-9_-]+\.[0-9a-f]{64}$/), inactivityDelaySec: 120 }]);
    expect(first.body.eventStreams?.[0]?.url).not.toContain(key);
    const second = await bulk(bearer(key));
    expect(second.body).toEqual(first.body);
    const conditional = await postJson("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, { ...bearer(key), "If-None-Match": first.etag as string });
    expect(conditional.status).toBe(304);
  });

  it("anonymous dev mode advertises ?env= and streams without a token", async () => {
    const { body } = await bulk({});
    expect(body.eventStreams?.[0]?.url).toBe("https://flags.test/ofrep/v1/events?env=development");
    const reader = await stream(body.eventStreams?.[0]?.url as string);
    await reader.next(200);
    expect(reader.raw).toContain("retry: 1000\n\n");
    const version = await putFlag("development", "push_anon_flag");
    const e = await reader.until((x) => refetch(x) && Number(x.id) >= version);
    expect(e.event).toBe("message");
    expect(JSON.parse(e.data)).toEqual({ type: "refetchEvaluation", etag: `"${e.id}"`, lastModified: expect.any(Number) });
  });
});

const versionOf = async (env: string): Promise<number> => (await environment(env).status()).version;

/** Runs `change`, then expects the stream's next refetch event to name the environment's new version. */
async function expectEventFor(reader: SseReader, env: string, change: () => Promise<unknown>): Promise<SseEvent> {
  const before = await versionOf(env);
  await change();
  const after = await versionOf(env);
  expect(after).toBeGreaterThan(before);
  const e = await reader.until((x) => refetch(x) && Number(x.id) > before);
  expect(Number(e.id)).toBe(after);
  expect(JSON.parse(e.data)).toMatchObject({ etag: `"${after}"` });
  return e;
}

const clock = new SimClock();

describe("an event for every change that can change evaluations", () => {
  it("import, override change (a tick that records FLAG_OVERRIDES), rollout creation, a rollout step and a rollback", async () => {
    const { reader } = await streamFor("server", "staging");
    await expectEventFor(reader, "staging", async () => {
      const res = await adminJson("POST", "/envs/staging/import", { flags: [booleanFlag("push_imported_a"), booleanFlag("push_imported_b")] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
    // The first tick records staging's FLAG_OVERRIDES (vitest.config.ts) and bumps the version.
    await expectEventFor(reader, "staging", () => tickAt(clock.now));
    const audit = await adminJson<{ entries: { action: string }[] }>("GET", "/envs/staging/audit?action=overrides.changed");
    expect(audit.body.entries.length).toBe(1);
    let id = "";
    await expectEventFor(reader, "staging", async () => {
      const res = await adminJson<{ rollout: { id: string } }>("POST", "/envs/staging/rollouts", { flag: "phase_4_deployment", variant: "on", strategy: "fast", minStageDurationSeconds: 300, finalBakeSeconds: 300 });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      id = res.body.rollout.id;
    });
    await expectEventFor(reader, "staging", () =>
      simulate({ env: "staging", flag: "phase_4_deployment", variant: "on", id, from: clock.now, maxMinutes: 15, metrics: () => ({ requests: 2_000, errors: 4 }), until: (v) => v.stageIndex > 0 }),
    );
    await expectEventFor(reader, "staging", async () => {
      const res = await adminJson("POST", `/envs/staging/rollouts/${id}/rollback`, { reason: "push test" });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
  });

  it("flag write and kill switch", async () => {
    const { reader } = await streamFor("server");
    const v1 = await putFlag(ENV, "push_write");
    expect(Number((await reader.until((e) => Number(e.id) >= v1)).id)).toBe(v1);
    const kill = await adminJson<{ environmentVersion: number }>("POST", `/envs/${ENV}/flags/push_write/disable`);
    expect(kill.status, JSON.stringify(kill.body)).toBe(200);
    expect(Number((await reader.until((e) => Number(e.id) >= kill.body.environmentVersion)).id)).toBe(kill.body.environmentVersion);
  });
});

describe("resume, token expiry, environment binding", () => {
  it("Last-Event-ID older than the current version gets one immediate event; a current one gets none", async () => {
    const { url } = await streamFor("server");
    const current = await versionOf(ENV);
    const behind = await stream(url, { "Last-Event-ID": String(current - 1) });
    const e = await behind.next(3_000);
    expect(e && Number(e.id)).toBe(current);
    const upToDate = await stream(url, { "Last-Event-ID": String(current) });
    expect(await upToDate.next(500)).toBeNull();
    const viaQuery = await stream(`${url}&lastEventId=${current - 1}`);
    expect(Number((await viaQuery.next(3_000))?.id)).toBe(current);
  });

  it("an expired token, a token for another environment and a tampered token are refused with 401", async () => {
    const created = await createKey(ENV, "server");
    await published(ENV);
    const snapshot = (await environment(ENV).getSnapshot()) as { streamKey: string };
    const expired = await signClaims(snapshot.streamKey, { env: ENV, keyId: created.id, visibility: "server", exp: streamTokenExpiry(Date.now() - 2 * STREAM_TOKEN_WINDOW_MS) });
    const res = await call(`/ofrep/v1/events?token=${expired}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("expired");
    // Still inside the grace window: accepted.
    const recent = await signClaims(snapshot.streamKey, { env: ENV, keyId: created.id, visibility: "server", exp: streamTokenExpiry(Date.now() - STREAM_TOKEN_WINDOW_MS / 2) });
    const ok = await call(`/ofrep/v1/events?token=${recent}`);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    // Signed with production's key but claiming staging: staging's key does not verify it.
    const otherEnv = await signClaims(snapshot.streamKey, { env: "staging", keyId: created.id, visibility: "server", exp: streamTokenExpiry(Date.now()) });
    expect((await call(`/ofrep/v1/events?token=${otherEnv}`)).status).toBe(401);
    const good = await signClaims(snapshot.streamKey, { env: ENV, keyId: created.id, visibility: "server", exp: streamTokenExpiry(Date.now()) });
    expect((await call(`/ofrep/v1/events?token=${good}&env=staging`)).status).toBe(401);
    const tampered = good.replace(/.$/, (ch) => (ch === "0" ? "1" : "0"));
    expect((await call(`/ofrep/v1/events?token=${tampered}`)).status).toBe(401);
    expect((await call("/ofrep/v1/events?env=production")).status).toBe(401);
  });
});

describe("credentials", () => {
  it("revoking the key sends one last event and ends its stream; reconnecting is refused", async () => {
    const { reader, url, keyId } = await streamFor("server");
    const res = await adminJson("DELETE", `/envs/${ENV}/sdk-keys/${keyId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await reader.endsWithin(5_000)).toBe(true);
    expect(reader.raw).toContain("refetchEvaluation");
    const again = await call(url.replace("https://flags.test", ""));
    expect(again.status).toBe(401);
  });

  it("a client key's stream hears client-visible changes only", async () => {
    const { reader } = await streamFor("client");
    await putFlag(ENV, "push_server_only", { clientSide: false });
    expect(await reader.next(1_500)).toBeNull();
    const v = await putFlag(ENV, "push_client_visible", { clientSide: true });
    expect(Number((await reader.until(refetch)).id)).toBe(v);
  });

  it("closing the client's stream closes the Durable Object subscription", async () => {
    const { reader } = await streamFor("server");
    await reader.close();
    open.pop();
    // A later change still reaches a new stream, and the closed one caused no error.
    const { reader: second } = await streamFor("server");
    const v = await putFlag(ENV, "push_after_close");
    expect(Number((await second.until((e) => Number(e.id) >= v)).id)).toBe(v);
  });
});
