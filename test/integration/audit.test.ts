import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EnvironmentDurableObject } from "../../src/environment/durable-object.js";
import { admin, adminJson, booleanFlag } from "./admin-helpers.js";
import { environment } from "./helpers.js";
import { DAY } from "../support/sim-clock.js";

type Entry = { seq: number; action: string; actor: string; target: { type: string; id: string }; before: unknown; after: unknown; requestId: string | null; prevHash: string; hash: string };
type Page = { entries: Entry[]; nextCursor: number | null };
type Verdict = { ok: boolean; checked: number; lastSeq: number; expectedLastSeq: number; brokenAt?: { seq: number; problem: string } };

async function auditRows(envName: string): Promise<Entry[]> {
  const all: Entry[] = [];
  let cursor: number | null = null;
  do {
    const res: { body: Page } = await adminJson<Page>("GET", `/envs/${envName}/audit?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
    all.push(...res.body.entries);
    cursor = res.body.nextCursor;
  } while (cursor !== null);
  return all.reverse();
}

describe("audit log", () => {
  it("records one event per change with actor, before/after and request id, in a verifiable chain", async () => {
    await adminJson("PUT", "/envs/staging/flags/audited", booleanFlag("audited"));
    await adminJson("PATCH", "/envs/staging/flags/audited", { enabled: false });
    await adminJson("PATCH", "/envs/staging/flags/audited", { enabled: false }); // no change: no event
    const rows = (await auditRows("staging")).filter((r) => r.target.id === "audited");
    expect(rows.map((r) => r.action)).toEqual(["flag.created", "flag.updated"]);
    expect(rows[1]).toMatchObject({ actor: "admin:bootstrap", before: { enabled: true }, after: { enabled: false } });
    expect(rows[1]?.requestId).toMatch(/.+/);
    const verdict = await adminJson<Verdict>("GET", "/envs/staging/audit/verify");
    expect(verdict.body.ok).toBe(true);
    expect(verdict.body.checked).toBe(verdict.body.expectedLastSeq);
  });

  it("paginates with a keyset cursor and filters by flag, action, actor and time", async () => {
    for (let i = 0; i < 7; i++) await adminJson("PUT", `/envs/development/flags/page_${i}`, booleanFlag(`page_${i}`));
    const first = await adminJson<Page>("GET", "/envs/development/audit?action=flag.created&limit=3");
    expect(first.body.entries.length).toBe(3);
    const second = await adminJson<Page>("GET", `/envs/development/audit?action=flag.created&limit=3&cursor=${first.body.nextCursor}`);
    const seqs = [...first.body.entries, ...second.body.entries].map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(6);
    const byFlag = await adminJson<Page>("GET", "/envs/development/audit?flag=page_3");
    expect(byFlag.body.entries.map((e) => e.target.id)).toEqual(["page_3"]);
    const future = await adminJson<Page>("GET", `/envs/development/audit?since=${new Date(Date.now() + 3650 * DAY).toISOString()}`);
    expect(future.body.entries).toEqual([]);
    const bad = await adminJson<{ error: { details: { path: string }[] } }>("GET", "/envs/development/audit?since=yesterday&limit=0");
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining(["query.since", "query.limit"]));
  });

  it("50 parallel writes: every accepted change has exactly one row, no seq gaps, no lost update", async () => {
    await adminJson("PUT", "/envs/production/flags/race", booleanFlag("race", { tags: [] }));
    // 25 toggles on one flag with If-Match (some must lose), 25 creates across flags.
    const toggles = Array.from({ length: 25 }, (_, i) =>
      admin("PATCH", "/envs/production/flags/race", { description: `writer ${i}` }, undefined, { "If-Match": '"1"' }),
    );
    const creates = Array.from({ length: 25 }, (_, i) => admin("PUT", `/envs/production/flags/parallel_${i}`, booleanFlag(`parallel_${i}`)));
    const statuses = await Promise.all([...toggles, ...creates].map(async (p) => { const r = await p; await r.body?.cancel(); return r.status; }));
    const toggleStatuses = statuses.slice(0, 25);
    expect(toggleStatuses.filter((s) => s === 200).length).toBe(1); // exactly one writer saw version 1
    expect(toggleStatuses.filter((s) => s === 409).length).toBe(24);
    expect(statuses.slice(25).every((s) => s === 201)).toBe(true);
    const rows = await auditRows("production");
    expect(rows.filter((r) => r.target.id === "race" && r.action === "flag.updated").length).toBe(1);
    expect(rows.filter((r) => r.target.id.startsWith("parallel_")).length).toBe(25);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect((await adminJson<Verdict>("GET", "/envs/production/audit/verify")).body.ok).toBe(true);
  });

  it("keeps changes and audit rows through a D1 outage, then writes each row exactly once", async () => {
    const stub = env.ENVIRONMENT.getByName("staging") as unknown as DurableObjectStub<EnvironmentDurableObject>;
    let failures = 3;
    await runInDurableObject(stub, (instance: EnvironmentDurableObject) => {
      const real = instance.auditDatabase;
      // A test-only wrapper over the real binding: batch() fails while `failures` lasts.
      instance.auditDatabase = new Proxy(real, {
        get(target, prop) {
          if (prop === "batch" && failures > 0) {
            return async () => {
              failures--;
              throw new Error("D1 is down (injected)");
            };
          }
          const value = Reflect.get(target, prop) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    });
    const before = (await environment("staging").status()).audit;
    const change = await adminJson<{ changed: boolean }>("PUT", "/envs/staging/flags/during_outage", booleanFlag("during_outage"));
    expect(change.status).toBe(201); // the change succeeds while D1 is down
    const during = await environment("staging").status();
    expect(during.audit.pending).toBeGreaterThan(0);
    expect(during.audit.lastFlushError).toMatch(/injected/);
    // Retries (the alarm, or any flush) drain the outbox once D1 answers again.
    while (failures > 0) await environment("staging").flushAudit();
    const drained = await environment("staging").flushAudit();
    expect(drained.pending).toBe(0);
    const rows = await auditRows("staging");
    expect(rows.filter((r) => r.target.id === "during_outage").length).toBe(1);
    expect(rows.length).toBe(during.audit.lastSeq);
    expect(during.audit.lastSeq).toBe(before.lastSeq + 1);
    expect((await adminJson<Verdict>("GET", "/envs/staging/audit/verify")).body.ok).toBe(true);
  });

  it("refuses UPDATE and DELETE on the audit table", async () => {
    await adminJson("PUT", "/envs/production/flags/append_only", booleanFlag("append_only"));
    await expect(env.AUDIT_DB.prepare("UPDATE audit_log SET actor = 'x'").run()).rejects.toThrow(/append-only/);
    await expect(env.AUDIT_DB.prepare("DELETE FROM audit_log").run()).rejects.toThrow(/append-only/);
  });
  it("detects a tampered row, a removed row and a truncated tail", async () => {
    await adminJson("PUT", "/envs/development/flags/tamper_a", booleanFlag("tamper_a"));
    await adminJson("PUT", "/envs/development/flags/tamper_b", booleanFlag("tamper_b"));
    const rows = await auditRows("development");
    const victim = rows[rows.length - 2] as Entry;
    // The table forbids UPDATE/DELETE; an attacker with raw access drops the guard first.
    await env.AUDIT_DB.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
    await env.AUDIT_DB.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE environment = 'development' AND seq = ?").bind(victim.seq).run();
    const tampered = await adminJson<Verdict>("GET", "/envs/development/audit/verify");
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.brokenAt).toEqual({ seq: victim.seq, problem: "hash does not match the row's contents" });
    await env.AUDIT_DB.prepare("DELETE FROM audit_log WHERE environment = 'development' AND seq = ?").bind(victim.seq).run();
    const removed = await adminJson<Verdict>("GET", "/envs/development/audit/verify");
    expect(removed.body.brokenAt?.seq).toBe(victim.seq + 1);
    await env.AUDIT_DB.prepare("DELETE FROM audit_log WHERE environment = 'development' AND seq >= ?").bind(victim.seq).run();
    const truncated = await adminJson<Verdict>("GET", "/envs/development/audit/verify");
    expect(truncated.body.ok).toBe(false);
    expect(truncated.body.brokenAt?.problem).toMatch(/missing/);
  });

});
