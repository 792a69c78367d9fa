#!/usr/bin/env node
/**
 * flagctl — the operator CLI over the edgeflags admin API (docs/cli.md).
 * Runs on Node ≥ 22.18 as TypeScript (type stripping): `node cli/flagctl.ts --help`, `npx flagctl`.
 */
import { main } from "./program.ts";

// A closed stdout (e.g. `flagctl audit … | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv);
