/**
 * The rollout state machine (docs/rollouts.md, "States"): `decide(rollout, input, now)` → the next rollout, at most
 * one transition (with exactly one audit event), and the effect on the flag. Pure and idempotent:
 * `tick(t)` twice equals `tick(t)` once, and a replayed command changes nothing.
 *
 * A tick runs, in order: health round → guards (may roll back) → system pause → progression.
 * A tick that rolls back never also advances.
 */
import { closedMinutes, evaluateGuards, MINUTE, stageGate, type GateOutcome, type GuardReport } from "./guards.js";
import { assessWarnings } from "./warnings.js";
import { isTerminal, type GuardWarning, type MinuteBucket, type PauseReason, type Rollout, type RolloutPhase, type RolloutState } from "./model.js";

/** Dwell accrues at most this much per tick, so a gap in ticks never completes a stage by itself. */
export const MAX_TICK_GAP_MS = 5 * MINUTE;
/** Minutes right after a percentage change are left out of the stage gate (propagation, caches). */
export const WARMUP_MS = 5 * MINUTE;
/** Health rounds closer together than this are the same round (ticks may repeat). */
const HEALTH_ROUND_MS = 30_000;

export type HealthRound = "PASS" | "FAIL" | "UNKNOWN";

export type RolloutInput =
  | { readonly type: "tick"; readonly buckets: ReadonlyMap<number, MinuteBucket>; readonly health?: HealthRound | undefined }
  | { readonly type: "pause" | "rollback" | "cancel"; readonly by: string; readonly reason?: string | undefined }
  | { readonly type: "resume" | "promote"; readonly by: string; readonly reason?: string | undefined; readonly expectedStage?: number | undefined };

export interface Position {
  readonly state: RolloutState;
  readonly phase: RolloutPhase | null;
  readonly stageIndex: number;
  readonly percentage: number;
}

export interface RolloutEvent {
  readonly action: string;
  readonly by: string;
  readonly reason?: string | undefined;
  readonly from: Position;
  readonly to: Position;
  readonly evidence?: unknown;
}

/** What the flag must become: the rollout's percentage, the snapshot restored, or the new variant for all. */
export type RolloutEffect = { readonly type: "setPercentage"; readonly percentage: number } | { readonly type: "restore" } | { readonly type: "complete" };

export type Decision =
  | {
      readonly ok: true; readonly rollout: Rollout; readonly event: RolloutEvent | null; readonly effect: RolloutEffect | null; readonly guards: readonly GuardReport[];
      /** Warnings raised by this tick (warnings.ts): not transitions, each its own event. */
      readonly warnings?: readonly GuardWarning[];
    }
  | { readonly ok: false; readonly code: "CONFLICT" | "TERMINAL" | "INVALID"; readonly message: string };

const position = (r: Rollout): Position => ({ state: r.state, phase: r.phase, stageIndex: r.stageIndex, percentage: r.percentage });

export const inFinalBake = (r: Pick<Rollout, "stageIndex" | "stages">): boolean => r.stageIndex >= r.stages.length;

/** The dwell of the current stage (the final bake at 100 %). */
export function dwellMs(r: Rollout): number {
  return inFinalBake(r) ? r.finalBakeSeconds * 1000 : (r.stages[r.stageIndex] as Rollout["stages"][number]).durationSeconds * 1000;
}

export function decide(current: Rollout, input: RolloutInput, now: number): Decision {
  // The clock never runs backwards for a rollout.
  const t = Math.max(now, current.lastTickAt);
  if (input.type === "tick") return withWarnings(tick(current, input, t), input.buckets, t);
  return command(current, input, t);
}

function transition(
  before: Rollout,
  after: Rollout,
  t: number,
  event: Omit<RolloutEvent, "from" | "to">,
  effect: RolloutEffect | null,
  guards: readonly GuardReport[] = [],
): Decision {
  const next: Rollout = { ...after, updatedAt: t, version: before.version + 1 };
  return { ok: true, rollout: next, event: { ...event, from: position(before), to: position(next) }, effect, guards };
}

/** The warning tier runs after the decision, on the rollout as it is now; it never changes the decision. */
function withWarnings(d: Decision, buckets: ReadonlyMap<number, MinuteBucket>, t: number): Decision {
  if (!d.ok) return d;
  const { rollout, raised } = assessWarnings(d.rollout, buckets, t);
  return rollout === d.rollout ? d : { ...d, rollout, warnings: raised };
}

const unchanged = (r: Rollout, guards: readonly GuardReport[] = []): Decision => ({ ok: true, rollout: r, event: null, effect: null, guards });

/** The rollout at stage `index` (or the final bake when index = stages.length), just entered. */
function enterStage(r: Rollout, index: number, t: number): Rollout {
  const final = index >= r.stages.length;
  return {
    ...r,
    state: "RUNNING",
    phase: final ? "FINAL_BAKE" : "BAKING",
    stageIndex: final ? r.stages.length : index,
    percentage: final ? 100 : (r.stages[index] as Rollout["stages"][number]).percentage,
    stageEnteredAt: t,
    bakedMs: 0,
    lastTickAt: t,
    holdStartedAt: null,
    pauseReasons: [],
  };
}

function tick(current: Rollout, input: Extract<RolloutInput, { type: "tick" }>, t: number): Decision {
  if (isTerminal(current.state)) return unchanged(current);
  if (current.state === "SCHEDULED") {
    if (t < current.startAt) return unchanged(current);
    const started = { ...enterStage(current, 0, t), startedAt: t };
    return transition(current, started, t, { action: "rollout.started", by: "system:cron" }, { type: "setPercentage", percentage: started.percentage });
  }

  // Paused before it ever started: nothing is exposed, so there is nothing to guard or advance.
  if (current.startedAt === null) return unchanged(current);
  // At most one transition per instant: a repeated tick (cron retries, alarms) changes nothing,
  // even where a stage's dwell is zero.
  if (t <= current.updatedAt) return unchanged(current);

  // Bookkeeping that is not a transition: dwell (only while RUNNING, capped per tick) and health.
  let r: Rollout = {
    ...current,
    bakedMs: current.state === "RUNNING" ? current.bakedMs + Math.min(t - current.lastTickAt, MAX_TICK_GAP_MS) : current.bakedMs,
    lastTickAt: t,
  };
  if (input.health !== undefined && (r.health.lastRoundAt === null || t - r.health.lastRoundAt >= HEALTH_ROUND_MS)) {
    const failures = input.health === "FAIL" ? r.health.consecutiveFailures + 1 : input.health === "PASS" ? 0 : r.health.consecutiveFailures;
    r = { ...r, health: { consecutiveFailures: failures, lastRoundAt: t } };
  }

  // 1. Guards stay armed while RUNNING and PAUSED, in every phase.
  const reports = evaluateGuards(r.guards, input.buckets, closedMinutes(t, r.startedAt ?? r.startAt));
  const fired = reports.find((g) => g.status === "FIRE");
  if (fired || r.health.consecutiveFailures >= r.guards.healthFailuresToRollback) {
    const reason = fired
      ? `${fired.name} breached for ${fired.streak} of the last ${fired.verdicts.length} minutes`
      : `${r.health.consecutiveFailures} consecutive failed health checks`;
    const evidence = fired ? { guard: fired.name, verdicts: fired.verdicts } : { health: r.health };
    return rollBack(current, r, t, "GUARD", "system:guard", reason, evidence, reports);
  }

  if (r.state !== "RUNNING") return unchanged(r, reports);

  // 2. System pause: no telemetry at all for too long.
  const started = r.startedAt ?? r.startAt;
  if (minutesWithoutTelemetry(input.buckets, t, started, r.guards.unknownPauseSeconds) * MINUTE >= r.guards.unknownPauseSeconds * 1000) {
    return pause(current, r, t, "METRICS_UNAVAILABLE", "system:guard", "no metrics received", reports);
  }

  // 3. Progression.
  const dwell = dwellMs(r);
  if (r.bakedMs < dwell) return unchanged(r, reports);
  const recentUnknown = minutesWithoutTelemetry(input.buckets, t, started, RECENT_UNKNOWN_MS / 1000, true) > 0;
  const gate = stageGate(r.guards, reports, pooledStage(r, input.buckets, t, dwell), recentUnknown);
  if (gate.result === "FAIL") {
    const reason = `${gate.guard} over the stage: ${gate.x} of ${gate.n} (lower bound ${(gate.lowerBound * 100).toFixed(2)} %)`;
    return rollBack(current, r, t, "GATE", "system:guard", reason, gate, reports);
  }
  if (gate.result === "PASS") return advance(current, r, t, "system:cron", undefined, gate, reports);
  return hold(current, r, t, gate, dwell, reports);
}

/** UNKNOWN minutes this recent keep a stage from advancing. */
const RECENT_UNKNOWN_MS = 15 * MINUTE;

/**
 * Closed minutes without any sample (no telemetry), looking back at most `spanSeconds` and never
 * before `since`: the newest run of them, or (with `anywhere`) all of them in the span.
 */
function minutesWithoutTelemetry(buckets: ReadonlyMap<number, MinuteBucket>, t: number, since: number, spanSeconds: number, anywhere = false): number {
  const lastClosed = Math.floor(t / MINUTE) * MINUTE - MINUTE;
  const first = Math.max(Math.ceil(since / MINUTE) * MINUTE, lastClosed - Math.ceil(spanSeconds / 60) * MINUTE + MINUTE);
  let count = 0;
  for (let m = lastClosed; m >= first; m -= MINUTE) {
    if (buckets.has(m)) {
      if (!anywhere) break;
    } else {
      count++;
    }
  }
  return count;
}

/** The stage's minutes after the warm-up, for the gate. */
function pooledStage(r: Rollout, buckets: ReadonlyMap<number, MinuteBucket>, t: number, dwell: number): MinuteBucket[] {
  const warmup = Math.min(WARMUP_MS, Math.floor(dwell / 2 / MINUTE) * MINUTE);
  const from = (r.stageEnteredAt ?? t) + warmup;
  const lastClosed = Math.floor(t / MINUTE) * MINUTE - MINUTE;
  const pooled: MinuteBucket[] = [];
  for (const [minute, bucket] of buckets) if (minute >= from && minute <= lastClosed) pooled.push(bucket);
  return pooled;
}

function advance(before: Rollout, r: Rollout, t: number, by: string, reason: string | undefined, evidence: unknown, guards: readonly GuardReport[]): Decision {
  if (inFinalBake(r)) {
    const done: Rollout = { ...r, state: "COMPLETED", phase: null, holdStartedAt: null, pauseReasons: [], outcome: { trigger: "COMPLETED", reason: "final bake passed", at: t } };
    return transition(before, done, t, { action: "rollout.completed", by, reason, evidence }, { type: "complete" }, guards);
  }
  const next = enterStage(r, r.stageIndex + 1, t);
  return transition(before, next, t, { action: "stage.advanced", by, reason, evidence }, { type: "setPercentage", percentage: next.percentage }, guards);
}

function hold(before: Rollout, r: Rollout, t: number, gate: Exclude<GateOutcome, { result: "PASS" | "FAIL" }>, dwell: number, guards: readonly GuardReport[]): Decision {
  if (r.phase !== "HOLDING") {
    return transition(before, { ...r, phase: "HOLDING", holdStartedAt: t }, t, { action: "stage.holding", by: "system:cron", reason: gate.detail, evidence: gate }, null, guards);
  }
  const timeout = (r.guards.holdTimeoutSeconds ?? Math.min(dwell / 1000, 86_400)) * 1000;
  if (r.holdStartedAt !== null && t - r.holdStartedAt >= Math.max(timeout, MINUTE)) {
    return pause(before, r, t, gate.result === "UNKNOWN" ? "METRICS_UNAVAILABLE" : "INSUFFICIENT_DATA", "system:cron", gate.detail, guards);
  }
  return unchanged(r, guards);
}

function pause(before: Rollout, r: Rollout, t: number, reason: PauseReason["reason"], by: string, message: string, guards: readonly GuardReport[]): Decision {
  const paused: Rollout = { ...r, state: "PAUSED", pauseReasons: [...r.pauseReasons, { reason, by, at: t, message }] };
  return transition(before, paused, t, { action: "rollout.paused", by, reason: `${reason}: ${message}` }, null, guards);
}

function rollBack(
  before: Rollout,
  r: Rollout,
  t: number,
  trigger: "GUARD" | "GATE" | "USER",
  by: string,
  reason: string,
  evidence: unknown,
  guards: readonly GuardReport[] = [],
): Decision {
  const rolledBack: Rollout = { ...r, state: "ROLLED_BACK", phase: null, percentage: 0, holdStartedAt: null, outcome: { trigger, reason, evidence, at: t } };
  return transition(before, rolledBack, t, { action: "rollout.rolled_back", by, reason, evidence }, { type: "restore" }, guards);
}

function command(r: Rollout, input: Exclude<RolloutInput, { type: "tick" }>, t: number): Decision {
  const terminal = isTerminal(r.state);
  switch (input.type) {
    case "pause": {
      if (terminal) return { ok: false, code: "TERMINAL", message: `the rollout is ${r.state}` };
      if (r.pauseReasons.some((p) => p.reason === "MANUAL")) return unchanged(r);
      const paused: Rollout = { ...r, state: "PAUSED", lastTickAt: t, pauseReasons: [...r.pauseReasons, { reason: "MANUAL", by: input.by, at: t, ...(input.reason ? { message: input.reason } : {}) }] };
      return transition(r, paused, t, { action: "rollout.paused", by: input.by, reason: input.reason }, null);
    }
    case "resume": {
      if (terminal) return { ok: false, code: "TERMINAL", message: `the rollout is ${r.state}` };
      const stale = staleStage(r, input.expectedStage);
      if (stale) return stale;
      if (r.state !== "PAUSED") return unchanged(r); // a replayed resume
      const resumed: Rollout = {
        ...r,
        state: r.startedAt === null ? "SCHEDULED" : "RUNNING",
        pauseReasons: [],
        lastTickAt: t,
        holdStartedAt: r.phase === "HOLDING" ? t : r.holdStartedAt,
      };
      return transition(r, resumed, t, { action: "rollout.resumed", by: input.by, reason: input.reason }, null);
    }
    case "promote": {
      if (terminal) return { ok: false, code: "TERMINAL", message: `the rollout is ${r.state}` };
      const stale = staleStage(r, input.expectedStage);
      if (stale) return stale;
      if (r.startedAt === null) return { ok: false, code: "CONFLICT", message: "the rollout has not started" };
      if (inFinalBake(r)) return { ok: false, code: "CONFLICT", message: "the rollout is at 100 %; it completes after the final bake" };
      const next = enterStage(r, r.stageIndex + 1, t);
      return transition(r, next, t, { action: "stage.promoted", by: input.by, reason: input.reason ?? "manual promote (stage gate skipped)" }, { type: "setPercentage", percentage: next.percentage });
    }
    case "rollback":
    case "cancel": {
      const target: RolloutState = input.type === "rollback" && r.startedAt !== null ? "ROLLED_BACK" : "CANCELLED";
      if (r.state === target) return unchanged(r); // idempotent
      if (terminal) return { ok: false, code: "TERMINAL", message: `the rollout is ${r.state}` };
      const reason = input.reason ?? (input.type === "rollback" ? "manual rollback" : "cancelled");
      if (target === "ROLLED_BACK") return rollBack(r, { ...r, lastTickAt: t }, t, "USER", input.by, reason, undefined);
      const cancelled: Rollout = { ...r, state: "CANCELLED", phase: null, percentage: 0, holdStartedAt: null, lastTickAt: t, outcome: { trigger: "USER", reason, at: t } };
      return transition(r, cancelled, t, { action: "rollout.cancelled", by: input.by, reason }, r.startedAt === null ? null : { type: "restore" });
    }
  }
}

/** Forward commands carry the stage the caller saw; a stale one is refused, so a double submit never skips two stages. */
function staleStage(r: Rollout, expectedStage: number | undefined): Decision | undefined {
  if (expectedStage === undefined) return { ok: false, code: "INVALID", message: "expectedStage is required" };
  if (expectedStage !== r.stageIndex) return { ok: false, code: "CONFLICT", message: `the rollout is at stage ${r.stageIndex}, not ${expectedStage}` };
  return undefined;
}
