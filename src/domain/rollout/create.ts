/**
 * Building a rollout from an operator's request and the flag it moves (pure).
 *
 * The rollout owns the flag's `fallthrough`: while it runs, the fallthrough is
 * `{ rollout: { variant, baseline, percentage } }`; rollback restores the snapshot taken here;
 * completion serves `variant` to everyone. Rules keep deciding first. So that "rolled back" means
 * "baseline for everyone the fallthrough decides", a rollout starts only from a fallthrough that
 * already serves the baseline to everyone: `{ variant: baseline }` or a 0 % rollout onto it.
 */
import type { Flag, Serve } from "../flag.js";
import type { Rollout, RolloutRequest } from "./model.js";
import { resolveGuards, resolvePlan } from "./strategies.js";

export type CreateError = { readonly path: string; readonly message: string };

/** The baseline a fallthrough serves to everyone, if it does. */
export function baselineOf(serve: Serve): string | undefined {
  if ("variant" in serve) return serve.variant;
  if ("rollout" in serve && serve.rollout.percentage === 0 && serve.rollout.startAt === undefined) return serve.rollout.baseline;
  return undefined;
}

export function createRollout(
  request: RolloutRequest,
  flag: Flag,
  ids: { id: string; env: string; by: string },
  now: number,
): { ok: true; rollout: Rollout } | { ok: false; errors: CreateError[] } {
  const errors: CreateError[] = [];
  const currentBaseline = baselineOf(flag.fallthrough);
  const baseline = request.baseline ?? currentBaseline;
  if (!Object.hasOwn(flag.variants, request.variant)) errors.push({ path: "variant", message: `flag "${flag.key}" has no variant "${request.variant}"` });
  if (baseline === undefined) {
    errors.push({ path: "flag", message: `the fallthrough of "${flag.key}" does not serve one variant to everyone; set it to the baseline first` });
  } else {
    if (!Object.hasOwn(flag.variants, baseline)) errors.push({ path: "baseline", message: `flag "${flag.key}" has no variant "${baseline}"` });
    if (currentBaseline !== baseline) errors.push({ path: "baseline", message: `the fallthrough serves "${currentBaseline ?? "a mix"}", not the baseline "${baseline}"` });
    if (baseline === request.variant) errors.push({ path: "variant", message: "the variant must differ from the baseline" });
  }
  if (errors.length > 0 || baseline === undefined) return { ok: false, errors };
  const plan = resolvePlan(request);
  const startAt = request.startAt === undefined ? now : typeof request.startAt === "number" ? request.startAt : Date.parse(request.startAt);
  return {
    ok: true,
    rollout: {
      id: ids.id,
      env: ids.env,
      flag: flag.key,
      variant: request.variant,
      baseline,
      strategy: request.strategy,
      stages: plan.stages,
      finalBakeSeconds: plan.finalBakeSeconds,
      guards: resolveGuards(request.guards),
      healthChecks: request.healthChecks,
      webhooks: request.webhooks,
      state: "SCHEDULED",
      phase: null,
      stageIndex: 0,
      percentage: 0,
      startAt: Math.max(startAt, now),
      startedAt: null,
      stageEnteredAt: null,
      bakedMs: 0,
      lastTickAt: now,
      holdStartedAt: null,
      pauseReasons: [],
      health: { consecutiveFailures: 0, lastRoundAt: null },
      snapshot: { fallthrough: flag.fallthrough, flagVersion: flag.version },
      outcome: null,
      warnings: [],
      createdAt: now,
      createdBy: ids.by,
      updatedAt: now,
      version: 0,
    },
  };
}
