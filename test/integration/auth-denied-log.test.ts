/**
 * Every refused credential leaves one structured warn line (`event: "auth.denied"`), on public and
 * admin routes, with the route, the reason, the request id and the credential's public prefix and
 * fingerprint, never the secret itself.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, createToken } from "./admin-helpers.js";
import { bearer, call, postJson } from "./helpers.js";

interface DeniedLine {
  level: string;
  event: string;
  status: number;
  method: string;
  route: string;
  reason?: string;
  credential?: { prefix: string; fingerprint: string };
  requestId?: string;
}

/** The auth.denied lines logged while `run` ran. */
async function deniedLines(run: () => Promise<unknown>): Promise<{ lines: DeniedLine[]; raw: string[] }> {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  await run();
  const raw = warn.mock.calls.map((args) => String(args[0]));
  const lines = raw.flatMap((text) => {
    try {
      const parsed = JSON.parse(text) as DeniedLine;
      return parsed.event === "auth.denied" ? [parsed] : [];
    } catch {
      return [];
    }
  });
  return { lines, raw };
}

afterEach(() => vi.restoreAllMocks());

describe("auth.denied log lines", () => {
  it("a made-up SDK key on OFREP: 401, logged with its prefix and fingerprint only", async () => {
    const secret = "S".repeat(40);
    let requestId: string | null = null;
    const { lines, raw } = await deniedLines(async () => {
      const res = await postJson("/ofrep/v1/evaluate/flags", { context: {} }, bearer(`efs_staging_${secret}`));
      expect(res.status).toBe(401);
      requestId = res.headers.get("x-request-id");
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "warn", status: 401, method: "POST", route: "/ofrep/v1/evaluate/flags", reason: "unknown or revoked SDK key",
      credential: { prefix: "efs_staging_", fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) },
    });
    expect(lines[0]?.requestId).toBe(requestId);
    expect(raw.join("\n")).not.toContain(secret);
  });

  it("admin: no token (401) and a viewer's write (403), each one line; the token never appears", async () => {
    const viewer = await createToken("viewer");
    const { lines, raw } = await deniedLines(async () => {
      expect((await call("/admin/v1/tokens")).status).toBe(401);
      expect((await admin("POST", "/envs/staging/flags/x/enable", {}, viewer)).status).toBe(403);
    });
    expect(lines.map((l) => [l.status, l.route])).toEqual([
      [401, "/admin/v1/tokens"],
      [403, "/admin/v1/envs/staging/flags/x/enable"],
    ]);
    expect(lines[0]?.credential).toBeUndefined();
    expect(lines[1]).toMatchObject({ reason: expect.stringContaining("operator"), credential: { prefix: "eft_" } });
    expect(raw.join("\n")).not.toContain(viewer);
  });

  it("an admitted request logs no denial", async () => {
    const { lines } = await deniedLines(async () => expect((await admin("GET", "/envs/staging/flags")).status).toBe(200));
    expect(lines).toEqual([]);
  });
});
