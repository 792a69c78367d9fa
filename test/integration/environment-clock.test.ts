/**
 * One clock per environment, through the real Worker: a cron tick ahead of the wall clock moves
 * the environment's time for every command, and audit `at` never decreases as `seq` grows.
 */
import { describe, expect, it } from "vitest";
import { adminJson, booleanFlag } from "./admin-helpers.js";
import { environment } from "./helpers.js";
import { tickAt } from "./rollout-helpers.js";
import { DAY, HOUR, SimClock } from "../support/sim-clock.js";

const clock = new SimClock();
type Entry = { seq: number; at: string; action: string };

async function auditOf(env: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: number | null = null;
  do {
    const page: { status: number; body: { entries: Entry[]; nextCursor: number | null } } = await adminJson("GET", `/envs/${env}/audit?limit=500${cursor === null ? "" : `&cursor=${cursor}`}`);
    expect(page.status).toBe(200);
    entries.push(...page.body.entries);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return entries.sort((a, b) => a.seq - b.seq);
}

describe("the environment clock", () => {
  it("every command after a tick is stamped on the tick's clock, and audit at grows with seq", async () => {
    const env = "staging";
    const ahead = clock.skip(DAY);
    await tickAt(ahead);
    expect((await environment(env).status()).clock).toBeGreaterThanOrEqual(ahead);

    const writes: [string, string, unknown?][] = [
      ["PUT", "/flags/clocked", booleanFlag("clocked", { fallthrough: { variant: "off" } })],
      ["PATCH", "/flags/clocked", { description: "patched" }],
      ["POST", "/flags/clocked/disable", { reason: "kill" }],
      ["POST", "/flags/clocked/enable", { reason: "back" }],
      ["POST", "/sdk-keys", { name: "clocked", kind: "server" }],
    ];
    for (const [method, path, body] of writes) {
      const res = await adminJson(method, `/envs/${env}${path}`, body);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    }
    const later = clock.skip(6 * HOUR);
    await tickAt(later);
    const rollout = await adminJson<{ rollout: { id: string } }>("POST", `/envs/${env}/rollouts`, { flag: "clocked", variant: "on", strategy: "fast" });
    expect(rollout.status).toBe(201);
    await adminJson("POST", `/envs/${env}/rollouts/${rollout.body.rollout.id}/rollback`, { reason: "done" });
    await adminJson("DELETE", `/envs/${env}/flags/clocked`);

    const entries = await auditOf(env);
    const mine = entries.filter((e) => Date.parse(e.at) >= ahead);
    // Every change made after the first tick carries the environment's time, not the wall clock's.
    // (The first tick also records the test configuration's FLAG_OVERRIDES for staging.)
    expect(mine.map((e) => e.action)).toEqual([
      "overrides.changed", "flag.created", "flag.updated", "flag.disabled", "flag.enabled", "sdk_key.created",
      "rollout.created", "rollout.started", "rollout.rolled_back", "flag.archived",
    ]);
    expect(mine.slice(6).every((e) => Date.parse(e.at) >= later)).toBe(true);
    for (let i = 1; i < entries.length; i++) {
      const [previous, current] = [entries[i - 1] as Entry, entries[i] as Entry];
      expect(current.seq, "gapless").toBe(previous.seq + 1);
      expect(Date.parse(current.at), `seq ${current.seq} (${current.action}) is stamped before seq ${previous.seq}`).toBeGreaterThanOrEqual(Date.parse(previous.at));
    }
  });

  it("a tick behind the environment's clock does not move it back", async () => {
    const before = (await environment("production").status()).clock;
    await tickAt(before - HOUR);
    expect((await environment("production").status()).clock).toBeGreaterThanOrEqual(before);
  });
});
