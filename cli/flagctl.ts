#!/usr/bin/env node
/**
 * flagctl — the operator CLI over the edgeflags admin API (docs/cli.md).
 * Runs on Node ≥ 22.18 as TypeScript (type stripping): `node cli/flagctl.ts --help`, `npx flagctl`.
 */
import { resolveSrcTypeScript } from "./lib/resolve-src.ts";

// The commands import the domain from src/, whose `.js` specifiers Node only follows with this
// hook; it has to be in place before the program's import graph is resolved, hence the dynamic
// import below (a static one would be resolved before this line runs).
if (!resolveSrcTypeScript()) {
  process.stderr.write(`flagctl: Node ${process.versions.node} lacks module.registerHooks; use Node 22.18 or newer\n`);
  process.exit(2);
}
const { main } = await import("./program.ts");

// A closed stdout (e.g. `flagctl audit … | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv);
