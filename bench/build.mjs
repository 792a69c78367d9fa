// Bundles bench/evaluator-entry.ts (our src/domain/*.ts) into bench/.build/evaluator.mjs.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..");

async function loadEsbuild() {
  try {
    return await import("esbuild");
  } catch {
    // Not hoisted: fall back to wrangler's own copy.
    const require = createRequire(join(root, "node_modules", "wrangler", "package.json"));
    return require("esbuild");
  }
}

/** Bundle and import the evaluator (shipped src/ code only); returns the module namespace. */
export async function loadEvaluator() {
  const esbuild = await loadEsbuild();
  const outfile = join(here, ".build", "evaluator.mjs");
  await esbuild.build({
    entryPoints: [join(here, "evaluator-entry.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // Not minified (wrangler's default too), so profiles read like the source.
    minify: false,
    sourcemap: "inline",
    logLevel: "warning",
    mainFields: ["module", "main"],
  });
  const mod = await import(`${outfile}?t=${Date.now()}`);
  return { mod, version: esbuild.version };
}

/** Bundle another entry under bench/ (shipped src/ code only) into bench/.build/<outName>; returns its path. */
export async function bundle(entry, outName) {
  const esbuild = await loadEsbuild();
  const outfile = join(here, ".build", outName);
  await esbuild.build({ entryPoints: [join(here, entry)], outfile, bundle: true, format: "esm", platform: "neutral", target: "es2022", logLevel: "warning", mainFields: ["module", "main"] });
  return outfile;
}
