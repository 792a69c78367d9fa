#!/usr/bin/env node
// The `flagctl` bin (`npx flagctl`). flagctl is TypeScript that Node runs directly by type
// stripping, which is on by default from Node 22.18 (flagctl.ts also needs module.registerHooks,
// from 22.15, to load src/); on an older Node say so clearly instead of failing on the `.ts` import.
if (!process.features.typescript) {
  process.stderr.write(
    `flagctl: Node ${process.versions.node} cannot run TypeScript; use Node 22.18 or newer (or pass --experimental-strip-types on 22.15-22.17)\n`,
  );
  process.exit(2);
}
await import("./flagctl.ts");
