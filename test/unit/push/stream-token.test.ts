/** Stream tokens: stable within a window, refused when tampered with, expired or for another environment. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { peekStreamClaims, signClaims, signStreamToken, STREAM_TOKEN_WINDOW_MS, streamTokenExpiry, verifyStreamToken } from "../../../src/push/stream-token.js";

const SECRET = "stream-secret-for-tests";
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0); // a window boundary
const CLAIMS = { env: "production", keyId: "sdk_abc", visibility: "client" as const };

describe("stream tokens", () => {
  it("the same token for the whole 10-minute window, another one in the next", async () => {
    const a = await signStreamToken(SECRET, CLAIMS, T0 + 1);
    expect(await signStreamToken(SECRET, CLAIMS, T0 + STREAM_TOKEN_WINDOW_MS - 1)).toBe(a);
    expect(await signStreamToken(SECRET, CLAIMS, T0 + STREAM_TOKEN_WINDOW_MS)).not.toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]+\.[0-9a-f]{64}$/);
  });

  it("exp rounds up to a window boundary (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (now) => {
      const exp = streamTokenExpiry(now) * 1000;
      return exp % STREAM_TOKEN_WINDOW_MS === 0 && exp > now && exp - now <= STREAM_TOKEN_WINDOW_MS;
    }));
  });

  it("verifies until exp + one window, then is expired", async () => {
    const token = await signStreamToken(SECRET, CLAIMS, T0 + 1);
    const exp = streamTokenExpiry(T0 + 1) * 1000;
    expect(await verifyStreamToken(SECRET, token, "production", exp + STREAM_TOKEN_WINDOW_MS - 1)).toEqual({ ok: true, claims: { ...CLAIMS, exp: exp / 1000 } });
    expect(await verifyStreamToken(SECRET, token, "production", exp + STREAM_TOKEN_WINDOW_MS)).toEqual({ ok: false, reason: "stream token expired" });
  });

  it("refuses another environment, another secret, and any tampering", async () => {
    const token = await signStreamToken(SECRET, CLAIMS, T0);
    expect((await verifyStreamToken(SECRET, token, "staging", T0)).ok).toBe(false);
    expect((await verifyStreamToken("other-secret", token, "production", T0)).ok).toBe(false);
    const [payload, signature] = token.split(".") as [string, string];
    const forged = await signClaims("other-secret", { ...CLAIMS, visibility: "server", exp: streamTokenExpiry(T0) });
    expect((await verifyStreamToken(SECRET, `${forged.split(".")[0]}.${signature}`, "production", T0)).ok).toBe(false);
    await fc.assert(fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom("A", "f", "0", "-"), async (i, ch) => {
      const changed = token.slice(0, i) + ch + token.slice(i + 1);
      fc.pre(changed !== token);
      return !(await verifyStreamToken(SECRET, changed, "production", T0)).ok;
    }), { numRuns: 50 });
    expect((await verifyStreamToken(SECRET, payload, "production", T0)).ok).toBe(false);
    expect(peekStreamClaims("not a token")).toBeUndefined();
  });
});
