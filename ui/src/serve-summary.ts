/**
 * One line saying what a flag serves, for the flags table: "on 25 % (else off)" for a rollout,
 * "a 50 % / b 50 %" for a split, the variant's name for a fixed serve. Pure.
 */
import type { Flag, Serve } from "./types.js";

/** Percentages as people write them: 25, 12.5 — never 12.500000001. */
function percent(value: number): string {
  return `${Number(value.toFixed(2))} %`;
}

export function serveSummary(serve: Serve): string {
  if ("variant" in serve) return serve.variant;
  if ("rollout" in serve) return `${serve.rollout.variant} ${percent(serve.rollout.percentage)} (else ${serve.rollout.baseline})`;
  return Object.entries(serve.split)
    .map(([variant, weight]) => `${variant} ${percent(weight)}`)
    .join(" / ");
}

/** What the flag serves to a context no rule matches; a disabled flag serves its off variant. */
export function flagServeSummary(flag: Pick<Flag, "enabled" | "offVariant" | "fallthrough" | "rules">): string {
  if (!flag.enabled) return `${flag.offVariant} (disabled)`;
  const base = serveSummary(flag.fallthrough);
  const rules = flag.rules.length;
  return rules === 0 ? base : `${base} + ${rules} rule${rules === 1 ? "" : "s"}`;
}
