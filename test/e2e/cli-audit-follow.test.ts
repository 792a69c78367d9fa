/**
 * `flagctl audit --follow` end to end: against the real `wrangler dev` (flag writes reach a running
 * follower through the admin event stream, filters apply, `--timeout` and Ctrl-C end it with exit 0),
 * and against a fake server that drops the stream (reconnect with Last-Event-ID, the gap read from
 * the log, no entry printed twice, server text escaped, the token never printed).
 *
 * The real-server test changes two seeded staging flags that no other e2e file touches, and puts
 * them back (smoke.test.ts expects the seeded flags, so none is created).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { ADMIN_HEADERS, ADMIN_TOKEN } from "./support/admin.js";
import { flagctl, start } from "./support/flagctl.js";

const baseUrl = inject("baseUrl");
const RUN_ID = Date.now().toString(36);
const READY = /^following the audit log of staging \(Ctrl-C stops\)$/m;

interface Line {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: { type: string; id: string };
  reason: string | null;
}

/** stdout of `--json --follow`: one JSON object per line. */
function ndjson(stdout: string): Line[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Line);
}

async function enabledOf(key: string): Promise<boolean> {
  const res = await fetch(`${baseUrl}/admin/v1/envs/staging/flags/${key}`, { headers: ADMIN_HEADERS });
  expect(res.status).toBe(200);
  return ((await res.json()) as { flag: { enabled: boolean } }).flag.enabled;
}

describe.concurrent("flagctl audit --follow against wrangler dev", () => {
  it("prints each new matching entry as it commits (NDJSON and table rows) and exits 0 at --timeout", async () => {
    const watched = "security_hardening_enabled";
    const other = "orchestration_enabled";
    const [watchedWas, otherWas] = await Promise.all([enabledOf(watched), enabledOf(other)]);
    const flip = (key: string, enabled: boolean, reason: string) => flagctl(["flags", enabled ? "enable" : "disable", key, "--env", "staging", "--reason", reason]);

    const started = Date.now();
    const asJson = start(["audit", "--env", "staging", "--flag", watched, "--limit", "3", "--follow", "--timeout", "10s", "--json"]);
    const asTable = start(["audit", "--env", "staging", "--flag", watched, "--action", watchedWas ? "flag.disabled" : "flag.enabled", "--limit", "1", "--follow", "--timeout", "10s"]);
    await Promise.all([asJson.waitForStderr(READY), asTable.waitForStderr(READY)]);
    try {
      const first = await Promise.all([flip(watched, !watchedWas, `follow ${RUN_ID} one`), flip(other, !otherWas, `follow ${RUN_ID} other`)]);
      for (const run of first) expect(run.code, run.stderr).toBe(0);
      // Pushed, not polled: the follower prints it well before its timeout.
      await asJson.waitFor(new RegExp(`"reason":"follow ${RUN_ID} one"`), 5_000);
      await asTable.waitFor(new RegExp(`follow ${RUN_ID} one$`, "m"), 5_000);
    } finally {
      await Promise.all([flip(watched, watchedWas, `follow ${RUN_ID} two`), flip(other, otherWas, `follow ${RUN_ID} back`)]);
    }
    const [json, table] = await Promise.all([asJson.done, asTable.done]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);

    expect(json.code, json.stderr).toBe(0);
    const lines = ndjson(json.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => l.target.id === watched && (l.target.type === "flag" || l.target.type === "rollout"))).toBe(true); // --flag applies to followed entries
    const seqs = lines.map((l) => l.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b)); // oldest first, none twice
    const ours = lines.filter((l) => l.reason?.startsWith(`follow ${RUN_ID}`));
    expect(ours.map((l) => [l.action, l.reason, l.actor])).toEqual([
      [watchedWas ? "flag.disabled" : "flag.enabled", `follow ${RUN_ID} one`, "admin:bootstrap"],
      [watchedWas ? "flag.enabled" : "flag.disabled", `follow ${RUN_ID} two`, "admin:bootstrap"],
    ]);
    expect(Object.keys(ours[0] as Line).sort()).toEqual(["action", "actor", "at", "reason", "seq", "target"]);

    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.split("\n").filter((l) => l !== "");
    expect(rows[0]).toMatch(/^seq +at +actor +action +target +reason$/);
    expect(rows.filter((r) => r.includes(RUN_ID))).toEqual([
      expect.stringMatching(new RegExp(`^\\d+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +admin:bootstrap +flag\\.${watchedWas ? "disabled" : "enabled"} +flag:${watched} +follow ${RUN_ID} one$`)),
    ]); // --action applies too: the flip back is not shown
  });

  it("Ctrl-C (SIGINT) ends it with exit 0; --follow refuses --until, --cursor and --verify; --timeout needs --follow", async () => {
    const following = start(["audit", "--env", "staging", "--limit", "1", "--follow"]);
    await following.waitForStderr(READY);
    following.kill("SIGINT");
    const [stopped, until, verify, timeoutAlone, badTimeout] = await Promise.all([
      following.done,
      flagctl(["audit", "--env", "staging", "--follow", "--until", "1h"]),
      flagctl(["audit", "--env", "staging", "--follow", "--verify"]),
      flagctl(["audit", "--env", "staging", "--timeout", "10s"]),
      flagctl(["audit", "--env", "staging", "--follow", "--timeout", "soon"]),
    ]);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/^seq +at +actor +action +target +reason\n/);
    expect(until).toMatchObject({ code: 2, stderr: expect.stringMatching(/--follow .* takes no --until or --cursor/) });
    expect(verify).toMatchObject({ code: 2, stderr: expect.stringMatching(/does not go with --follow/) });
    expect(timeoutAlone).toMatchObject({ code: 2, stderr: expect.stringMatching(/--timeout goes with --follow/) });
    expect(badTimeout).toMatchObject({ code: 2, stderr: expect.stringMatching(/invalid --timeout "soon": expected a duration/) });
  });
});

// ── a server that drops the stream ──────────────────────────────────────────────────────────

const entry = (seq: number, reason: string | null = null): Line & Record<string, unknown> => ({
  id: `staging:${seq}`,
  environment: "staging",
  seq,
  at: "2026-11-26T10:00:00.000Z",
  actor: "admin:bootstrap",
  action: "flag.enabled",
  target: { type: "flag", id: "f" },
  reason,
  before: null,
  after: null,
  requestId: null,
  prevHash: "0".repeat(64),
  hash: "1".repeat(64),
});

const frame = (e: Line) => `id: ${e.seq}\nevent: audit\ndata: ${JSON.stringify({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, target: e.target, reason: e.reason })}\n\n`;
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/**
 * Log: seq 4. Stream 1 sends seq 5 and ends; seq 6 commits as it ends. Stream 2 does not
 * replay 6 (as the real one does not), sends 5 again (a duplicate to skip) and 7, and stays open.
 */
async function droppingServer(): Promise<{ url: string; lastEventIds: (string | undefined)[]; auths: (string | undefined)[]; close(): Promise<void> }> {
  const log = [entry(4, "before")];
  const lastEventIds: (string | undefined)[] = [];
  const auths: (string | undefined)[] = [];
  const open: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    auths.push(req.headers.authorization);
    if (req.url?.startsWith("/admin/v1/envs/staging/audit")) {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ entries: [...log].reverse(), nextCursor: null }));
      return;
    }
    if (req.url !== "/admin/v1/envs/staging/events") return void res.writeHead(404).end();
    lastEventIds.push(req.headers["last-event-id"] as string | undefined);
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    res.write('retry: 200\n\nevent: change\ndata: {"version":3,"lastModified":1764150000}\n\n');
    if (lastEventIds.length === 1) {
      // After the follower's gap read at connect time, so 5 comes from the stream and 6 from the log.
      setTimeout(() => {
        log.push(entry(5, "streamed"));
        res.write(frame(log.at(-1) as Line));
      }, 300);
      setTimeout(() => {
        log.push(entry(6, "while away"));
        res.end();
      }, 500);
    } else {
      log.push(entry(7, "back\u001b[2J\u202eevil"));
      res.write(`: ping\n\n${frame(log[1] as Line)}${frame(log[3] as Line)}`);
      open.push(res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lastEventIds,
    auths,
    close: () => {
      for (const res of open) res.end();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe.concurrent("flagctl audit --follow when the stream drops", () => {
  it("reconnects with Last-Event-ID, reads the missed entries from the log, prints none twice", async () => {
    const fake = await droppingServer();
    try {
      const run = await flagctl(["audit", "--env", "staging", "--follow", "--timeout", "4s", "--json"], { env: { FLAGS_URL: fake.url } });
      expect(run.code, run.stderr).toBe(0);
      expect(ndjson(run.stdout).map((l) => [l.seq, l.reason])).toEqual([
        [4, "before"],
        [5, "streamed"],
        [6, "while away"],
        [7, "back\u001b[2J\u202eevil"],
      ]);
      expect(fake.lastEventIds).toEqual(["4", "5"]); // the newest seq printed, then the last one streamed
      expect(fake.auths.every((a) => a === `Bearer ${ADMIN_TOKEN}`)).toBe(true);
      expect(run.stderr).toMatch(/^\(connection lost: the server ended the stream; reconnecting in \d+\.\d s\)$/m);
      expect(run.stderr).toMatch(/^\(reconnected\)$/m);
      expect(run.stdout + run.stderr).not.toContain(ADMIN_TOKEN);
    } finally {
      await fake.close();
    }
  });

  it("escapes server text in the table rows it follows", async () => {
    const fake = await droppingServer();
    try {
      const run = await flagctl(["audit", "--env", "staging", "--follow", "--timeout", "4s"], { env: { FLAGS_URL: fake.url } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toMatch(UNSAFE);
      const rows = run.stdout.split("\n").filter((l) => l !== "");
      expect(rows.map((r) => r.split(/ +/)[0])).toEqual(["seq", "4", "5", "6", "7"]);
      expect(rows.at(-1)).toMatch(/ flag:f +back\\x1b\[2J\\u202eevil$/);
    } finally {
      await fake.close();
    }
  });
});
