/**
 * What operators see of a rollout (DESIGN §4.1, issue: status with stage i/N, current and next
 * percentage, time left in stage, guard table, pause reasons). Pure: computed from the record,
 * the metric buckets and `now`.
 */
import { closedMinutes, evaluateGuards, type GuardReport } from "./guards.js";
import { dwellMs, inFinalBake } from "./machine.js";
import { isTerminal, type MinuteBucket, type Rollout } from "./model.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function rolloutStatus(r: Rollout, buckets: ReadonlyMap<number, MinuteBucket>, now: number) {
  const running = r.startedAt !== null && !isTerminal(r.state);
  const guards: GuardReport[] = running ? evaluateGuards(r.guards, buckets, closedMinutes(now, r.startedAt ?? now)) : [];
  const final = inFinalBake(r);
  const dwell = r.startedAt === null || isTerminal(r.state) ? null : dwellMs(r);
  return {
    id: r.id,
    env: r.env,
    flag: r.flag,
    variant: r.variant,
    baseline: r.baseline,
    strategy: r.strategy,
    state: r.state,
    phase: r.phase,
    stageIndex: r.stageIndex,
    stage: `${Math.min(r.stageIndex + 1, r.stages.length + 1)}/${r.stages.length + 1}`,
    stages: [...r.stages, { percentage: 100, durationSeconds: r.finalBakeSeconds, finalBake: true }],
    percentage: r.percentage,
    nextPercentage: isTerminal(r.state) ? null : final ? null : r.startedAt === null ? (r.stages[0]?.percentage ?? 100) : (r.stages[r.stageIndex + 1]?.percentage ?? 100),
    bakedSeconds: Math.floor(r.bakedMs / 1000),
    timeLeftInStageSeconds: dwell === null ? null : Math.max(0, Math.ceil((dwell - r.bakedMs) / 1000)),
    startAt: iso(r.startAt),
    startedAt: iso(r.startedAt),
    stageEnteredAt: iso(r.stageEnteredAt),
    holdStartedAt: iso(r.holdStartedAt),
    pauseReasons: r.pauseReasons.map((p) => ({ ...p, at: new Date(p.at).toISOString() })),
    guards: [
      ...guards.map((g) => ({
        name: g.name,
        status: g.status,
        streak: g.streak,
        verdicts: g.verdicts.map((v) => ({ minute: new Date(v.minute).toISOString(), verdict: v.verdict, n: v.n, x: v.x, lowerBound: v.lowerBound })),
        needsSamples: g.needsSamples,
      })),
      ...(r.healthChecks.length > 0
        ? [{ name: "health", status: r.health.consecutiveFailures >= r.guards.healthFailuresToRollback ? "FIRE" : r.health.consecutiveFailures > 0 ? "PENDING" : "OK", streak: r.health.consecutiveFailures, verdicts: [], needsSamples: null }]
        : []),
    ],
    guardSettings: r.guards,
    healthChecks: r.healthChecks,
    outcome: r.outcome === null ? null : { ...r.outcome, at: new Date(r.outcome.at).toISOString() },
    createdAt: iso(r.createdAt),
    createdBy: r.createdBy,
    updatedAt: iso(r.updatedAt),
    version: r.version,
  };
}
export type RolloutStatus = ReturnType<typeof rolloutStatus>;
