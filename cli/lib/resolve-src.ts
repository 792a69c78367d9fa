/**
 * A Node module-resolution hook that lets flagctl import src/ modules at run time.
 *
 * src/ is written for wrangler's bundler and vitest, which resolve `import … from "./flag.js"` to
 * the `flag.ts` beside it (as `tsc` does). Node's type stripping runs `.ts` files but never rewrites
 * specifiers, so without this hook the first `.js` import inside src/ fails with
 * ERR_MODULE_NOT_FOUND — which is why the CLI used to copy schemas and helpers instead of importing
 * them. The hook maps a relative `.js` specifier, imported from a `.ts` file, to the sibling `.ts`
 * file when no `.js` file exists there; everything else resolves as usual.
 *
 * It must be registered before any module that imports src/ is linked: Node resolves a module's
 * whole static import graph before running it, so flagctl.ts registers this and then loads the
 * program with a dynamic `import()`.
 */
import nodeModule from "node:module";
import { existsSync } from "node:fs";

const RELATIVE_JS = /^\.{1,2}\/.*\.js$/;

/** Installs the hook (synchronous `module.registerHooks`, Node ≥ 22.15); false when this Node lacks it. */
export function resolveSrcTypeScript(): boolean {
  if (typeof nodeModule.registerHooks !== "function") return false;
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (parent !== undefined && parent.startsWith("file:") && parent.endsWith(".ts") && RELATIVE_JS.test(specifier)) {
        const ts = new URL(specifier.replace(/\.js$/, ".ts"), parent);
        if (!existsSync(new URL(specifier, parent)) && existsSync(ts)) return nextResolve(ts.href, context);
      }
      return nextResolve(specifier, context);
    },
  });
  return true;
}
