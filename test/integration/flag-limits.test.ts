/**
 * Nothing accepted can break publishing or the audit trail: an oversized flag or variant, an
 * import larger than one import may carry, and a change that takes an environment over its budget
 * (filled to the real limit, in chunks) are refused with 422 naming the limit and nothing written —
 * no new version, no audit row, no flag — through PUT, PATCH and import.
 */
import { describe, expect, it } from "vitest";
import { LIMITS, MAX_FLAG_BYTES, MAX_STRING_VARIANT_LENGTH } from "../../src/domain/limits.js";
import { adminJson, booleanFlag } from "./admin-helpers.js";
import { environment } from "./helpers.js";

type ErrorBody = { error: { code: string; message: string; details: { path: string; message: string }[] } };

/** A string flag whose variants each fit their cap but together exceed the flag's. */
function oversizedFlag(key: string) {
  const count = Math.ceil(MAX_FLAG_BYTES / (MAX_STRING_VARIANT_LENGTH - 100)) + 1;
  const variants = Object.fromEntries(Array.from({ length: count }, (_, i) => [`v${i}`, "x".repeat(MAX_STRING_VARIANT_LENGTH - 100)]));
  return { key, type: "string", variants, offVariant: "v0", enabled: true, fallthrough: { variant: "v0" } };
}

/** The smallest valid flag: what a bulk fill is made of. */
const tinyFlag = (key: string) => ({ key, type: "boolean", variants: { on: true }, offVariant: "on", enabled: true, fallthrough: { variant: "on" } });

/** What must not move when a write is refused. */
async function footprint(env: string) {
  const s = await environment(env).status();
  return { version: s.version, flagCount: s.flagCount, auditSeq: s.audit.lastSeq };
}

describe("flag and environment limits", () => {
  it("refuses an oversized flag on PUT with 422 naming the body, and writes nothing", async () => {
    const before = await footprint("staging");
    const res = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/too_big", oversizedFlag("too_big"));
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual({ path: "body", message: expect.stringContaining(`at most ${MAX_FLAG_BYTES}`) });
    expect(await footprint("staging")).toEqual(before);
    expect((await adminJson("GET", "/envs/staging/flags/too_big")).status).toBe(404);
  });

  it("refuses the same flag sent straight to the Durable Object (the one rule, not only the route's)", async () => {
    const before = await footprint("staging");
    const result = await environment("staging").putFlag("too_big", oversizedFlag("too_big"), {}, { actor: "test" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe("VALIDATION_FAILED");
    expect(await footprint("staging")).toEqual(before);
  });

  it("refuses an oversized string variant, naming the variant", async () => {
    const flag = { ...booleanFlag("long_variant"), type: "string", variants: { on: "x".repeat(MAX_STRING_VARIANT_LENGTH + 1), off: "" } };
    const res = await adminJson<ErrorBody>("PUT", "/envs/staging/flags/long_variant", flag);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual({ path: "body.variants.on", message: expect.stringContaining(`at most ${MAX_STRING_VARIANT_LENGTH} characters`) });
  });

  it("refuses a PATCH whose merged flag is oversized; the stored flag, version and audit stay", async () => {
    const created = await adminJson<{ flag: { version: number } }>("PUT", "/envs/staging/flags/grows", { ...oversizedFlag("grows"), variants: { v0: "small" } });
    expect(created.status).toBe(201);
    const before = await footprint("staging");
    const res = await adminJson<ErrorBody>("PATCH", "/envs/staging/flags/grows", { variants: oversizedFlag("grows").variants });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toBe("the patched flag is invalid");
    expect(res.body.error.details[0]?.message).toContain(`at most ${MAX_FLAG_BYTES}`);
    expect(await footprint("staging")).toEqual(before);
    const stored = await adminJson<{ flag: { version: number; variants: Record<string, string> } }>("GET", "/envs/staging/flags/grows");
    expect(stored.body.flag).toMatchObject({ version: created.body.flag.version, variants: { v0: "small" } });
  });

  it("refuses an import holding an oversized flag, naming it, and imports none of the set", async () => {
    const before = await footprint("development");
    const res = await adminJson<ErrorBody>("POST", "/envs/development/import", { flags: [booleanFlag("import_ok"), oversizedFlag("import_big")] });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d) => d.path)).toContain("body.flags.1");
    expect(await footprint("development")).toEqual(before);
    expect((await adminJson("GET", "/envs/development/flags/import_ok")).status).toBe(404);
  });

  it("refuses an import with more flags than one import may carry, naming maxFlagsPerImport, nothing written", async () => {
    const before = await footprint("staging");
    const flags = Array.from({ length: LIMITS.maxFlagsPerImport + 1 }, (_, i) => tinyFlag(`chunk_${i}`));
    const res = await adminJson<ErrorBody>("POST", "/envs/staging/import", { flags });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual({ path: "body.flags", message: expect.stringContaining(`at most ${LIMITS.maxFlagsPerImport} flags per import`) });
    expect(res.body.error.details[0]?.message).toContain("maxFlagsPerImport");
    expect(await footprint("staging")).toEqual(before);
  });

  it("refuses an import body over its byte limit with 413 naming maxImportBodyBytes, nothing written", async () => {
    const before = await footprint("staging");
    const res = await adminJson<ErrorBody>("POST", "/envs/staging/import", { flags: [], padding: "x".repeat(LIMITS.maxImportBodyBytes) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: `the body exceeds ${LIMITS.maxImportBodyBytes} bytes (limit maxImportBodyBytes)` });
    expect(await footprint("staging")).toEqual(before);
  });

  // Slow by nature (minutes): 110,000 flags are imported, each with its audit row flushed to D1.
  it("refuses the import chunk that takes the environment over its flag budget: 422 naming the limit, nothing written", { timeout: 900_000 }, async () => {
    const max = LIMITS.maxEnvironmentFlags;
    const start = await footprint("production");
    // Fill the environment up to its limit in chunks, as flagctl would import 100,000 flags.
    const keys = Array.from({ length: max - start.flagCount }, (_, i) => `bulk_${String(i).padStart(6, "0")}`);
    for (let i = 0; i < keys.length; i += LIMITS.maxFlagsPerImport) {
      const chunk = keys.slice(i, i + LIMITS.maxFlagsPerImport).map(tinyFlag);
      const res = await adminJson("POST", "/envs/production/import", { flags: chunk });
      expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    }
    const full = await footprint("production");
    expect(full.flagCount).toBe(max);
    // The next chunk (one new flag among known ones) goes over: refused, and nothing moves.
    const over = await adminJson<ErrorBody>("POST", "/envs/production/import", { flags: [...keys.slice(0, 10).map(tinyFlag), tinyFlag("one_too_many")] });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe("VALIDATION_FAILED");
    expect(over.body.error.message).toContain(`environment "production" would hold ${max + 1} live flags; its budget is ${max}`);
    expect(over.body.error.message).toContain(`limit maxEnvironmentFlags = ${max}`);
    expect(over.body.error.details).toEqual([{ path: "limits.maxEnvironmentFlags", message: expect.stringContaining(`its budget is ${max}`) }]);
    expect(await footprint("production")).toEqual(full);
    expect((await adminJson("GET", "/envs/production/flags/one_too_many")).status).toBe(404);
    // A PUT of a new flag likewise; the kill switch and an archive keep working.
    const put = await adminJson<ErrorBody>("PUT", "/envs/production/flags/one_more", booleanFlag("one_more"));
    expect(put.status).toBe(422);
    expect(put.body.error.details[0]).toMatchObject({ path: "limits.maxEnvironmentFlags" });
    expect(await footprint("production")).toEqual(full);
    expect((await adminJson("POST", `/envs/production/flags/${keys[1]}/disable`, {})).status).toBe(200);
    expect((await adminJson("DELETE", `/envs/production/flags/${keys[3]}`)).status).toBe(200);
    // Archiving made room for exactly one.
    expect((await adminJson("PUT", "/envs/production/flags/one_more", booleanFlag("one_more"))).status).toBe(201);
  });
});
