/** How a rollout and a rollout plan look in the terminal. */
import { BREACHES_TO_FIRE, WINDOW_MINUTES, type Verdict } from "../../src/domain/rollout/guards.ts";
import { GuardSettings } from "../../src/domain/rollout/model.ts";
import { duration, percent, progressBar, table, time } from "./output.ts";
import type { RolloutPlan, RolloutStatus } from "./types.ts";

const VERDICT_MARK: Record<Verdict, string> = { OK: "✓", BREACH: "✗", NODATA: "·", UNKNOWN: "?" };

type GuardRow = RolloutStatus["guards"][number];

export function headline(r: RolloutStatus): string {
  return `${r.flag} in ${r.env}: ${r.baseline} → ${r.variant} (${r.strategy}, rollout ${r.id})`;
}

/** The full status: state line, progress bar, guard table, pause reasons, outcome. */
export function renderStatus(r: RolloutStatus): string[] {
  const lines = [headline(r)];
  const phase = r.phase === null ? "" : ` ${r.phase}`;
  lines.push(`state: ${r.state}${phase} · stage ${r.stage}`);
  const next = r.nextPercentage === null ? "" : ` → next ${percent(r.nextPercentage)}`;
  const left = r.timeLeftInStageSeconds === null ? "" : ` · ${duration(r.timeLeftInStageSeconds)} left in stage`;
  lines.push(`${progressBar(r.percentage)} ${percent(r.percentage)}${next}${left}`);
  if (r.guards.length > 0) {
    lines.push("");
    lines.push(...table(["guard", "status", "streak", "last minutes (old → new)", "needs"], r.guards.map(guardRow)).map((l) => `  ${l}`));
    lines.push("  (✓ ok  ✗ breach  · too few requests  ? no telemetry)");
  }
  // Older servers send no warnings.
  for (const w of r.warnings ?? []) {
    const what = w.thresholdMs === null ? "errors" : `slower than ${w.thresholdMs} ms`;
    lines.push(`warning: ${w.guard} ${percent(w.observed * 100)} ${what} (warning level ${percent(w.threshold * 100)}) since ${time(w.since)}; nothing pauses`);
  }
  for (const p of r.pauseReasons) {
    lines.push(`paused: ${p.reason} by ${p.by} at ${time(p.at)}${p.message ? ` — ${p.message}` : ""}`);
  }
  if (r.state === "SCHEDULED") lines.push(`starts at ${time(r.startAt)}`);
  if (r.outcome !== null) {
    lines.push(`${r.state === "COMPLETED" ? "completed" : r.state === "ROLLED_BACK" ? "rolled back" : "ended"} at ${time(r.outcome.at)} (${r.outcome.trigger}): ${r.outcome.reason}`);
  }
  return lines;
}

function guardRow(g: GuardRow): string[] {
  const marks = g.verdicts.map((v) => VERDICT_MARK[v.verdict]).join("");
  return [g.name, g.status, String(g.streak), marks === "" ? "—" : marks, g.needsSamples === null ? "" : `${g.needsSamples} more requests`];
}

/** One line per rollout for `status --env` without a flag. */
export function rolloutRows(rollouts: readonly RolloutStatus[]): string[] {
  return table(
    ["flag", "state", "stage", "percentage", "next", "left in stage", "guards", "id"],
    rollouts.map((r) => [
      r.flag,
      r.phase === null ? r.state : `${r.state}/${r.phase}`,
      r.stage,
      percent(r.percentage),
      percent(r.nextPercentage),
      duration(r.timeLeftInStageSeconds),
      r.guards.filter((g) => g.status !== "OK").map((g) => `${g.name} ${g.status}`).join(", ") || (r.guards.length > 0 ? "ok" : "—"),
      r.id,
    ]),
  );
}

/** The dry-run plan: every stage with its percentage and times, then the guards. */
export function renderPlan(plan: RolloutPlan, what: { flag: string; env: string; variant: string; baseline: string; strategy: string }): string[] {
  const lines = [`plan: ${what.flag} in ${what.env}: ${what.baseline} → ${what.variant} (${what.strategy})`];
  const n = plan.steps.length;
  lines.push(
    ...table(
      ["stage", "percentage", "phase", "starts", "ends"],
      plan.steps.map((s) => [`${s.stage + 1}/${n}`, percent(s.percentage), s.phase, time(s.startsAt), time(s.endsAt)]),
    ).map((l) => `  ${l}`),
  );
  lines.push(`  completes at ${time(plan.completesAt)} if every stage passes its gate on time (holds and pauses only make it longer)`);
  // The plan's guards are typed `unknown` on the wire; they are the resolved GuardSettings.
  const parsed = GuardSettings.safeParse(plan.guards);
  if (parsed.success) {
    const guards = parsed.data;
    lines.push(`guards (roll back after ${BREACHES_TO_FIRE} breaching minutes among the last ${WINDOW_MINUTES}; confidence ${guards.confidence}):`);
    const rows = guards.metrics.map((g) => [
      g.name,
      g.thresholdMs === undefined ? `> ${percent(g.maxRate * 100)} of requests fail` : `> ${percent(g.maxRate * 100)} of requests slower than ${g.thresholdMs} ms`,
      `judged from ${g.minSamples} requests/minute`,
      g.requiredForAdvance ? `stage gate: ${g.stageMinSamples} requests` : "not required to advance",
      g.warning === undefined ? "—" : g.thresholdMs === undefined ? `> ${percent(g.warning.maxRate * 100)}` : `> ${percent(g.warning.maxRate * 100)} slower than ${g.warning.thresholdMs ?? g.thresholdMs} ms`,
    ]);
    rows.push(["health", `${guards.healthFailuresToRollback} consecutive failed probes`, "(when health checks are configured)", "", ""]);
    lines.push(...table(["guard", "breach when", "samples", "gate", "warn when (nothing pauses)"], rows).map((l) => `  ${l}`));
  }
  return lines;
}
