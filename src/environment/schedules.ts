/**
 * Scheduled changes of one environment (docs/schedules.md): create, list, get, cancel, and
 * applying the due ones. The rules are pure (src/domain/schedule.ts); this module stores and
 * audits, through the environment context.
 *
 * A schedule is due when the environment clock reaches its `at`. Due schedules are applied in
 * order of `at` (ties by id), each in its own transaction: the flag change and its audit event
 * (actor = the schedule's creator, as if they made it then), the schedule's new state and its
 * `schedule.applied` event commit together. A schedule that no longer applies (flag gone, patch
 * now invalid, over the environment budget) rolls that transaction back whole and is marked
 * FAILED, with the reason, in a transaction of its own: never a partial write.
 *
 * Who applies them: the Durable Object's alarm, armed at the earliest pending `at` (the alarm is
 * shared with publish retries, the audit flush and webhooks, and only ever moved earlier), the
 * cron tick after it advances the clock, creation itself (an `at` at or before now), and a cancel
 * (a due schedule is applied, not cancelled).
 */
import { failure, validationError, type ChangeMeta, type CommandResult } from "../command.js";
import { randomToken } from "../crypto.js";
import { flagContent } from "../domain/flag-diff.js";
import { flagActionOf, scheduledFlag, scheduleLimitProblem, ScheduleRequest, type Schedule, type ScheduleState } from "../domain/schedule.js";
import type { EnvironmentContext } from "./context.js";
import { changeRefusal } from "./flag-references.js";
import type { ScheduleStore } from "./schedule-store.js";

/** Thrown inside an apply transaction to roll it back whole; caught in `applyOne`. */
class NotApplicable extends Error {}

export class Schedules {
  constructor(
    private readonly env: EnvironmentContext,
    private readonly store: ScheduleStore,
    /** Arms the Durable Object's alarm at `at` (wall clock) unless it is already due sooner. */
    private readonly armAlarm: (at: number) => Promise<void>,
  ) {}

  /**
   * Validates and stores a schedule (422 naming the field; 404 when the flag does not exist; a
   * patch is checked against the flag as it is now, and again when applied). One that is already
   * due is applied before this returns.
   */
  async create(input: unknown, meta: ChangeMeta): Promise<CommandResult<{ schedule: Schedule }>> {
    const parsed = ScheduleRequest.safeParse(input);
    if (!parsed.success) return validationError("the schedule is invalid", parsed.error);
    const request = parsed.data;
    const created = this.env.change((tx): CommandResult<{ schedule: Schedule }> => {
      const current = this.env.storage.getFlag(request.flag);
      if (!current) return failure("NOT_FOUND", `flag "${request.flag}" does not exist`, [{ path: "flag", message: "not found" }]);
      const limit = scheduleLimitProblem(request, tx.now, this.store.pendingCount());
      if (limit) return failure("VALIDATION_FAILED", "the schedule is over a limit (docs/schedules.md)", [limit]);
      const patch = request.patch ?? null;
      if (patch !== null) {
        const built = scheduledFlag({ flag: request.flag, action: "patch", patch }, current);
        if (!built.ok) {
          return failure("VALIDATION_FAILED", "the patch does not apply to the flag", built.problems.map((p) => ({ path: p.path === "" ? "patch" : `patch.${p.path}`, message: p.message })));
        }
      }
      const schedule: Schedule = {
        id: `sch_${randomToken(16)}`,
        state: "PENDING",
        at: new Date(Date.parse(request.at)).toISOString(),
        flag: request.flag,
        action: request.action,
        patch,
        reason: request.reason ?? null,
        createdBy: meta.actor,
        createdAt: tx.at,
        appliedAt: null,
        failure: null,
        flagVersion: null,
        cancelledAt: null,
        cancelledBy: null,
      };
      this.store.put(schedule);
      tx.audit({ ...meta, action: "schedule.created", targetType: "schedule", targetId: schedule.flag, after: schedule });
      return { ok: true, schedule };
    });
    if (!created.ok) return created;
    await this.applyDue();
    await this.env.drain();
    return { ok: true, schedule: this.store.get(created.schedule.id) ?? created.schedule };
  }

  list(filter: { state?: ScheduleState | undefined; flag?: string | undefined }): Schedule[] {
    return this.store.list(filter);
  }

  get(id: string): Schedule | null {
    return this.store.get(id) ?? null;
  }

  /** PENDING → CANCELLED (audited as the canceller's); any other state is a conflict (409). */
  async cancel(id: string, meta: ChangeMeta): Promise<CommandResult<{ schedule: Schedule }>> {
    // What is due already happened: it is applied, not cancelled.
    this.applyDueNow();
    const result = this.env.change((tx): CommandResult<{ schedule: Schedule }> => {
      const schedule = this.store.get(id);
      if (!schedule) return failure("NOT_FOUND", `no schedule "${id}"`);
      if (schedule.state !== "PENDING") {
        return failure("VERSION_CONFLICT", `schedule "${id}" is ${schedule.state}; only a PENDING schedule can be cancelled`, [{ path: "id", message: schedule.state }]);
      }
      const cancelled: Schedule = { ...schedule, state: "CANCELLED", cancelledAt: tx.at, cancelledBy: meta.actor };
      this.store.put(cancelled);
      tx.audit({ ...meta, action: "schedule.cancelled", targetType: "schedule", targetId: schedule.flag, before: schedule, after: cancelled });
      return { ok: true, schedule: cancelled };
    });
    await this.env.drain();
    return result;
  }

  /**
   * Applies every schedule due on the environment clock, then arms the alarm for the next one.
   * The caller drains (publish, audit flush) afterwards. Returns how many were applied or failed.
   */
  async applyDue(): Promise<number> {
    const count = this.applyDueNow();
    const next = this.store.nextAt();
    // `at` is on the environment clock, which is never behind the wall clock: by wall time `at`
    // the schedule is due for sure (a cron tick may make it due sooner, and applies it then).
    if (next !== null) await this.armAlarm(Math.max(next, Date.now()));
    return count;
  }

  /** Synchronous: no other request interleaves with the pass. */
  private applyDueNow(): number {
    let count = 0;
    // One at a time, re-read after each: every apply is its own transaction.
    for (let next = this.store.firstDue(this.env.clock.now()); next !== undefined; next = this.store.firstDue(this.env.clock.now())) {
      this.applyOne(next);
      count++;
    }
    return count;
  }

  private applyOne(due: Schedule): void {
    const { storage, name } = this.env;
    const meta = { actor: due.createdBy, reason: due.reason ?? `scheduled change ${due.id}` };
    try {
      this.env.change((tx) => {
        const current = storage.getFlag(due.flag);
        const built = scheduledFlag(due, current);
        if (!built.ok || current === undefined) throw new NotApplicable(built.ok ? `flag "${due.flag}" does not exist` : built.failure);
        let flag = current;
        // Writing what is already there changes nothing: no new flag version, no flag event.
        const changed = flagContent(current) !== flagContent(built.flag);
        if (changed) {
          const before = storage.flagUsage();
          flag = storage.putFlag(built.flag, tx.at);
          // A patch is checked as by hand (the budget, and segments or prerequisites gone by now);
          // the kill switch is never refused for size, as by hand (src/environment/flag-commands.ts).
          const refusal = due.action === "patch" ? changeRefusal(storage, name, before, [{ key: due.flag, prefix: "" }]) : undefined;
          if (refusal !== undefined) throw new NotApplicable(`${refusal.error.message}: ${refusal.error.details.map((d) => `${d.path}: ${d.message}`).join("; ")}`);
          tx.audit({ ...meta, action: flagActionOf(due.action), targetType: "flag", targetId: due.flag, before: current, after: flag });
          tx.bump();
        }
        const applied: Schedule = { ...due, state: "APPLIED", appliedAt: tx.at, flagVersion: flag.version };
        this.store.put(applied);
        tx.audit({ ...meta, action: "schedule.applied", targetType: "schedule", targetId: due.flag, before: due, after: { ...applied, changed } });
      });
    } catch (error) {
      // Anything that stops the change (a rule, or a fault) fails this schedule, not the ones after it.
      const reason = error instanceof NotApplicable ? error.message : `could not be applied: ${String(error)}`;
      this.env.change((tx) => {
        const failed: Schedule = { ...due, state: "FAILED", appliedAt: tx.at, failure: reason };
        this.store.put(failed);
        tx.audit({ ...meta, action: "schedule.failed", targetType: "schedule", targetId: due.flag, before: due, after: failed });
      });
    }
  }
}
