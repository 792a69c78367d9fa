/**
 * The audit log's hash chain: an intact chain verifies (in one pass or page by page), and a
 * tampered, removed or reordered row is caught at the first broken link.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalRow, GENESIS_HASH, hashRow, verifyRows, type AuditRow, type HashedAuditRow } from "../../../src/audit/chain.js";

const START = { expectedSeq: 1, prevHash: GENESIS_HASH, checked: 0 };

type RowContent = Omit<AuditRow, "environment" | "seq" | "prev_hash">;

const content = (i: number): RowContent => ({
  at: new Date(Date.UTC(2026, 2, 2, 0, i)).toISOString(),
  actor: i % 2 === 0 ? "user:alice" : "token:ci",
  action: "flag.updated",
  target_type: "flag",
  target_id: `flag_${i}`,
  before_json: i === 0 ? null : JSON.stringify({ enabled: false }),
  after_json: JSON.stringify({ enabled: true }),
  reason: i % 3 === 0 ? null : `change ${i}`,
  request_id: `req-${i}`,
});

/** Links rows the way the audit writer does: seq from 1, each prev_hash the previous hash. */
async function chain(contents: readonly RowContent[], environment = "production"): Promise<HashedAuditRow[]> {
  const rows: HashedAuditRow[] = [];
  let prev = GENESIS_HASH;
  for (const [i, c] of contents.entries()) {
    const row: AuditRow = { ...c, environment, seq: i + 1, prev_hash: prev };
    const hash = await hashRow(row);
    rows.push({ ...row, hash });
    prev = hash;
  }
  return rows;
}

const chainOf = (n: number): Promise<HashedAuditRow[]> => chain(Array.from({ length: n }, (_, i) => content(i)));

describe("canonicalRow / hashRow", () => {
  it("is a fixed-order array, so key order and extra properties never change a hash", async () => {
    const [row] = await chainOf(1);
    if (!row) throw new Error("no row");
    const { hash: _hash, ...plain } = row;
    const reordered = Object.fromEntries(Object.entries(plain).reverse()) as unknown as AuditRow;
    expect(canonicalRow(reordered)).toBe(canonicalRow(plain));
    expect(await hashRow({ ...plain, extra: "ignored" } as AuditRow)).toBe(row.hash);
    expect(JSON.parse(canonicalRow(plain))).toEqual([
      "production", 1, plain.at, "user:alice", "flag.updated", "flag", "flag_0", null, plain.after_json, null, "req-0", GENESIS_HASH,
    ]);
  });

  it("is a sha-256 hex digest that tells null from the string \"null\"", async () => {
    const [row] = await chainOf(1);
    if (!row) throw new Error("no row");
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashRow({ ...row, reason: "null" })).not.toBe(await hashRow({ ...row, reason: null }));
  });
});

describe("verifyRows", () => {
  it("verifies an intact chain and reports where it ends", async () => {
    const rows = await chainOf(5);
    expect(await verifyRows(rows, START)).toEqual({ ok: true, checked: 5, lastSeq: 5, lastHash: rows[4]?.hash });
  });

  it("verifies an empty page as the start it was given", async () => {
    expect(await verifyRows([], START)).toEqual({ ok: true, checked: 0, lastSeq: 0, lastHash: GENESIS_HASH });
  });

  it("continues page by page with the same verdict as one pass", async () => {
    const rows = await chainOf(7);
    const first = await verifyRows(rows.slice(0, 3), START);
    const second = await verifyRows(rows.slice(3), { expectedSeq: first.lastSeq + 1, prevHash: first.lastHash, checked: first.checked });
    expect(second).toEqual(await verifyRows(rows, START));
    expect(second.ok).toBe(true);
  });

  it("detects a field changed in place", async () => {
    const rows = await chainOf(5);
    const tampered = rows.map((r) => (r.seq === 3 ? { ...r, actor: "user:mallory" } : r));
    expect(await verifyRows(tampered, START)).toEqual({
      ok: false, checked: 2, lastSeq: 2, lastHash: rows[1]?.hash, brokenAt: { seq: 3, problem: "hash does not match the row's contents" },
    });
  });

  it("detects a tampered row whose hash was recomputed, at the next row's link", async () => {
    const rows = await chainOf(5);
    const { hash: _h, ...third } = rows[2] as HashedAuditRow;
    const forged = { ...third, after_json: JSON.stringify({ enabled: false }) };
    const tampered = [...rows];
    tampered[2] = { ...forged, hash: await hashRow(forged) };
    const verdict = await verifyRows(tampered, START);
    expect(verdict.ok).toBe(false);
    expect(verdict.checked).toBe(3);
    expect(verdict.brokenAt).toEqual({ seq: 4, problem: "prev_hash does not match the previous row's hash" });
  });

  it("detects a removed row as a gap in seq", async () => {
    const rows = await chainOf(5);
    const verdict = await verifyRows([...rows.slice(0, 2), ...rows.slice(3)], START);
    expect(verdict).toMatchObject({ ok: false, checked: 2, lastSeq: 2, brokenAt: { seq: 4, problem: "expected seq 3, found 4 (a row is missing)" } });
  });

  it("detects a removed first row (the chain must start at the given seq)", async () => {
    const rows = await chainOf(3);
    expect((await verifyRows(rows.slice(1), START)).brokenAt).toEqual({ seq: 2, problem: "expected seq 1, found 2 (a row is missing)" });
  });

  it("detects two swapped rows", async () => {
    const rows = await chainOf(5);
    const swapped = [rows[0], rows[2], rows[1], rows[3], rows[4]] as HashedAuditRow[];
    expect(await verifyRows(swapped, START)).toMatchObject({ ok: false, checked: 1, brokenAt: { seq: 3 } });
  });

  it("detects rows renumbered to hide a gap (seq is hashed)", async () => {
    const rows = await chainOf(4);
    const renumbered = [rows[0], { ...(rows[2] as HashedAuditRow), seq: 2 }, { ...(rows[3] as HashedAuditRow), seq: 3 }] as HashedAuditRow[];
    expect(await verifyRows(renumbered, START)).toMatchObject({ ok: false, checked: 1, brokenAt: { seq: 2 } });
  });

  it("detects a row moved from another environment's chain", async () => {
    const production = await chainOf(2);
    const staging = await chain([content(0), content(1)], "staging");
    // Same contents, same position: only the environment differs, and it is part of the hash.
    const mixed = [production[0], { ...(staging[1] as HashedAuditRow), prev_hash: production[0]?.hash ?? "" }] as HashedAuditRow[];
    expect((await verifyRows(mixed, START)).brokenAt).toEqual({ seq: 2, problem: "hash does not match the row's contents" });
  });

  const FIELDS = ["environment", "seq", "at", "actor", "action", "target_type", "target_id", "before_json", "after_json", "reason", "request_id", "prev_hash", "hash"] as const;

  it("property: any single-field tamper anywhere in a random chain is detected at that row", async () => {
    const rowContent = fc.record({
      at: fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }).map((ms) => new Date(Date.UTC(2020, 0, 1) + ms).toISOString()),
      actor: fc.string({ minLength: 1, maxLength: 12 }),
      action: fc.constantFrom("flag.created", "flag.updated", "flag.archived", "rollout.started"),
      target_type: fc.constantFrom("flag", "rollout", "token"),
      target_id: fc.string({ minLength: 1, maxLength: 12 }),
      before_json: fc.option(fc.json({ maxDepth: 2 }), { nil: null }),
      after_json: fc.option(fc.json({ maxDepth: 2 }), { nil: null }),
      reason: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      request_id: fc.option(fc.uuid(), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowContent, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom(...FIELDS),
        fc.string({ maxLength: 8 }),
        async (contents, at, field, junk) => {
          const rows = await chain(contents);
          const index = at % rows.length;
          const original = rows[index] as HashedAuditRow;
          // Numbers get a different number, strings a different string, nulls become a string.
          const value = original[field];
          const replaced = typeof value === "number" ? value + 1 + junk.length : value === null ? junk : `${value}${junk}x`;
          const tampered = rows.map((r, i) => (i === index ? { ...r, [field]: replaced } : r)) as HashedAuditRow[];
          const verdict = await verifyRows(tampered, START);
          expect(verdict.ok).toBe(false);
          expect(verdict.checked).toBe(index);
          expect(verdict.brokenAt?.seq).toBe(tampered[index]?.seq);
          // The intact chain still verifies: the failure is the tamper's doing.
          expect((await verifyRows(rows, START)).ok).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
