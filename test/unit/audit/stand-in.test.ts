/**
 * An audit value too large for a D1 row is stored as a stand-in (size and sha-256 of the original
 * JSON), decided when the row gets its place in the chain: a retried flush sends the identical
 * row, and the chain verifies over what D1 holds. (Local D1 has no 2 MB row limit, so the rule is
 * tested directly rather than by provoking a refusal.)
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuditOutbox } from "../../../src/audit/outbox.js";
import { fitAuditJson, MAX_AUDIT_JSON_BYTES } from "../../../src/audit/stand-in.js";
import { queryAudit, verifyAuditChain } from "../../../src/audit/d1.js";
import { sha256Hex } from "../../../src/crypto.js";

describe("fitAuditJson", () => {
  it("keeps null and values that fit, byte for byte", async () => {
    expect(await fitAuditJson(null)).toBeNull();
    const fits = JSON.stringify({ s: "x".repeat(MAX_AUDIT_JSON_BYTES - 8) }); // `{"s":""}` is 8 characters
    expect(fits.length).toBe(MAX_AUDIT_JSON_BYTES);
    expect(await fitAuditJson(fits)).toBe(fits);
  });

  it("replaces a value over the limit (in UTF-8 bytes) by its size and hash, deterministically", async () => {
    const big = JSON.stringify({ s: "€".repeat(MAX_AUDIT_JSON_BYTES / 3 + 1) }); // fewer characters than the limit, more bytes
    expect(big.length).toBeLessThan(MAX_AUDIT_JSON_BYTES);
    const fitted = await fitAuditJson(big);
    const bytes = new TextEncoder().encode(big).byteLength;
    expect(JSON.parse(fitted as string)).toEqual({ truncated: true, bytes, sha256: await sha256Hex(big) });
    expect(await fitAuditJson(big)).toBe(fitted);
  });
});

describe("AuditOutbox with an oversized value", () => {
  it("stores the stand-in, sends the identical row on retry, and the chain verifies", async () => {
    const name = "stand-in-unit";
    const stub = env.ENVIRONMENT.getByName(name);
    await runDurableObjectAlarm(stub); // let the new object's own first flush (its seed) finish
    const before = { old: "b".repeat(MAX_AUDIT_JSON_BYTES) };
    const after = { small: true };
    const { firstTry, outboxRow, written } = await runInDurableObject(stub, async (_instance, state) => {
      const outbox = new AuditOutbox(state.storage.sql, name);
      const seq = outbox.append({ actor: "test", action: "test.big", targetType: "test", targetId: "big", before, after }, new Date(0).toISOString());
      // First flush: D1 refuses the batch (a wrapper over the real binding); the row keeps its place.
      const refusing = new Proxy(env.AUDIT_DB, {
        get(target, prop) {
          if (prop === "batch") return async () => { throw new Error("refused (injected)"); };
          const value = Reflect.get(target, prop) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const firstTry = await outbox.flush(refusing).then(() => "ok", (e: unknown) => String(e));
      const outboxRow = state.storage.sql
        .exec<{ before_json: string; after_json: string; hash: string }>("SELECT before_json, after_json, hash FROM audit_outbox WHERE seq = ?", seq)
        .one();
      const written = await outbox.flush(env.AUDIT_DB);
      return { firstTry, outboxRow: { ...outboxRow }, written };
    });
    expect(firstTry).toMatch(/injected/);
    const original = JSON.stringify(before);
    const standIn = { truncated: true, bytes: original.length, sha256: await sha256Hex(original) };
    expect(JSON.parse(outboxRow.before_json)).toEqual(standIn);
    expect(outboxRow.after_json).toBe(JSON.stringify(after));
    expect(written).toBeGreaterThanOrEqual(1);
    const { entries } = await queryAudit(env.AUDIT_DB, { environment: name, action: "test.big", limit: 10 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ before: standIn, after, hash: outboxRow.hash });
    expect(await verifyAuditChain(env.AUDIT_DB, name)).toMatchObject({ ok: true });
  });
});
