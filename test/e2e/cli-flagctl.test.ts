/**
 * flagctl end to end, as operators and scripts run it: `node cli/flagctl.ts …` as a child process
 * against the real `wrangler dev` of global-setup.ts, configured by FLAGS_URL/FLAGS_TOKEN.
 * This file: configuration and argument errors, health, flags, audit, SDK keys, API tokens and webhooks.
 * Rollouts (deploy, status --watch, pause/resume/promote/rollback) are in cli-rollouts.test.ts.
 *
 * Storage is shared with the other e2e files, and smoke.test.ts expects every environment to hold
 * exactly the seeded flags (it checks their count at any moment, possibly while this file runs). So
 * these tests create no flags: they change seeded staging flags (never development's, which the
 * OFREP tests evaluate) and put each one back as it was afterwards. Each test uses its own flags,
 * so the tests run concurrently.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN_HEADERS, ADMIN_TOKEN } from "./support/admin.js";
import { expectFailure, flagctl, json } from "./support/flagctl.js";

const baseUrl = inject("baseUrl");

// ── fixtures ────────────────────────────────────────────────────────────────────────────────

const RUN_ID = Date.now().toString(36);

interface FlagJson {
  key: string;
  version: number;
  updatedAt?: string;
  [field: string]: unknown;
}

/** Seeded staging flags a test changes, as they were: put back after the file. */
const borrowed = new Map<string, FlagJson>();

/** A seeded staging flag this test may change (each test borrows its own). */
async function borrow(key: string): Promise<FlagJson> {
  const res = await fetch(`${baseUrl}/admin/v1/envs/staging/flags/${key}`, { headers: ADMIN_HEADERS });
  expect(res.status).toBe(200);
  const { flag } = (await res.json()) as { flag: FlagJson };
  if (!borrowed.has(key)) borrowed.set(key, flag);
  return flag;
}

/** A flag as written by people: without the fields the service maintains. */
function writable(flag: FlagJson): { key: string; [field: string]: unknown } {
  const { version: _version, updatedAt: _updatedAt, ...rest } = flag;
  return rest;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "flagctl-e2e-"));
});

afterAll(async () => {
  for (const [key, flag] of borrowed) {
    await fetch(`${baseUrl}/admin/v1/envs/staging/flags/${key}`, { method: "PUT", headers: ADMIN_HEADERS, body: JSON.stringify(writable(flag)) });
  }
  await rm(tmp, { recursive: true, force: true });
});

// ── tests ───────────────────────────────────────────────────────────────────────────────────

describe.concurrent("flagctl: usage and configuration", () => {
  it("--help lists every command, --version prints the package version (exit 0)", async () => {
    const [help, version, flagsHelp] = await Promise.all([flagctl(["--help"]), flagctl(["--version"]), flagctl(["flags", "--help"])]);
    expect(help.code).toBe(0);
    for (const command of ["flags", "deploy", "status", "pause", "resume", "promote", "rollback", "audit", "keys", "tokens", "health"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
    expect(help.stdout).toMatch(/Exit codes/);
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    expect(flagsHelp.code).toBe(0);
    for (const sub of ["list", "get", "set", "enable", "disable", "archive", "import", "export"]) expect(flagsHelp.stdout).toMatch(new RegExp(`^  ${sub}\\b`, "m"));
    expect(flagsHelp.stdout).toMatch(/--json/); // global options are shown on every command
  });

  it("bad arguments exit 2 with a clear message", async () => {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["flags", "list", "--env", "staging", "--colour"], /unknown option '--colour'/],
      [["flags", "list"], /required option '--env <env>' not specified/],
      [["flags", "list", "--env", "Staging"], /invalid --env "Staging": environment names are/],
      [["flags", "list", "--env", "staging", "--enabled", "maybe"], /'maybe' is invalid.*true, false/],
      [["flags", "get", "--env", "staging"], /missing required argument 'key'/],
      [["flags", "get", "bad key!", "--env", "staging"], /invalid <key> "bad key!": flag keys match/],
      [["flags"], /Usage: flagctl flags/],
      [["audit", "--env", "staging", "--limit", "0"], /invalid --limit "0": at least 1/],
      [["audit", "--env", "staging", "--since", "last tuesday"], /invalid --since "last tuesday": expected a duration ago/],
      [["keys", "create", "web", "--env", "staging"], /required option '--kind <kind>' not specified/],
      [["tokens", "create", "ci", "--role", "root", "--envs", "*"], /'root' is invalid/],
    ];
    const runs = await Promise.all(cases.map(([args]) => flagctl(args)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i] as [string[], RegExp];
      expect(run.code, `${args.join(" ")}\n${run.stderr}`).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stdout, args.join(" ")).toBe("");
    });
  });

  it("takes FLAGS_URL/FLAGS_TOKEN or --url/--token; missing or malformed configuration exits 2", async () => {
    const [noUrl, badUrl, noToken, flagsWin, badToken, badTokenJson] = await Promise.all([
      flagctl(["flags", "list", "--env", "staging"], { env: { FLAGS_URL: undefined } }),
      flagctl(["flags", "list", "--env", "staging"], { env: { FLAGS_URL: "ftp://example.com" } }),
      flagctl(["flags", "list", "--env", "staging"], { env: { FLAGS_TOKEN: undefined } }),
      flagctl(["--url", baseUrl, "flags", "list", "--env", "staging", "--token", ADMIN_TOKEN, "--json"], {
        env: { FLAGS_URL: "http://127.0.0.1:9", FLAGS_TOKEN: "wrong" },
      }),
      flagctl(["flags", "list", "--env", "staging"], { env: { FLAGS_TOKEN: "not-the-token" } }),
      flagctl(["flags", "list", "--env", "staging", "--json"], { env: { FLAGS_TOKEN: "not-the-token" } }),
    ]);
    expectFailure(noUrl, 2, /no API address: pass --url or set FLAGS_URL/);
    expectFailure(badUrl, 2, /invalid FLAGS_URL "ftp:\/\/example.com": must be an http\(s\) URL/);
    expectFailure(noToken, 2, /no API token: pass --token or set FLAGS_TOKEN/);
    expect(json<{ flags: unknown[] }>(flagsWin).flags.length).toBeGreaterThan(0);
    expectFailure(badToken, 1, /^flagctl: 401 UNAUTHORIZED: invalid or revoked admin token\n$/);
    expect(badTokenJson.code).toBe(1);
    expect(JSON.parse(badTokenJson.stdout)).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });

  it("an unreachable API exits 1 with one line", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const run = await flagctl(["health"], { env: { FLAGS_URL: `http://127.0.0.1:${port}` } });
    expectFailure(run, 1, /^flagctl: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
  });
});

describe.concurrent("flagctl health", () => {
  it("prints one ✓ line per check and exits 0 when healthy (no token needed)", async () => {
    const [human, machine] = await Promise.all([
      flagctl(["health"], { env: { FLAGS_TOKEN: undefined } }),
      flagctl(["health", "--json"], { env: { FLAGS_TOKEN: undefined } }),
    ]);
    expect(human.code, human.stderr).toBe(0);
    for (const check of ["config", "kv", "d1", "environment:staging", "snapshot:production"]) {
      expect(human.stdout).toMatch(new RegExp(`^✓ +${check} +\\S`, "m"));
    }
    expect(human.stdout).toMatch(/^✓ healthy$/m);
    expect(human.stdout).not.toMatch(/✗/);
    expect(json(machine)).toMatchObject({ status: "ok", checks: expect.arrayContaining([expect.objectContaining({ name: "kv", ok: true })]) });
  });

  it("prints ✗ for a failing check and exits 1 when unhealthy", async () => {
    const report = {
      status: "unhealthy",
      checks: [
        { name: "config", ok: true, detail: "environments: staging" },
        { name: "d1", ok: false, detail: "no answer within 5000 ms" },
      ],
    };
    const server: Server = createServer((_req, res) => {
      res.writeHead(503, { "Content-Type": "application/json" }).end(JSON.stringify(report));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const [human, machine] = await Promise.all([flagctl(["health"], { env: { FLAGS_URL: url } }), flagctl(["health", "--json"], { env: { FLAGS_URL: url } })]);
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^✓ +config +environments: staging$/m);
      expect(human.stdout).toMatch(/^✗ +d1 +no answer within 5000 ms$/m);
      expect(human.stdout).toMatch(/^✗ unhealthy: 1 of 2 checks failed$/m);
      expect(machine.code).toBe(1);
      expect(JSON.parse(machine.stdout)).toEqual(report);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe.concurrent("flagctl flags", () => {
  it("set replaces a flag from a file, stdin or --data; get and list show it", async () => {
    const original = await borrow("demo_theme");
    const v = original.version;
    const file = join(tmp, "demo_theme.json");
    await writeFile(file, JSON.stringify({ ...writable(original), description: "from a file" }));

    const fromFile = await flagctl(["flags", "set", "demo_theme", "--env", "staging", "--file", file, "--reason", "cli e2e"]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toMatch(new RegExp(`^updated demo_theme in staging: flag version ${v + 1}, environment version \\d+ \\((published|publishing); edges follow within ~60 s\\)\\n$`));

    // The same flag again changes nothing; from stdin, without "key" (the argument names it).
    const { key: _key, ...withoutKey } = { ...writable(original), description: "from a file" };
    const same = await flagctl(["flags", "set", "demo_theme", "--env", "staging", "--file", "-", "--json"], { stdin: JSON.stringify(withoutKey) });
    expect(json(same)).toMatchObject({ created: false, changed: false, flag: { key: "demo_theme", version: v + 1 } });
    const inline = await flagctl(["flags", "set", "demo_theme", "--env", "staging", "--data", JSON.stringify({ ...writable(original), description: "inline" })]);
    expect(inline.stdout).toMatch(new RegExp(`^updated demo_theme in staging: flag version ${v + 2}`));

    const [get, getJson, list, listJson, listCategory, listDisabled] = await Promise.all([
      flagctl(["flags", "get", "demo_theme", "--env", "staging"]),
      flagctl(["flags", "get", "demo_theme", "--env", "staging", "--json"]),
      flagctl(["flags", "list", "--env", "staging"]),
      flagctl(["flags", "list", "--env", "staging", "--json"]),
      flagctl(["flags", "list", "--env", "staging", "--category", "safety"]),
      flagctl(["flags", "list", "--env", "staging", "--enabled", "false", "--json"]),
    ]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain(`demo_theme in staging (object, demo, version ${v + 2})`);
    expect(get.stdout).toMatch(/^ {2}enabled: +yes$/m);
    expect(get.stdout).toMatch(/^ {2}variants: +light=\{"background":"#ffffff","accent":"#0055ff"\}, dark=\{.*\} \(off variant: light\)$/m);
    expect(get.stdout).toMatch(/^ {2}fallthrough: +dark$/m);
    expect(get.stdout).toMatch(/^ {2}description: +inline$/m);
    expect(json(getJson)).toMatchObject({ flag: { key: "demo_theme", version: v + 2, description: "inline" }, override: null });
    expect(list.stdout).toMatch(/^key +enabled +serves +rules +category +version/);
    expect(list.stdout).toMatch(new RegExp(`^demo_theme +on +dark +0 +demo +${v + 2}$`, "m"));
    expect(list.stdout).toMatch(/^demo_checkout_v2 +on +on 25 % \(else off\) +\d+ +demo +\d+$/m);
    expect(list.stdout).toMatch(/^demo_banner_color +on +blue 50 % \/ green 50 % +1 +demo +\d+$/m);
    expect(json<{ flags: { flag: { key: string } }[] }>(listJson).flags.map((f) => f.flag.key)).toContain("demo_theme");
    expect(listCategory.stdout).toMatch(/^emergency_shutdown +off +off \(disabled\) +0 +safety/m);
    expect(listCategory.stdout).not.toContain("demo_theme");
    const disabled = json<{ flags: { flag: { key: string; enabled: boolean } }[] }>(listDisabled).flags;
    expect(disabled.length).toBeGreaterThan(0);
    expect(disabled.every((f) => !f.flag.enabled)).toBe(true);
  });

  it("set --patch changes fields; --if-version guards; API errors name the field (exit 1); bad input exits 2", async () => {
    const original = await borrow("demo_max_items");
    const v = original.version;
    const patched = await flagctl(["flags", "set", "demo_max_items", "--env", "staging", "--patch", "--data", '{"description":"patched","owner":"cli"}', "--if-version", String(v), "--json"]);
    expect(json(patched)).toMatchObject({ changed: true, flag: { version: v + 1, description: "patched", owner: "cli", fallthrough: { variant: "small" } } });

    const [stale, invalid, badJson, mismatch, notObject, noSource, missingFile, notFound, archiveUnknown, archiveStale] = await Promise.all([
      flagctl(["flags", "set", "demo_max_items", "--env", "staging", "--patch", "--data", '{"description":"late"}', "--if-version", String(v)]),
      flagctl(["flags", "set", "demo_max_items", "--env", "staging", "--data", JSON.stringify({ ...writable(original), variants: { small: "ten", large: 50 } })]),
      flagctl(["flags", "set", "demo_max_items", "--env", "staging", "--data", "{not json"]),
      flagctl(["flags", "set", "demo_max_items", "--env", "staging", "--data", JSON.stringify({ ...writable(original), key: "demo_theme" })]),
      flagctl(["flags", "set", "demo_max_items", "--env", "staging", "--data", "[1,2]"]),
      flagctl(["flags", "set", "demo_max_items", "--env", "staging"]),
      flagctl(["flags", "set", "demo_max_items", "--env", "staging", "--file", join(tmp, "does-not-exist.json")]),
      flagctl(["flags", "get", "no-such-flag-anywhere", "--env", "staging"]),
      flagctl(["flags", "archive", "no-such-flag-anywhere", "--env", "staging"]),
      flagctl(["flags", "archive", "demo_max_items", "--env", "staging", "--if-version", String(v)]),
    ]);
    expectFailure(stale, 1, /^flagctl: 409 VERSION_CONFLICT: .*\n$/);
    expectFailure(invalid, 1, /^flagctl: 422 VALIDATION_FAILED: the request is invalid — body\.variants\.small: variant value is not of type number\n$/);
    expectFailure(badJson, 2, /--data is not valid JSON/);
    expectFailure(mismatch, 2, /the JSON is for flag "demo_theme", not "demo_max_items"/);
    expectFailure(notObject, 2, /the flag must be a JSON object/);
    expectFailure(noSource, 2, /give the flag with --file <path> \(- for stdin\) or --data/);
    expectFailure(missingFile, 2, /cannot read .*does-not-exist\.json: ENOENT/);
    expectFailure(notFound, 1, /^flagctl: 404 NOT_FOUND: flag "no-such-flag-anywhere" does not exist\n$/);
    expectFailure(archiveUnknown, 1, /^flagctl: 404 NOT_FOUND: /);
    expectFailure(archiveStale, 1, /^flagctl: 409 VERSION_CONFLICT: /);

    // Nothing of the refused writes landed.
    expect(json(await flagctl(["flags", "get", "demo_max_items", "--env", "staging", "--json"]))).toMatchObject({ flag: { version: v + 1, description: "patched" } });
  });

  it("enable/disable flip a kill switch with a reason the audit log records", async () => {
    const original = await borrow("maintenance_mode");
    const v = original.version;
    expect(original.enabled).toBe(false);

    const on = await flagctl(["flags", "enable", "maintenance_mode", "--env", "staging", "--reason", "incident 4711"]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(new RegExp(`^enabled maintenance_mode in staging: flag version ${v + 1}, environment version \\d+`));
    expect(json(await flagctl(["flags", "get", "maintenance_mode", "--env", "staging", "--json"]))).toMatchObject({ flag: { enabled: true } });
    const again = await flagctl(["flags", "enable", "maintenance_mode", "--env", "staging"]);
    expect(again.stdout).toMatch(/^maintenance_mode in staging already was that way \(no change\)/);
    const off = await flagctl(["flags", "disable", "maintenance_mode", "--env", "staging", "--reason", "incident over", "--json"]);
    expect(json(off)).toMatchObject({ changed: true, flag: { enabled: false, version: v + 2 } });
    expectFailure(await flagctl(["flags", "enable", "maintenance_mode", "--env", "staging", "--if-version", String(v + 1)]), 1, /409 VERSION_CONFLICT/);

    const audit = json<{ entries: { action: string; reason: string | null; actor: string }[] }>(await flagctl(["audit", "--env", "staging", "--flag", "maintenance_mode", "--limit", "2", "--json"]));
    expect(audit.entries.map((e) => [e.action, e.reason, e.actor])).toEqual([
      ["flag.disabled", "incident over", "admin:bootstrap"],
      ["flag.enabled", "incident 4711", "admin:bootstrap"],
    ]);
  });

  it("export prints or writes the flag set; import --dry-run shows the diff and changes nothing; import applies it", async () => {
    const [exported, toFile] = await Promise.all([
      flagctl(["flags", "export", "--env", "staging"]),
      flagctl(["flags", "export", "--env", "staging", "--output", join(tmp, "staging.json")]),
    ]);
    const set = json<{ flags: { key: string }[] }>(exported);
    expect(set.flags.map((f) => f.key)).toEqual(expect.arrayContaining(["emergency_shutdown", "demo_checkout_v2"]));
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stdout).toMatch(/^exported \d+ flags of staging to .*staging\.json$/m);
    const written = JSON.parse(await readFile(join(tmp, "staging.json"), "utf8")) as { flags: { key: string }[] };
    expect(written.flags.map((f) => f.key)).toEqual(expect.arrayContaining(["emergency_shutdown", "demo_checkout_v2"]));

    // A dry run may name a new flag: nothing is created.
    const original = await borrow("demo_banner_color");
    const changed = { ...writable(original), description: "imported" };
    const newKey = `cli-import-${RUN_ID}`;
    const dryFile = join(tmp, "dry-set.json");
    await writeFile(dryFile, JSON.stringify({ flags: [changed, { ...writable(original), key: newKey, salt: newKey }] }));
    const dry = await flagctl(["flags", "import", "--env", "staging", "--file", dryFile, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("dry run — nothing changed; would import into staging (merge):");
    expect(dry.stdout).toMatch(new RegExp(`^ {2}added: +${newKey}$`, "m"));
    expect(dry.stdout).toMatch(/^ {2}changed: +demo_banner_color$/m);
    expect(dry.stdout).toMatch(/^ {2}removed: +none$/m);
    expectFailure(await flagctl(["flags", "get", newKey, "--env", "staging"]), 1, /404 NOT_FOUND/);
    expect(json(await flagctl(["flags", "get", "demo_banner_color", "--env", "staging", "--json"]))).toMatchObject({ flag: { version: original.version } });

    const file = join(tmp, "set.json");
    await writeFile(file, JSON.stringify({ flags: [changed] }));
    const applied = await flagctl(["flags", "import", "--env", "staging", "--file", file, "--reason", "flags as code"]);
    expect(applied.stdout).toMatch(/^imported into staging \(merge\):/);
    expect(applied.stdout).toMatch(/^ {2}changed: +demo_banner_color$/m);
    expect(applied.stdout).toMatch(/^ {2}environment version \d+ \(edges follow within ~60 s\)$/m);
    expect(json(await flagctl(["flags", "get", "demo_banner_color", "--env", "staging", "--json"]))).toMatchObject({ flag: { description: "imported" } });
    const again = await flagctl(["flags", "import", "--env", "staging", "--file", file, "--json"]);
    expect(json(again)).toMatchObject({ dryRun: false, diff: { added: [], changed: [], removed: [], unchanged: 1 } });

    const badSet = join(tmp, "bad-set.json");
    await writeFile(badSet, JSON.stringify({ flags: [{ key: "x", type: "colour" }] }));
    const [invalid, missing, badMode] = await Promise.all([
      flagctl(["flags", "import", "--env", "staging", "--file", badSet]),
      flagctl(["flags", "import", "--env", "staging", "--file", join(tmp, "nope.json")]),
      flagctl(["flags", "import", "--env", "staging", "--file", file, "--mode", "upsert"]),
    ]);
    expectFailure(invalid, 1, /^flagctl: 422 VALIDATION_FAILED: .* — body\.flags\.0\.type: /);
    expectFailure(missing, 2, /cannot read .*nope\.json: ENOENT/);
    expectFailure(badMode, 2, /'upsert' is invalid/);
  });
});

describe.concurrent("flagctl audit", () => {
  it("reads the log with filters and pages, and verifies the hash chain", async () => {
    await borrow("error_handling_enabled");
    for (const reason of ["first", "second"]) {
      const patch = await flagctl(["flags", "set", "error_handling_enabled", "--env", "staging", "--patch", "--data", JSON.stringify({ description: reason }), "--reason", reason]);
      expect(patch.code, patch.stderr).toBe(0);
    }
    const key = "error_handling_enabled";
    const [table, page1, since, future, action, verify, verifyJson, verifyFiltered] = await Promise.all([
      flagctl(["audit", "--env", "staging", "--flag", key]),
      flagctl(["audit", "--env", "staging", "--flag", key, "--limit", "1"]),
      // The seed's flag.created (actor system:seed) is recent too: the actor filter leaves it out.
      flagctl(["audit", "--env", "staging", "--flag", key, "--since", "1h", "--actor", "admin:bootstrap", "--json"]),
      flagctl(["audit", "--env", "staging", "--flag", key, "--since", new Date(Date.now() + 3650 * 86_400_000).toISOString()]),
      flagctl(["audit", "--env", "staging", "--flag", key, "--action", "flag.updated", "--json"]),
      flagctl(["audit", "--env", "staging", "--verify"]),
      flagctl(["audit", "--env", "staging", "--verify", "--json"]),
      flagctl(["audit", "--env", "staging", "--verify", "--flag", key]),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^seq +at +actor +action +target +reason$/m);
    expect(table.stdout).toMatch(/^\d+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +admin:bootstrap +flag\.updated +flag:error_handling_enabled +second$/m);
    expect(page1.stdout.trim().split("\n")).toHaveLength(3); // header, one entry, the cursor
    const cursor = /^more: --cursor (\d+)$/m.exec(page1.stdout)?.[1];
    expect(cursor).toBeDefined();
    const page2 = await flagctl(["audit", "--env", "staging", "--flag", key, "--limit", "1", "--cursor", cursor as string, "--json"]);
    expect(json<{ entries: { reason: string }[] }>(page2).entries.map((e) => e.reason)).toEqual(["first"]);
    expect(json<{ entries: { reason: string }[] }>(since).entries.map((e) => e.reason)).toEqual(["second", "first"]);
    expect(future.stdout).toBe(`no audit entries in staging match\n`);
    expect(json<{ entries: { action: string }[] }>(action).entries.map((e) => e.action)).toEqual(["flag.updated", "flag.updated"]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^✓ the audit chain of staging is intact: \d+ entries checked, last seq \d+/);
    expect(json(verifyJson)).toMatchObject({ ok: true });
    expectFailure(verifyFiltered, 2, /--verify checks the whole chain; it takes no filters/);
  });
});

describe.concurrent("flagctl keys and tokens", () => {
  it("keys create shows the key once; list and revoke manage it", async () => {
    const name = `cli-srv-${RUN_ID}`;
    const createdKey = await flagctl(["keys", "create", name, "--env", "staging", "--kind", "server"]);
    expect(createdKey.code, createdKey.stderr).toBe(0);
    const [, id] = /^created server key (\S+) \("cli-srv-[^"]+"\) for staging:$/m.exec(createdKey.stdout) ?? [];
    expect(id).toBeDefined();
    const secret = createdKey.stdout.trim().split("\n")[1] as string;
    expect(secret).toMatch(/^efs_staging_/);
    expect(createdKey.stderr).toMatch(/only time the key is shown/);

    // The key works against the public API (a strongly consistent read: no waiting for KV).
    const ofrep = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/emergency_shutdown?consistency=strong`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": secret },
      body: JSON.stringify({ context: { targetingKey: "u1" } }),
    });
    expect(ofrep.status).toBe(200);
    await ofrep.arrayBuffer();

    const list = await flagctl(["keys", "list", "--env", "staging"]);
    expect(list.stdout).toMatch(/^id +name +kind +created +revoked$/m);
    expect(list.stdout).toMatch(new RegExp(`^${id} +${name} +server +\\d{4}-`, "m"));
    const revoked = await flagctl(["keys", "revoke", id as string, "--env", "staging"]);
    expect(revoked.stdout).toMatch(new RegExp(`^revoked SDK key ${id} in staging`));
    const [active, all, again, client] = await Promise.all([
      flagctl(["keys", "list", "--env", "staging", "--json"]),
      flagctl(["keys", "list", "--env", "staging", "--all", "--json"]),
      flagctl(["keys", "revoke", "sdk_nope", "--env", "staging"]),
      flagctl(["keys", "create", `cli-web-${RUN_ID}`, "--env", "staging", "--kind", "client", "--json"]),
    ]);
    expect(json<{ keys: { id: string }[] }>(active).keys.map((k) => k.id)).not.toContain(id);
    expect(json<{ keys: { id: string; revokedAt: string | null }[] }>(all).keys.find((k) => k.id === id)?.revokedAt).toEqual(expect.any(String));
    expectFailure(again, 1, /^flagctl: 404 NOT_FOUND: /);
    expect(json(client)).toMatchObject({ kind: "client", key: expect.stringMatching(/^efc_staging_/) });
  });

  it("webhooks create shows a generated secret once; the receiver verifies the delivery; deliveries, list and delete manage it", async () => {
    const received: { body: string; signature: string | undefined }[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push({ body, signature: req.headers["x-edgeflags-signature"] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      // webhook.* only: a new subscription hears its own creation, and nothing another test does.
      const created = await flagctl(["webhooks", "create", url, "--env", "staging", "--events", "webhook.*"]);
      expect(created.code, created.stderr).toBe(0);
      const [, id] = /^created webhook (wh_\S+) in staging: /m.exec(created.stdout) ?? [];
      const secret = created.stdout.trim().split("\n")[1] as string;
      expect(secret).toMatch(/^whsec_/);
      expect(created.stderr).toMatch(/only time the signing secret is shown/);
      expect(received).toHaveLength(1);
      const { verifyWebhook } = (await import(/* @vite-ignore */ new URL("../../src/webhooks/verify.ts", import.meta.url).href)) as typeof import("../../src/webhooks/verify.js");
      expect(await verifyWebhook({ secret, body: received[0]?.body ?? "", signature: received[0]?.signature })).toMatchObject({ ok: true });
      expect(JSON.parse(received[0]?.body ?? "{}")).toMatchObject({ type: "webhook.created", target: { type: "webhook", id } });

      const log = await flagctl(["webhooks", "deliveries", id as string, "--env", "staging"]);
      expect(log.stdout).toMatch(/^at +event +type +attempt +status +outcome +error$/m);
      expect(log.stdout).toMatch(/ webhook\.created +1 +204 +delivered/);
      const list = await flagctl(["webhooks", "list", "--env", "staging", "--json"]);
      expect(json<{ webhooks: { id: string }[] }>(list).webhooks.map((w) => w.id)).toContain(id);
      expect(list.stdout).not.toContain(secret);
      const removed = await flagctl(["webhooks", "delete", id as string, "--env", "staging"]);
      expect(removed.stdout).toMatch(new RegExp(`^deleted webhook ${id} in staging`));
      expectFailure(await flagctl(["webhooks", "deliveries", id as string, "--env", "staging"]), 1, /^flagctl: 404 NOT_FOUND: /);
      expectFailure(await flagctl(["webhooks", "create", url, "--env", "staging", "--events", "billing.*"]), 2, /--events/);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it("tokens create a scoped API token that works until it is revoked", async () => {
    const createdToken = await flagctl(["tokens", "create", `cli-ci-${RUN_ID}`, "--role", "viewer", "--envs", "staging", "--json"]);
    const token = json<{ id: string; token: string; role: string; environments: string[] }>(createdToken);
    expect(token).toMatchObject({ role: "viewer", environments: ["staging"], token: expect.stringMatching(/^eft_/) });

    const [allowed, otherEnv, write, list] = await Promise.all([
      flagctl(["flags", "list", "--env", "staging", "--json"], { env: { FLAGS_TOKEN: token.token } }),
      flagctl(["flags", "list", "--env", "production"], { env: { FLAGS_TOKEN: token.token } }),
      flagctl(["flags", "enable", "emergency_shutdown", "--env", "staging"], { env: { FLAGS_TOKEN: token.token } }),
      flagctl(["tokens", "list"]),
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expectFailure(otherEnv, 1, /^flagctl: 403 FORBIDDEN: this token needs the viewer role on environment "production"\n$/);
    expectFailure(write, 1, /^flagctl: 403 FORBIDDEN: this token needs the operator role/);
    expect(list.stdout).toMatch(new RegExp(`^${token.id} +cli-ci-${RUN_ID} +viewer +staging +\\d{4}-`, "m"));

    const revoked = await flagctl(["tokens", "revoke", token.id]);
    expect(revoked.stdout).toBe(`revoked API token ${token.id}\n`);
    expectFailure(await flagctl(["flags", "list", "--env", "staging"], { env: { FLAGS_TOKEN: token.token } }), 1, /401 UNAUTHORIZED/);
    expectFailure(await flagctl(["tokens", "create", "x", "--role", "viewer", "--envs", "Prod"]), 2, /invalid --envs "Prod"/);
  });
});

describe.concurrent("flagctl prints server text safely and never echoes a token", () => {
  /** No control character, line separator or bidi override in what reached the terminal. */
  const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

  it("flags get shows a multi-line description on its own line, with \\n escaped; --json keeps it exact", async () => {
    const original = await borrow("aatc_system_enabled");
    const description = "first line\nsecond line";
    const put = await fetch(`${baseUrl}/admin/v1/envs/staging/flags/aatc_system_enabled`, {
      method: "PUT", headers: ADMIN_HEADERS, body: JSON.stringify({ ...writable(original), description }),
    });
    expect(put.status).toBe(200);
    const [human, machine] = await Promise.all([
      flagctl(["flags", "get", "aatc_system_enabled", "--env", "staging"]),
      flagctl(["flags", "get", "aatc_system_enabled", "--env", "staging", "--json"]),
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^ {2}description: first line\\nsecond line$/m);
    expect(human.stdout).not.toMatch(/^second line/m);
    expect(json<{ flag: { description: string } }>(machine).flag.description).toBe(description);
  });

  it("escapes control characters from rows written before the API refused them, and from API error messages", async () => {
    // A server holding what the API now refuses: an old audit row, and an error message with escapes.
    const legacyReason = "all clear\u001b[2J\u001b[H\nINFO fake line \u009b31m \u202eevil";
    const envelope = { error: { code: "VALIDATION_FAILED", message: "refused\u001b]0;pwned\u0007", details: [{ path: "body.reason", message: "bad\nline" }], requestId: "r1" } };
    const server: Server = createServer((req, res) => {
      if (req.url?.startsWith("/admin/v1/envs/staging/audit")) {
        const entry = { seq: 1, at: "2026-11-26T10:00:00.000Z", actor: "admin:bootstrap\u001b[8m", action: "flag.enabled", target: { type: "flag", id: "f" }, reason: legacyReason };
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ entries: [entry], nextCursor: null }));
      } else {
        res.writeHead(422, { "Content-Type": "application/json" }).end(JSON.stringify(envelope));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const [audit, auditJson, refused, refusedJson] = await Promise.all([
        flagctl(["audit", "--env", "staging"], { env: { FLAGS_URL: url } }),
        flagctl(["audit", "--env", "staging", "--json"], { env: { FLAGS_URL: url } }),
        flagctl(["flags", "enable", "f", "--env", "staging", "--reason", "x"], { env: { FLAGS_URL: url } }),
        flagctl(["flags", "enable", "f", "--env", "staging", "--reason", "x", "--json"], { env: { FLAGS_URL: url } }),
      ]);
      expect(audit.code, audit.stderr).toBe(0);
      expect(audit.stdout).not.toMatch(UNSAFE);
      expect(audit.stdout.split("\n").filter((l) => l !== "")).toHaveLength(2); // header and one row
      expect(audit.stdout).toContain("admin:bootstrap\\x1b[8m");
      expect(audit.stdout).toContain("all clear\\x1b[2J\\x1b[H\\nINFO fake line \\u009b31m \\u202eevil");
      expect(json<{ entries: { reason: string }[] }>(auditJson).entries[0]?.reason).toBe(legacyReason);

      expectFailure(refused, 1, /^flagctl: 422 VALIDATION_FAILED: refused\\x1b\]0;pwned\\x07 — body\.reason: bad line\n$/);
      expect(refused.stderr).not.toMatch(UNSAFE);
      expect(refusedJson.code).toBe(1);
      expect(JSON.parse(refusedJson.stdout)).toEqual(envelope);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a malformed FLAGS_TOKEN or --token is refused without repeating it; so is a password in FLAGS_URL", async () => {
    const secret = "eft_s3cretS3cretS3cretS3cretS3cretS3cret00";
    const [bearer, bearerFlag, control, inUrl] = await Promise.all([
      flagctl(["flags", "list", "--env", "staging"], { env: { FLAGS_TOKEN: `Bearer ${secret}` } }),
      flagctl(["flags", "list", "--env", "staging", "--token", `Bearer ${secret}`, "--json"]),
      flagctl(["flags", "list", "--env", "staging"], { env: { FLAGS_TOKEN: `${secret}\u0001` } }),
      flagctl(["health"], { env: { FLAGS_URL: `http://ops:${secret}@127.0.0.1:9` } }),
    ]);
    expectFailure(bearer, 2, /^flagctl: invalid FLAGS_TOKEN: must not contain spaces — drop the "Bearer " prefix\n$/);
    expectFailure(bearerFlag, 2, /^flagctl: invalid --token: must not contain spaces — drop the "Bearer " prefix\n$/);
    expectFailure(control, 2, /^flagctl: invalid FLAGS_TOKEN: must be printable ASCII/);
    expectFailure(inUrl, 2, /^flagctl: invalid FLAGS_URL: must not contain a user name or password\n$/);
    for (const run of [bearer, bearerFlag, control, inUrl]) {
      expect(run.stderr).not.toContain("s3cret");
      expect(run.stdout).not.toContain("s3cret");
    }
  });
});
