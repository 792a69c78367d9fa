/** JSON Merge Patch (RFC 7396): objects merge recursively, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [name, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[name];
    // Own properties only, defined rather than assigned: a member named "__proto__" (legal JSON)
    // must become a key, not read Object.prototype or replace the result's prototype.
    else Object.defineProperty(base, name, { value: mergePatch(Object.hasOwn(base, name) ? base[name] : undefined, value), enumerable: true, writable: true, configurable: true });
  }
  return base;
}
