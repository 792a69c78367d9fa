/**
 * docs/flags.md "Limits" lists every limit of `LIMITS` (src/domain/limits.ts) with its value, so
 * the documented numbers cannot drift from the enforced ones.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../src/domain/limits.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const doc = readFileSync(`${ROOT}docs/flags.md`, "utf8");
const section = doc.slice(doc.indexOf("### Limits"), doc.indexOf("## Serves"));

/** How the docs write a number: 8,192 / 20,000 or a KiB/MiB figure. */
function written(n: number): string[] {
  const forms = [n.toLocaleString("en-US")];
  if (n % (1024 * 1024) === 0) forms.push(`${n / (1024 * 1024)} MiB`);
  else if (n % 1024 === 0) forms.push(`${n / 1024} KiB`);
  return forms;
}

describe("docs/flags.md Limits", () => {
  const documented = ["maxStringVariantLength", "maxObjectVariantBytes", "maxFlagBytes", "maxRulesPerFlag", "maxConditionsPerRule", "maxValuesPerCondition", "maxTagsPerFlag", "maxFlagsPerImport", "maxImportBodyBytes", "maxSegmentBodyBytes", "maxAdminBodyBytes", "maxEnvironmentFlags", "maxEnvironmentFlagBytes"] as const;

  it("has a row per enforced limit, naming it and its value", () => {
    for (const name of documented) {
      const row = section.split("\n").find((line) => line.startsWith("|") && line.includes(`\`${name}\``));
      expect(row, name).toBeDefined();
      expect(written(LIMITS[name]).some((form) => row?.includes(form)), `${name} = ${LIMITS[name]} in: ${row}`).toBe(true);
    }
  });

  it("states the shard arithmetic with the numbers in LIMITS", () => {
    expect(section).toContain(`one shard per ${LIMITS.snapshotShardTargetBytes / 1024} KiB`);
    expect(section).toContain(`up to ${LIMITS.maxSnapshotShards.toLocaleString("en-US")} (\`maxSnapshotShards\``);
    expect(section).toContain(`${LIMITS.maxEnvironmentFlagBytes / 1048576} MiB`);
  });
});
