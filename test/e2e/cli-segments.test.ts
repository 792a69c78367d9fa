/**
 * `flagctl segments` end to end against the real `wrangler dev` of global-setup.ts. Storage is
 * shared with the other e2e files, whose flag counts must not change, so this file creates only
 * segments (in staging, with a per-run key) and deletes them again.
 */
import { describe, expect, it } from "vitest";
import { expectFailure, flagctl, json } from "./support/flagctl.js";

const KEY = `cli-seg-${Date.now().toString(36)}`;

describe("flagctl segments", () => {
  it("put, members, get, list and delete a segment", async () => {
    const put = await flagctl(["segments", "put", KEY, "--env", "staging", "--data", '{"include":["u2","u1"],"rules":[{"when":[{"attribute":"plan","op":"eq","values":["beta"]}]}]}', "--reason", "e2e"]);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toMatch(new RegExp(`created segment ${KEY} in staging: version 1, 2 included`));

    const members = await flagctl(["--json", "segments", "members", KEY, "--env", "staging", "--add", "u3,u4", "--remove", "u1"]);
    expect(members.code, members.stderr).toBe(0);
    expect(json(members)).toMatchObject({ added: ["u3", "u4"], removed: ["u1"], segment: { include: ["u2", "u3", "u4"], version: 2 } });

    const got = await flagctl(["segments", "get", KEY, "--env", "staging"]);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toMatch(/include:\s+3 \(u2, u3, u4\)/);
    expect(got.stdout).toMatch(/used by:\s+no flags/);

    const list = await flagctl(["--json", "segments", "list", "--env", "staging"]);
    expect(list.code, list.stderr).toBe(0);
    expect(json<{ segments: { segment: { key: string } }[] }>(list).segments.map((s) => s.segment.key)).toContain(KEY);

    // Guarded writes: --if-version 0 never replaces it, a stale version is refused, nothing written.
    expectFailure(await flagctl(["segments", "put", KEY, "--env", "staging", "--data", "{}", "--if-version", "0"]), 1, /409 VERSION_CONFLICT/);
    expectFailure(await flagctl(["segments", "delete", KEY, "--env", "staging", "--if-version", "1"]), 1, /409 VERSION_CONFLICT: segment "[^"]+" is at version 2, not 1/);
    expectFailure(await flagctl(["segments", "delete", KEY, "--env", "staging", "--if-version", "x"]), 2, /--if-version/);

    const deleted = await flagctl(["segments", "delete", KEY, "--env", "staging", "--if-version", "2"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expectFailure(await flagctl(["segments", "get", KEY, "--env", "staging"]), 1, /404|does not exist/);
  });

  it("refuses bad arguments with exit code 2 before calling the API", async () => {
    expectFailure(await flagctl(["segments", "members", KEY, "--env", "staging"]), 2, /--add and\/or --remove/);
    expectFailure(await flagctl(["segments", "get", "bad key", "--env", "staging"]), 2, /<key>/);
    expectFailure(await flagctl(["segments", "put", KEY, "--env", "staging", "--data", '{"key":"other"}']), 2, /not "/);
  });
});
