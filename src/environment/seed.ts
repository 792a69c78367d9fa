/**
 * What a new, empty environment starts with: config/flags.json, all of it (`SEED_FLAGS=all`),
 * without the flags tagged `demo` (`default`), or nothing (`none`).
 */
import defaultFlagSet from "../../config/flags.json";
import type { SeedMode } from "../config.js";
import { FlagSet } from "../domain/flag.js";
import type { SeedPlan } from "./flag-commands.js";

export function seedPlan(mode: SeedMode): SeedPlan | undefined {
  if (mode === "none") return undefined;
  const flags = FlagSet.parse(defaultFlagSet).flags.filter((f) => mode === "all" || !f.tags.includes("demo"));
  return { flags, source: "config/flags.json" };
}
