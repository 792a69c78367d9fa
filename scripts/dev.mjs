#!/usr/bin/env node
// `npm run dev [-- <wrangler dev args>]`: the whole local service in one command.
// 1. creates .dev.vars from .dev.vars.example when missing (ADMIN_TOKEN, LOCAL_DEV, anonymous dev
//    mode), and adds to an existing one the variables the example gained since (never overwriting);
// 2. applies the D1 migrations to the local database;
// 3. builds the dashboard (scripts/build-ui.mjs → ui/dist, served at /ui/);
// 4. runs `wrangler dev` on local KV/D1/DO state. Each environment's Durable Object seeds the
//    default flag set from config/flags.json the first time it is used while empty, and the
//    snapshot is published to KV right after.
// `--persist-to <dir>` and `--port <n>` are passed to wrangler (and the migrations follow the dir).
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const args = process.argv.slice(2);

const devVars = join(root, ".dev.vars");
const example = join(root, ".dev.vars.example");
if (!existsSync(devVars)) {
  copyFileSync(example, devVars);
  console.log("dev: created .dev.vars from .dev.vars.example");
} else {
  const nameOf = (line) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
  const have = new Set(readFileSync(devVars, "utf8").split("\n").map(nameOf).filter(Boolean));
  const missing = readFileSync(example, "utf8").split("\n").filter((line) => nameOf(line) && !have.has(nameOf(line)));
  if (missing.length > 0) {
    appendFileSync(devVars, `\n# added from .dev.vars.example\n${missing.join("\n")}\n`);
    console.log(`dev: added to .dev.vars from .dev.vars.example: ${missing.map((l) => l.split("=")[0]).join(", ")}`);
  }
}

const persistAt = args.indexOf("--persist-to");
const persist = persistAt >= 0 ? ["--persist-to", args[persistAt + 1]] : [];
const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "AUDIT_DB", "--local", ...persist], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, CI: "true" },
});
if (migrate.status !== 0) {
  console.error("dev: applying D1 migrations failed");
  process.exit(migrate.status ?? 1);
}

const buildUi = spawnSync(process.execPath, [join(root, "scripts", "build-ui.mjs")], { cwd: root, stdio: "inherit" });
if (buildUi.status !== 0) {
  console.error("dev: building the dashboard failed");
  process.exit(buildUi.status ?? 1);
}

const dev = spawn(wrangler, ["dev", "--ip", "127.0.0.1", ...args], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
