/**
 * Referential checks of flag writes, run inside the write's transaction after its rows are written
 * (so an import sees all of its flags at once): every segment a condition names exists, and the
 * prerequisite graph stays valid (src/domain/prerequisites.ts). A problem rolls the transaction
 * back and answers 422 naming the path.
 */
import { failure, MAX_DETAILS, type CommandFailure, type ErrorDetail } from "../command.js";
import { isSegmentOp, type Flag } from "../domain/flag.js";
import { budgetBreach, type EnvironmentUsage } from "../domain/limits.js";
import { prerequisiteProblems, type PrerequisiteGraph } from "../domain/prerequisites.js";
import type { EnvironmentStorage } from "./storage.js";

/** A flag the change touched (written or archived), and where its fields are in the request body. */
export interface Touched {
  readonly key: string;
  /** Prepended to paths: "" for a single flag, `flags.3.` for an import's fourth flag. */
  readonly prefix: string;
}

export function referenceProblems(storage: EnvironmentStorage, touched: readonly Touched[]): ErrorDetail[] {
  // The storage's live flags as a prerequisite graph, each flag read once per check.
  const flags = new Map<string, Flag | undefined>();
  const read = (key: string): Flag | undefined => {
    if (!flags.has(key)) flags.set(key, storage.getFlag(key));
    return flags.get(key);
  };
  const graph: PrerequisiteGraph = { flag: read, requiredBy: (key) => storage.segments.usedBy("flag", key) };
  const problems: ErrorDetail[] = [];
  for (const { key, prefix } of touched) {
    const flag = read(key);
    flag?.rules.forEach((rule, i) =>
      rule.when.forEach((c, j) => {
        if (!isSegmentOp(c.op)) return;
        c.values.forEach((v, k) => {
          if (typeof v === "string" && !storage.segments.has(v)) problems.push({ path: `${prefix}rules.${i}.when.${j}.values.${k}`, message: `segment "${v}" does not exist in this environment` });
        });
      }),
    );
    problems.push(...prerequisiteProblems(key, graph, prefix));
  }
  return problems;
}

/**
 * Why a flag change may not commit, or undefined when it may: checked inside its transaction after
 * its writes — the environment budget (against the usage `before` it), then the references at the
 * flags it `touched`. Every flag write goes through this (by hand: FlagCommands; scheduled:
 * Schedules), so both refuse the same things with the same words.
 */
export function changeRefusal(storage: EnvironmentStorage, environment: string, before: EnvironmentUsage, touched: readonly Touched[]): CommandFailure | undefined {
  const breach = budgetBreach(environment, before, storage.flagUsage());
  if (breach !== undefined) {
    // `details[].path` names the limit as `LIMITS` (src/domain/limits.ts) and docs/flags.md call it.
    const message = `over the environment budget: ${breach.message} (limit ${breach.limit} = ${breach.max})`;
    return failure("VALIDATION_FAILED", message, [{ path: `limits.${breach.limit}`, message: breach.message }]);
  }
  const problems = referenceProblems(storage, touched);
  if (problems.length > 0) return failure("VALIDATION_FAILED", "the change leaves a reference broken", problems.slice(0, MAX_DETAILS));
  return undefined;
}
