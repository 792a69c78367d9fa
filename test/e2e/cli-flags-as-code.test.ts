/**
 * Flags as code with flagctl, end to end against the real `wrangler dev` of global-setup.ts:
 * `codegen` (its output type-checked by the TypeScript compiler against the real
 * @openfeature/server-sdk and @openfeature/web-sdk; `--check` failing once a flag's type changes),
 * `plan` and `apply` with Terraform's detailed exit codes (0 no change, 2 changes, 1 any error),
 * and `explain` (now and `--at` a past time).
 *
 * Other e2e files read production's seeded flags, so this file only creates flags of its own,
 * tagged with this run's tag (codegen --check and plan look at those only), and archives them
 * afterwards.
 */
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { booleanFlag } from "../support/flags.js";
import { ADMIN_HEADERS } from "./support/admin.js";
import { expectFailure, flagctl, json } from "./support/flagctl.js";

const baseUrl = inject("baseUrl");
const ENV = "production";
const RUN = Date.now().toString(36);
const TAG = `fac-${RUN}`;
const REPO = fileURLToPath(new URL("../../", import.meta.url));

const key = (name: string) => `fac_${name}_${RUN}`;
const created = new Set<string>();

/** One of this file's flags, as a flag-set member (written by people: defaults optional). */
const mine = (name: string, over: Record<string, unknown> = {}) => ({ ...booleanFlag(key(name)), tags: [TAG], ...over });

async function put(flag: { key: string; [field: string]: unknown }): Promise<void> {
  created.add(flag.key);
  const res = await fetch(`${baseUrl}/admin/v1/envs/${ENV}/flags/${flag.key}`, { method: "PUT", headers: ADMIN_HEADERS, body: JSON.stringify(flag) });
  expect(res.status, await res.text()).toBeLessThan(300);
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "flagctl-fac-"));
  // The compiler resolves @openfeature/* from the temporary project as from the repository.
  await symlink(join(REPO, "node_modules"), join(tmp, "node_modules"), "dir");
});

afterAll(async () => {
  for (const k of created) await fetch(`${baseUrl}/admin/v1/envs/${ENV}/flags/${k}`, { method: "DELETE", headers: ADMIN_HEADERS });
  await rm(tmp, { recursive: true, force: true });
});

/** The compiler's diagnostics for `files` (strict, as an application would compile them). */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("flagctl codegen", () => {
  it("writes a module that type-checks against the server and web SDKs, with the flags' value types", async () => {
    await put(mine("color", { type: "string", variants: { red: "red", blue: "blue" }, offVariant: "blue", fallthrough: { variant: "red" } }));
    await put(mine("limit", { type: "number", variants: { low: 1, high: 9 }, offVariant: "low", fallthrough: { variant: "high" } }));
    await put(mine("switch"));
    const out = join(tmp, "flags.ts");
    const run = await flagctl(["codegen", "--env", ENV, "--out", out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^wrote ${out}: \\d+ flags of ${ENV}\\n$`));
    const source = await readFile(out, "utf8");
    expect(source).toContain(`"${key("color")}": "blue" | "red";`);
    const color = `fac_color_${RUN}`.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const limit = `fac_limit_${RUN}`.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    await writeFile(join(tmp, "use.ts"), [
      'import { OpenFeature } from "@openfeature/server-sdk";',
      'import { OpenFeature as Web } from "@openfeature/web-sdk";',
      'import { flags, webFlags, FLAG_KEYS, type FlagKey } from "./flags.js";',
      "export async function use(): Promise<void> {",
      "  const server = flags(OpenFeature.getClient());",
      "  const web = webFlags(Web.getClient());",
      `  const c: "red" | "blue" = await server.${color}({ targetingKey: "u1" });`,
      `  const n: number = web.${limit}();`,
      `  // @ts-expect-error a number flag is not a string`,
      `  const wrong: string = web.${limit}();`,
      `  const k: FlagKey = ${JSON.stringify(key("switch"))};`,
      "  void [c, n, wrong, k, FLAG_KEYS];",
      "}",
      "",
    ].join("\n"));
    expect(typeErrors([join(tmp, "use.ts")])).toEqual([]);
  });

  it("--check: 0 while up to date, 1 naming what differs once a flag's type changes", async () => {
    const typed = mine("typed");
    await put(typed);
    const out = join(tmp, "tagged.ts");
    expect((await flagctl(["codegen", "--env", ENV, "--tag", TAG, "--out", out])).code).toBe(0);
    const fresh = await flagctl(["codegen", "--env", ENV, "--tag", TAG, "--out", out, "--check"]);
    expect(fresh, fresh.stderr).toMatchObject({ code: 0, stdout: `${out} is up to date\n` });
    await put({ ...typed, type: "string", variants: { on: "yes", off: "no" } });
    const stale = await flagctl(["codegen", "--env", ENV, "--tag", TAG, "--out", out, "--check"]);
    expectFailure(stale, 1, new RegExp(`~ ${key("typed")}: type boolean → string`));
    expect(stale.stderr).toMatch(/flagctl: .* is out of date: run `flagctl codegen` again/);
    const missing = await flagctl(["codegen", "--env", ENV, "--out", join(tmp, "nope.ts"), "--check"]);
    expectFailure(missing, 1, /cannot read .*nope\.ts: ENOENT/);
  });
});

describe("flagctl plan / apply", () => {
  it("plan exits 2 with changes, apply --yes applies (0), then plan exits 0; a change shows field by field", async () => {
    const dir = join(tmp, "flags");
    await rm(dir, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    const a = mine("plan_a");
    const b = mine("plan_b", { clientSide: true });
    await writeFile(join(dir, "a.json"), JSON.stringify({ flags: [a] }));
    await writeFile(join(dir, "b.json"), JSON.stringify({ flags: [b] }));
    created.add(a.key).add(b.key);

    const planned = await flagctl(["plan", dir, "--env", ENV]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout).toMatch(new RegExp(`^plan for ${ENV} \\(merge\\): 2 to add, 0 to change, 0 to archive, \\d+ unchanged\\n  \\+ ${a.key}\\n  \\+ ${b.key}\\n$`));

    // No terminal to confirm on: apply refuses without --yes, and changes nothing.
    const refused = await flagctl(["apply", dir, "--env", ENV]);
    expectFailure(refused, 1, /refusing to apply without --yes: stdin is not a terminal/);
    expect((await flagctl(["plan", dir, "--env", ENV])).code).toBe(2);

    const applied = await flagctl(["apply", dir, "--env", ENV, "--yes", "--reason", "e2e apply"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(new RegExp(`applied to ${ENV}: 2 added, 0 changed, 0 archived; environment version \\d+`));
    expect(await flagctl(["plan", dir, "--env", ENV])).toMatchObject({ code: 0 });
    const nothing = await flagctl(["apply", dir, "--env", ENV, "--yes"]);
    expect(nothing).toMatchObject({ code: 0, stdout: `nothing to apply: ${ENV} already matches ${dir}\n` });

    await writeFile(join(dir, "a.json"), JSON.stringify({ flags: [{ ...a, enabled: false, description: "planned" }] }));
    const change = await flagctl(["plan", join(dir, "a.json"), "--env", ENV]);
    expect(change.code).toBe(2);
    expect(change.stdout).toContain(`  ~ ${a.key}\n      description: (none) → "planned"\n      enabled: true → false\n`);
    const asJson = json<{ diff: { changed: string[] } }>({ ...(await flagctl(["plan", dir, "--env", ENV, "--json"])), code: 0 });
    expect(asJson.diff.changed).toEqual([a.key]);
  });

  it("every error exits 1, never 2: bad arguments, unreadable or invalid files, unknown environment, bad token", async () => {
    const good = join(tmp, "good.json");
    await writeFile(good, JSON.stringify({ flags: [] }));
    const invalid = join(tmp, "invalid.json");
    await writeFile(invalid, JSON.stringify({ flags: [{ key: "x", type: "boolean" }] }));
    const notJson = join(tmp, "not.json");
    await writeFile(notJson, "{ nope");
    const cases: [string[], RegExp, Record<string, string | undefined>?][] = [
      [["plan", good], /required option '--env <env>' not specified/],
      [["apply", good, "--env", ENV, "--bogus"], /unknown option '--bogus'/],
      [["plan", good, "--env", "Bad Env"], /invalid --env/],
      [["plan", join(tmp, "missing.json"), "--env", ENV], /cannot read .*missing\.json: ENOENT/],
      [["plan", notJson, "--env", ENV], /cannot read .*not\.json/],
      [["plan", invalid, "--env", ENV], /invalid\.json is not a valid flag set/],
      [["plan", good, "--env", "qa"], /404 NOT_FOUND: unknown environment "qa"/],
      [["plan", good, "--env", ENV], /401 UNAUTHORIZED/, { FLAGS_TOKEN: "eft_not_a_real_token_0000000000000000000000" }],
      [["apply", good, "--env", ENV, "--yes"], /no API token/, { FLAGS_TOKEN: undefined }],
    ];
    for (const [args, message, env] of cases) {
      const run = await flagctl(args, env === undefined ? {} : { env });
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(1);
      expect(run.stderr, args.join(" ")).toMatch(message);
    }
    // --help still exits 0.
    expect((await flagctl(["plan", "--help"])).code).toBe(0);
  });
});

describe("flagctl explain", () => {
  it("explains now and --at a past time (the flag as it was then)", async () => {
    const flag = mine("explained", { fallthrough: { variant: "off" } });
    await put(flag);
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await put({ ...flag, fallthrough: { variant: "on" } });
    const now = json<{ variant: string; flagVersion: number }>(await flagctl(["explain", flag.key, "--env", ENV, "--context", '{"targetingKey":"u1"}', "--json"]));
    expect(now).toMatchObject({ variant: "on", flagVersion: 2 });
    const then = await flagctl(["explain", flag.key, "--env", ENV, "--context", '{"targetingKey":"u1"}', "--at", before]);
    expect(then.code, then.stderr).toBe(0);
    expect(then.stdout).toMatch(new RegExp(`^${flag.key} in ${ENV} → off = false \\(STATIC\\)\\n  because:   no rule matched; fallthrough\\n  flag:      version 1\\n  evaluated: ${before.replace(/[.]/g, "\\.")}\\n$`));
    expectFailure(await flagctl(["explain", flag.key, "--env", ENV, "--at", "1999-01-01T00:00:00Z"]), 1, /did not exist at 1999-01-01T00:00:00\.000Z/);
    expectFailure(await flagctl(["explain", flag.key, "--env", ENV, "--context", "[1]"]), 2, /invalid --context: must be a JSON object/);

    // The same history as versions, and back to version 1.
    const history = json<{ versions: { version: number; action: string }[] }>(await flagctl(["flags", "history", flag.key, "--env", ENV, "--json"]));
    expect(history.versions.map((v) => [v.version, v.action])).toEqual([[2, "flag.updated"], [1, "flag.created"]]);
    const table = await flagctl(["flags", "history", flag.key, "--env", ENV]);
    expect(table.stdout).toMatch(/^version +at +actor +action +serves +reason\n2 +\S+ \S+ +admin:bootstrap +flag\.updated +on\n1 /);
    const restored = await flagctl(["flags", "restore", flag.key, "1", "--env", ENV, "--if-version", "2"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(new RegExp(`^restored ${flag.key} in ${ENV} to version 1's content: now version 3`));
    expectFailure(await flagctl(["flags", "restore", flag.key, "99", "--env", ENV]), 1, /404 NOT_FOUND: flag "fac_explained_\w+" has no version 99/);
    expectFailure(await flagctl(["flags", "restore", flag.key, "x", "--env", ENV]), 2, /invalid <version> "x"/);
  });
});
