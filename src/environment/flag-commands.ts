/**
 * Flag commands of one environment: put, merge-patch, kill switch, archive, import, the first-run
 * seed and the audit of FLAG_OVERRIDES changes. Each validates its input, then reads, decides and
 * writes in one transaction of the environment context with exactly one audit event per change.
 * Put, patch and import are refused (nothing written) when they would take the environment over
 * its budget (src/domain/limits.ts), so its snapshot always stays publishable, and when they would
 * name a missing segment or break the prerequisite graph (flag-references.ts).
 */
import { z } from "zod";
import { failure, validationError, type ChangeMeta, type CommandFailure, type CommandResult } from "../command.js";
import { diffFlagSets, flagContent } from "../domain/flag-diff.js";
import { Flag, FlagSet } from "../domain/flag.js";
import { patchFlag } from "../domain/flag-patch.js";
import type { Change, EnvironmentContext } from "./context.js";
import { changeRefusal, type Touched } from "./flag-references.js";
import type { ChangeOutcome, FlagChange, ImportOutcome, WriteGuard } from "./types.js";

/** How an import applies: `merge` keeps flags absent from the set, `replace` archives them; `dryRun` only diffs. */
export const ImportOptions = z.object({
  mode: z.enum(["merge", "replace"]).default("merge"),
  dryRun: z.boolean().default(false),
});
export type ImportOptions = z.input<typeof ImportOptions>;

/** What a new, empty environment is seeded with. */
export interface SeedPlan {
  readonly flags: readonly Flag[];
  readonly source: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export class FlagCommands {
  constructor(private readonly env: EnvironmentContext) {}

  put(key: string, body: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    if (!isObject(body)) return Promise.resolve(failure("VALIDATION_FAILED", "the flag must be a JSON object", [{ path: "", message: "expected an object" }]));
    const withKey = { ...body, key: body["key"] ?? key };
    if (withKey.key !== key) {
      return Promise.resolve(failure("VALIDATION_FAILED", "the body's key differs from the path's", [{ path: "key", message: `must be "${key}"` }]));
    }
    const parsed = Flag.safeParse(withKey);
    if (!parsed.success) return Promise.resolve(validationError("the flag is invalid", parsed.error));
    return this.write(key, guard, meta, () => ({ ok: true, flag: parsed.data }), undefined, true);
  }

  patch(key: string, patch: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    if (!isObject(patch)) return Promise.resolve(failure("VALIDATION_FAILED", "a merge patch must be a JSON object", [{ path: "", message: "expected an object" }]));
    return this.write(key, guard, meta, (current) => {
      if (!current) return notFound(key);
      const patched = patchFlag(current, patch);
      return patched.ok ? patched : failure("VALIDATION_FAILED", patched.message, patched.problems);
    }, undefined, true);
  }

  /**
   * Writes an earlier version's content (rebuilt from the audit log by the caller) as the flag's
   * next version, audited as `flag.restored`; an archived flag comes back. Same checks as put.
   */
  restore(key: string, content: unknown, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    const parsed = Flag.safeParse(content);
    if (!parsed.success) return Promise.resolve(validationError("the version's content is not a valid flag today", parsed.error));
    if (parsed.data.key !== key) return Promise.resolve(failure("VALIDATION_FAILED", "the version is of another flag", [{ path: "version", message: `not a version of "${key}"` }]));
    return this.write(key, guard, meta, () => ({ ok: true, flag: parsed.data }), "flag.restored", true);
  }

  /** The kill switch: enabled = false serves the off variant to everyone. */
  setEnabled(key: string, enabled: boolean, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<FlagChange>> {
    const build = (current: Flag | undefined): CommandResult<{ flag: Flag }> => (current ? { ok: true, flag: { ...current, enabled } } : notFound(key));
    return this.write(key, guard, meta, build, enabled ? "flag.enabled" : "flag.disabled");
  }

  archive(key: string, guard: WriteGuard, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.env.commit((tx) => {
      const current = this.env.storage.getFlag(key);
      if (!current) return notFound(key);
      const conflict = versionConflict(key, current.version, guard);
      if (conflict) return conflict;
      const active = this.env.rollouts.activeFor(key);
      if (active) return failure("VERSION_CONFLICT", `flag "${key}" has an active rollout (${active.id}); roll it back or cancel it first`);
      const dependents = this.env.storage.segments.usedBy("flag", key);
      if (dependents.length > 0) {
        return failure("IN_USE", `flag "${key}" is a prerequisite of ${dependents.join(", ")}; remove it from their prerequisites first`, dependents.map((d) => ({ path: "", message: `required by "${d}"` })));
      }
      this.env.storage.archiveFlag(key, tx.at);
      tx.audit({ ...meta, action: "flag.archived", targetType: "flag", targetId: key, before: current });
      tx.bump();
      return { ok: true };
    });
  }

  /**
   * Imports a flag set (flags as code). `replace` archives flags absent from the set; `dryRun`
   * returns the diff and changes nothing. One audit event per flag that changes.
   */
  async import(input: unknown, options: unknown, meta: ChangeMeta): Promise<CommandResult<ImportOutcome>> {
    const set = FlagSet.safeParse(input);
    if (!set.success) return validationError("the flag set is invalid", set.error);
    const opts = ImportOptions.safeParse(options ?? {});
    if (!opts.success) return validationError("the import options are invalid", opts.error);
    const { mode, dryRun } = opts.data;
    const replace = mode === "replace";
    const { storage } = this.env;
    if (dryRun) return { ok: true, dryRun, diff: diffFlagSets(storage.listFlags(), set.data.flags, replace) };
    return this.commitChecked((tx) => {
      const current = storage.listFlags();
      const diff = diffFlagSets(current, set.data.flags, replace);
      const before = new Map(current.map((f) => [f.key, f]));
      const touched = new Set([...diff.added, ...diff.changed]);
      for (const flag of set.data.flags) {
        if (!touched.has(flag.key)) continue;
        const after = storage.putFlag(flag, tx.at);
        tx.audit({ ...meta, action: "flag.imported", targetType: "flag", targetId: flag.key, before: before.get(flag.key), after });
        tx.bump();
      }
      for (const key of diff.removed) {
        storage.archiveFlag(key, tx.at);
        tx.audit({ ...meta, action: "flag.archived", targetType: "flag", targetId: key, before: before.get(key) });
        tx.bump();
      }
      const index = new Map(set.data.flags.map((f, i) => [f.key, i]));
      const checked: Touched[] = [...touched].map((key) => ({ key, prefix: `flags.${index.get(key) ?? 0}.` }));
      return { ok: true, dryRun, diff, touched: [...checked, ...diff.removed.map((key) => ({ key, prefix: "" }))] };
    });
  }

  /** Seeds a new, empty environment once; true when this call did (the caller then drains). */
  seedIfEmpty(plan: SeedPlan | undefined): boolean {
    const { storage } = this.env;
    if (storage.getMeta("seeded") !== undefined) return false;
    this.env.change((tx) => {
      if (storage.flagCount() === 0 && plan && plan.flags.length > 0) {
        // One event per flag with its whole body, so every flag's history starts at its creation
        // (src/domain/history.ts rebuilds versions from it); then one summary of the seed.
        for (const flag of plan.flags) {
          const after = storage.putFlag(flag, tx.at);
          tx.audit({ actor: "system:seed", action: "flag.created", targetType: "flag", targetId: flag.key, after, reason: `seeded from ${plan.source}` });
        }
        tx.audit({ actor: "system:seed", action: "environment.seeded", targetType: "environment", targetId: this.env.name, after: { flags: plan.flags.map((f) => f.key), source: plan.source } });
        tx.bump();
      }
      storage.setMeta("seeded", tx.at);
    });
    return true;
  }

  /**
   * Overrides come from Worker configuration, so they change with a deploy, not through a command;
   * the first tick that sees a new value records it (actor `system:config`).
   */
  auditOverrideChanges(current: Readonly<Record<string, string>>): void {
    const { storage } = this.env;
    const serialized = JSON.stringify(Object.fromEntries(Object.entries(current).sort(([a], [b]) => (a < b ? -1 : 1))));
    const previous = storage.getMeta("overrides");
    if (previous === serialized) return;
    this.env.change((tx) => {
      storage.setMeta("overrides", serialized);
      if (previous === undefined && serialized === "{}") return; // nothing to record: no overrides, ever
      tx.audit({
        actor: "system:config",
        action: "overrides.changed",
        targetType: "environment",
        targetId: this.env.name,
        before: previous === undefined ? {} : (JSON.parse(previous) as unknown),
        after: current,
        reason: "FLAG_OVERRIDES changed in the Worker configuration",
      });
      // Overrides change evaluations: a new version, so event streams tell their clients.
      tx.bump();
    });
  }

  /**
   * `commit`, refused with nothing written when the change takes the environment's live flags over
   * their budget, or leaves a reference broken (a missing segment, a broken prerequisite graph) at
   * one of the flags it `touched`. Measured inside the transaction, after the writes (the budget by
   * one SQL aggregate over the stored bodies; no snapshot is serialized); a refusal throws, which
   * rolls the transaction back — its writes, audit events and version bump — and becomes a 422.
   */
  private async commitChecked<T extends object>(fn: (tx: Change) => CommandResult<T & { touched: readonly Touched[] }>): Promise<CommandResult<T & ChangeOutcome>> {
    const { storage, name } = this.env;
    try {
      const result = await this.env.commit((tx) => {
        const before = storage.flagUsage();
        const result = fn(tx);
        if (!result.ok) return result;
        const refusal = changeRefusal(storage, name, before, result.touched);
        if (refusal !== undefined) throw new Refused(refusal);
        return result;
      });
      if (!result.ok) return result;
      const { touched: _t, ...rest } = result;
      return rest as unknown as CommandResult<T & ChangeOutcome>;
    } catch (error) {
      if (error instanceof Refused) return error.failure;
      throw error;
    }
  }

  /**
   * The shared path of every single-flag write: check existence and the expected version, build
   * the new flag from the current one, store it and audit it, all in one transaction.
   */
  private write(
    key: string,
    guard: WriteGuard,
    meta: ChangeMeta,
    build: (current: Flag | undefined) => CommandResult<{ flag: Flag }>,
    action?: string,
    budgeted = false,
  ): Promise<CommandResult<FlagChange>> {
    const { storage } = this.env;
    // The kill switch is never refused for size: it must work in an environment over budget too.
    const commit = budgeted ? this.commitChecked.bind(this) : this.env.commit.bind(this.env);
    return commit((tx: Change): CommandResult<{ flag: Flag; created: boolean; changed: boolean; touched: readonly Touched[] }> => {
      const current = storage.getFlag(key);
      const conflict = versionConflict(key, current?.version ?? 0, guard);
      if (conflict) return conflict;
      const built = build(current);
      if (!built.ok) return built;
      // Writing what is already there changes nothing: no new version, no audit event.
      if (current && flagContent(current) === flagContent(built.flag)) return { ok: true, flag: current, created: false, changed: false, touched: [] };
      const flag = storage.putFlag(built.flag, tx.at);
      tx.audit({ ...meta, action: action ?? (current ? "flag.updated" : "flag.created"), targetType: "flag", targetId: key, before: current, after: flag });
      tx.bump();
      return { ok: true, flag, created: !current, changed: true, touched: [{ key, prefix: "" }] };
    }) as Promise<CommandResult<FlagChange>>;
  }
}

/** Thrown inside a transaction to roll it back whole; never leaves FlagCommands. */
class Refused extends Error {
  constructor(readonly failure: CommandFailure) {
    super(failure.error.message);
  }
}

function versionConflict(key: string, current: number, guard: WriteGuard): CommandFailure | undefined {
  if (guard.expectedVersion === undefined || guard.expectedVersion === current) return undefined;
  return failure("VERSION_CONFLICT", `flag "${key}" is at version ${current}, not ${guard.expectedVersion}`, [
    { path: "expectedVersion", message: `current version is ${current}` },
  ]);
}

function notFound(key: string): CommandFailure {
  return failure("NOT_FOUND", `flag "${key}" does not exist`);
}
