/**
 * The audit chain is anchored in its Durable Object: rewriting D1's history and recomputing every
 * hash after the change still makes a self-consistent chain, but no longer ends at the hash the
 * Durable Object wrote. Both chains — an environment's and the token chain (`_access`) — are checked.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { hashRow, type HashedAuditRow } from "../../src/audit/chain.js";
import { admin, adminJson, booleanFlag } from "./admin-helpers.js";

type Verdict = {
  ok: boolean; checked: number; lastSeq: number; expectedLastSeq: number; pending: number;
  headSeq: number; headHash: string; brokenAt?: { seq: number; problem: string };
};

const TRIGGERS = [
  "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
  "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
];

// A test that rewrites history puts the append-only guard back (as migrations/0001 made it).
afterEach(async () => {
  for (const sql of TRIGGERS) await env.AUDIT_DB.prepare(sql).run();
});

async function storedRows(environment: string): Promise<HashedAuditRow[]> {
  const { results } = await env.AUDIT_DB.prepare("SELECT * FROM audit_log WHERE environment = ? ORDER BY seq").bind(environment).all<HashedAuditRow>();
  return results;
}

/**
 * What an attacker with raw D1 access does: drop the guard, change the actor of the row at `seq`,
 * and recompute that row's hash and every later one so the chain is consistent again.
 */
async function rewriteHistory(environment: string, seq: number, actor: string): Promise<void> {
  await env.AUDIT_DB.exec("DROP TRIGGER audit_log_no_update;");
  const rows = await storedRows(environment);
  let prevHash = (rows.find((r) => r.seq === seq - 1)?.hash ?? rows[0]?.prev_hash) as string;
  for (const row of rows.filter((r) => r.seq >= seq)) {
    const base = { ...row, actor: row.seq === seq ? actor : row.actor, prev_hash: prevHash };
    const hash = await hashRow(base);
    await env.AUDIT_DB.prepare("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE environment = ? AND seq = ?")
      .bind(base.actor, prevHash, hash, environment, row.seq).run();
    prevHash = hash;
  }
}

describe("an environment's audit chain is anchored in its Durable Object", () => {
  it("an intact chain verifies and ends at the Durable Object's head", async () => {
    for (const key of ["anchor_a", "anchor_b"]) expect((await admin("PUT", `/envs/staging/flags/${key}`, booleanFlag(key))).status).toBe(201);
    const verdict = await adminJson<Verdict>("GET", "/envs/staging/audit/verify");
    expect(verdict.body).toMatchObject({ ok: true, pending: 0 });
    const rows = await storedRows("staging");
    const last = rows[rows.length - 1] as HashedAuditRow;
    expect(verdict.body).toMatchObject({ headSeq: last.seq, headHash: last.hash, lastSeq: last.seq, expectedLastSeq: last.seq, checked: rows.length });
  });

  it("a history rewritten with recomputed hashes fails at the head", async () => {
    for (const key of ["rewrite_a", "rewrite_b", "rewrite_c"]) await admin("PUT", `/envs/production/flags/${key}`, booleanFlag(key));
    const before = await adminJson<Verdict>("GET", "/envs/production/audit/verify");
    expect(before.body.ok).toBe(true);
    const head = before.body.headSeq;
    await rewriteHistory("production", head - 1, "someone-else");
    const after = await adminJson<Verdict>("GET", "/envs/production/audit/verify");
    expect(after.status).toBe(200);
    expect(after.body.ok).toBe(false);
    expect(after.body.brokenAt).toEqual({ seq: head, problem: expect.stringMatching(/head hash/) });
    expect(after.body.headHash).toBe(before.body.headHash);
  });
});

describe("GET /admin/v1/audit/verify: the token chain", () => {
  it("verifies the chain of token changes, in the shape of an environment's verify", async () => {
    const created = await adminJson<{ id: string }>("POST", "/tokens", { name: "anchor-happy", role: "viewer", environments: ["staging"] });
    expect((await admin("DELETE", `/tokens/${created.body.id}`)).status).toBe(200);
    const verdict = await adminJson<Verdict>("GET", "/audit/verify");
    expect(verdict.status).toBe(200);
    const rows = await storedRows("_access");
    const last = rows[rows.length - 1] as HashedAuditRow;
    expect(last).toMatchObject({ action: "token.revoked", target_id: created.body.id });
    expect(verdict.body).toEqual({
      ok: true, checked: rows.length, lastSeq: last.seq, lastHash: last.hash, expectedLastSeq: last.seq, pending: 0,
      headSeq: last.seq, headHash: last.hash,
    });
  });

  it("detects a rewritten token history", async () => {
    for (const name of ["anchor-a", "anchor-b"]) await adminJson("POST", "/tokens", { name, role: "viewer", environments: ["staging"] });
    const before = await adminJson<Verdict>("GET", "/audit/verify");
    expect(before.body.ok).toBe(true);
    await rewriteHistory("_access", before.body.headSeq - 1, "admin:someone-else");
    const after = await adminJson<Verdict>("GET", "/audit/verify");
    expect(after.body.ok).toBe(false);
    expect(after.body.brokenAt).toEqual({ seq: before.body.headSeq, problem: expect.stringMatching(/head hash/) });
  });

  it("needs admin on every environment", async () => {
    const tokenOf = async (role: string, environments: string[]) =>
      (await adminJson<{ token: string }>("POST", "/tokens", { name: `verify-${role}-${environments.join("+")}`, role, environments })).body.token;
    expect((await admin("GET", "/audit/verify", undefined, await tokenOf("admin", ["staging"]))).status).toBe(403);
    expect((await admin("GET", "/audit/verify", undefined, await tokenOf("operator", ["*"]))).status).toBe(403);
    expect((await admin("GET", "/audit/verify", undefined, await tokenOf("admin", ["*"]))).status).toBe(200);
    expect((await admin("GET", "/audit/verify", undefined, "eft_not-a-token")).status).toBe(401);
  });
});
