#!/usr/bin/env node
// Builds the operator dashboard: ui/src (TypeScript + Preact) → ui/dist/{index.html,app.js,app.css},
// bundled and minified by esbuild, nothing loaded from another origin. Prints the gzipped sizes and
// fails when the JavaScript exceeds its budget. Run by `npm run dev`, `npm test` (pretest) and
// `npm run deploy` (predeploy); ui/dist is git-ignored.
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "ui", "dist");
const JS_BUDGET_GZIP = 150 * 1024;

mkdirSync(out, { recursive: true });

/**
 * Writes a file only when its content changed, through a rename, so a server or test run reading
 * ui/dist at the same time (the e2e setup builds while the workers project serves it) never sees a
 * missing or half-written file.
 */
function publish(path, content) {
  const bytes = Buffer.from(content);
  if (existsSync(path) && readFileSync(path).equals(bytes)) return;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

const result = await build({
  entryPoints: { app: join(root, "ui", "src", "main.tsx") },
  outdir: out,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  tsconfig: join(root, "ui", "tsconfig.json"),
  legalComments: "none",
  logLevel: "warning",
  write: false,
});
for (const file of result.outputFiles) publish(file.path, file.contents);

// The shell: one stylesheet and one module script, both same-origin (the CSP allows nothing else).
publish(
  join(out, "index.html"),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>edgeflags dashboard</title>
<link rel="stylesheet" href="/ui/app.css">
<script type="module" src="/ui/app.js"></script>
</head>
<body>
<div id="app"></div>
<noscript>The edgeflags dashboard needs JavaScript.</noscript>
</body>
</html>
`,
);

const gz = (file) => gzipSync(readFileSync(join(out, file))).length;
const js = gz("app.js");
const css = gz("app.css");
console.log(`build-ui: ui/dist/app.js ${(js / 1024).toFixed(1)} KB gzipped, app.css ${(css / 1024).toFixed(1)} KB gzipped`);
if (js > JS_BUDGET_GZIP) {
  console.error(`build-ui: app.js is ${(js / 1024).toFixed(1)} KB gzipped, over the ${JS_BUDGET_GZIP / 1024} KB budget`);
  process.exit(1);
}
