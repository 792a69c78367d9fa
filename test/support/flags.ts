/**
 * The boolean flag most tests start from: variants `on`/`off`, enabled, serving `on`. Returned as
 * the raw input shape (what an admin API body or `Flag.parse` takes), so integration tests can send
 * it as JSON and unit tests can parse it; `overrides` replace whole top-level fields.
 */
import type { FlagInput } from "../../src/domain/flag.js";

export function booleanFlag(key: string, overrides: Partial<FlagInput> = {}): FlagInput {
  return {
    key,
    type: "boolean",
    variants: { on: true, off: false },
    offVariant: "off",
    enabled: true,
    fallthrough: { variant: "on" },
    ...overrides,
  };
}
