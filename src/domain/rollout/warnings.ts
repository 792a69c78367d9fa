/**
 * The warning tier of rollout guards (docs/rollouts.md, "Warnings"): below the level that rolls
 * back, each guard has a warning level (by default the service's targets: error rate 0.1 %, P95
 * 100 ms, P99 200 ms). When a guard's metric stays over it for WARNING_MINUTES closed minutes of a
 * stage, one warning is raised for that guard in that stage: recorded on the rollout, shown in its
 * status, audited and delivered as `rollout.guard_warning`. A warning never pauses, holds or rolls
 * back anything. Pure: `assessWarnings(rollout, buckets, now)`, called by the machine on every tick.
 */
import { closedMinutes, minuteVerdict, type Verdict } from "./guards.js";
import { isTerminal, type GuardWarning, type MetricGuard, type MinuteBucket, type Rollout } from "./model.js";

/** Minutes over the warning level (after the newest minute under it) that raise the warning. */
export const WARNING_MINUTES = 3;

/** The guard as its warning level: the same guard with the warning's rate and latency threshold. */
function warningLevel(guard: MetricGuard, warning: NonNullable<MetricGuard["warning"]>): MetricGuard {
  const { warning: _w, thresholdMs, ...rest } = guard;
  const level: MetricGuard = { ...rest, maxRate: warning.maxRate };
  return thresholdMs === undefined ? level : { ...level, thresholdMs: warning.thresholdMs ?? thresholdMs };
}

/**
 * The run over the level: among the verdicts (oldest first) after the newest OK, the BREACH
 * minutes, when the newest evaluable verdict is a BREACH. NODATA and UNKNOWN neither extend nor end it.
 */
function runOverLevel(verdicts: readonly { minute: number; verdict: Verdict; n: number; x: number | null }[]) {
  const lastOk = verdicts.map((v) => v.verdict).lastIndexOf("OK");
  const suffix = verdicts.slice(lastOk + 1);
  const newestEvaluable = [...suffix].reverse().find((v) => v.verdict === "BREACH" || v.verdict === "OK");
  return newestEvaluable?.verdict === "BREACH" ? suffix.filter((v) => v.verdict === "BREACH") : [];
}

/**
 * The rollout with the warnings of its current stage, and those raised at `now`. Warnings of
 * earlier stages are dropped; a guard warned in this stage is not judged again until the next.
 * Returns the same rollout object when nothing changed.
 */
export function assessWarnings(r: Rollout, buckets: ReadonlyMap<number, MinuteBucket>, now: number): { rollout: Rollout; raised: GuardWarning[] } {
  if (r.startedAt === null || isTerminal(r.state)) return { rollout: r, raised: [] };
  const kept = r.warnings.filter((w) => w.stageIndex === r.stageIndex);
  const minutes = closedMinutes(now, r.stageEnteredAt ?? r.startedAt);
  const raised: GuardWarning[] = [];
  for (const guard of r.guards.metrics) {
    if (guard.warning === undefined || kept.some((w) => w.guard === guard.name)) continue;
    const level = warningLevel(guard, guard.warning);
    const over = runOverLevel(minutes.map((m) => minuteVerdict(level, m, buckets.get(m), r.guards.confidence)));
    const newest = over[over.length - 1];
    const first = over[0];
    if (over.length < WARNING_MINUTES || newest === undefined || first === undefined) continue;
    raised.push({
      guard: guard.name,
      observed: newest.n === 0 ? 0 : (newest.x ?? 0) / newest.n,
      threshold: level.maxRate,
      ...(level.thresholdMs === undefined ? {} : { thresholdMs: level.thresholdMs }),
      stageIndex: r.stageIndex,
      since: first.minute,
      raisedAt: now,
    });
  }
  if (raised.length === 0 && kept.length === r.warnings.length) return { rollout: r, raised };
  return { rollout: { ...r, warnings: [...kept, ...raised] }, raised };
}

/** One line for the audit reason and chat tools. */
export function warningText(w: GuardWarning): string {
  const pct = (share: number) => `${(share * 100).toFixed(2)} %`;
  const what = w.thresholdMs === undefined ? "errors" : `requests slower than ${w.thresholdMs} ms`;
  return `${w.guard} over its warning level: ${pct(w.observed)} ${what} (level ${pct(w.threshold)}) for ${WARNING_MINUTES}+ minutes`;
}
