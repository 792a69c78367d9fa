/**
 * Segment commands of one environment: put, delete, and batched changes of `include` (members).
 * Each validates its input, then reads, decides and writes in one transaction of the environment
 * context with one audit event per change, and bumps the version (segments travel in the snapshot).
 * Audit: `segment.created` / `segment.updated` carry the whole segment, `segment.deleted` the one
 * removed, `segment.members_changed` only the ids that really changed (`{ add, remove }`). Each
 * write takes an optional guard (`If-Match`): the version the caller read, 0 for "must not exist".
 */
import { failure, validationError, type ChangeMeta, type CommandFailure, type CommandResult } from "../command.js";
import { applyMembers, MAX_ENVIRONMENT_SEGMENT_BYTES, MAX_SEGMENT_IDS, Segment, segmentBytes, segmentContent, SegmentMembersChange, type SegmentView } from "../domain/segment.js";
import type { EnvironmentContext } from "./context.js";
import type { ChangeOutcome, WriteGuard } from "./types.js";

export interface SegmentChange extends ChangeOutcome {
  readonly segment: Segment;
  readonly usedBy: readonly string[];
  readonly created: boolean;
  /** False when the write matched what was stored (no new version, no audit event). */
  readonly changed: boolean;
}

export interface SegmentMembersOutcome extends SegmentChange {
  /** The ids that really were added to / removed from `include`. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export class SegmentCommands {
  constructor(private readonly env: EnvironmentContext) {}

  list(): SegmentView[] {
    const { segments } = this.env.storage;
    return segments.list().map((segment) => ({ segment, usedBy: segments.usedBy("segment", segment.key) }));
  }

  get(key: string): SegmentView | undefined {
    const { segments } = this.env.storage;
    const segment = segments.get(key);
    return segment && { segment, usedBy: segments.usedBy("segment", key) };
  }

  put(key: string, body: unknown, meta: ChangeMeta, guard: WriteGuard = {}): Promise<CommandResult<SegmentChange>> {
    if (!isObject(body)) return Promise.resolve(failure("VALIDATION_FAILED", "the segment must be a JSON object", [{ path: "", message: "expected an object" }]));
    const withKey = { ...body, key: body["key"] ?? key };
    if (withKey.key !== key) return Promise.resolve(failure("VALIDATION_FAILED", "the body's key differs from the path's", [{ path: "key", message: `must be "${key}"` }]));
    const parsed = Segment.safeParse(withKey);
    if (!parsed.success) return Promise.resolve(validationError("the segment is invalid", parsed.error));
    return this.write(key, meta, guard, () => ({ ok: true, segment: parsed.data }));
  }

  members(key: string, body: unknown, meta: ChangeMeta, guard: WriteGuard = {}): Promise<CommandResult<SegmentMembersOutcome>> {
    const parsed = SegmentMembersChange.safeParse(body);
    if (!parsed.success) return Promise.resolve(validationError("the members change is invalid", parsed.error));
    let diff = { added: [] as string[], removed: [] as string[] };
    const written = this.write(key, meta, guard, (current) => {
      if (!current) return notFound(key);
      const next = applyMembers(current.include, parsed.data);
      if (next.include.length > MAX_SEGMENT_IDS) {
        return failure("VALIDATION_FAILED", `a segment may include at most ${MAX_SEGMENT_IDS} ids; this change makes ${next.include.length}`, [{ path: "add", message: `at most ${MAX_SEGMENT_IDS} ids in include` }]);
      }
      diff = { added: next.added, removed: next.removed };
      return { ok: true, segment: { ...current, include: next.include }, audit: { action: "segment.members_changed", after: { add: next.added, remove: next.removed } } };
    });
    return written.then((r) => (r.ok ? { ...r, ...diff } : r));
  }

  delete(key: string, meta: ChangeMeta, guard: WriteGuard = {}): Promise<CommandResult<ChangeOutcome>> {
    const { segments } = this.env.storage;
    return this.env.commit((tx) => {
      const current = segments.get(key);
      if (!current) return notFound(key);
      const conflict = versionConflict(key, current.version, guard);
      if (conflict) return conflict;
      const usedBy = segments.usedBy("segment", key);
      if (usedBy.length > 0) {
        return failure("IN_USE", `segment "${key}" is used by ${usedBy.join(", ")}; remove it from their rules first`, usedBy.map((f) => ({ path: "", message: `used by flag "${f}"` })));
      }
      segments.delete(key);
      tx.audit({ ...meta, action: "segment.deleted", targetType: "segment", targetId: key, before: current });
      tx.bump();
      return { ok: true };
    });
  }

  /**
   * The shared path of put and members: check the guard, build from the current segment, check
   * the budget, store, audit.
   */
  private write(
    key: string,
    meta: ChangeMeta,
    guard: WriteGuard,
    build: (current: Segment | undefined) => CommandResult<{ segment: Segment; audit?: { action: string; after: unknown } }>,
  ): Promise<CommandResult<SegmentChange>> {
    const { segments } = this.env.storage;
    return this.env.commit((tx): CommandResult<Omit<SegmentChange, keyof ChangeOutcome>> => {
      const current = segments.get(key);
      // Version 0 is "must not exist yet", so a create never replaces a segment made meanwhile.
      const conflict = versionConflict(key, current?.version ?? 0, guard);
      if (conflict) return conflict;
      const built = build(current);
      if (!built.ok) return built;
      const usedBy = segments.usedBy("segment", key);
      if (current && segmentContent(current) === segmentContent(built.segment)) return { ok: true, segment: current, usedBy, created: false, changed: false };
      const bytes = segments.bytes() - (current ? segmentBytes(current) : 0) + segmentBytes(built.segment);
      if (bytes > MAX_ENVIRONMENT_SEGMENT_BYTES && (!current || segmentBytes(built.segment) > segmentBytes(current))) {
        const message = `the environment's segments would take ${bytes} bytes; at most ${MAX_ENVIRONMENT_SEGMENT_BYTES} (they travel in the snapshot)`;
        return failure("VALIDATION_FAILED", message, [{ path: "", message }]);
      }
      const segment = segments.put(built.segment, tx.at);
      const audit = built.audit ?? { action: current ? "segment.updated" : "segment.created", after: segment };
      tx.audit({ ...meta, action: audit.action, targetType: "segment", targetId: key, before: built.audit ? undefined : current, after: audit.after });
      tx.bump();
      return { ok: true, segment, usedBy, created: !current, changed: true };
    });
  }
}

function notFound(key: string): CommandFailure {
  return failure("NOT_FOUND", `segment "${key}" does not exist`);
}

/** `If-Match` on a segment: refused unless the segment is still at the version the caller read. */
function versionConflict(key: string, current: number, guard: WriteGuard): CommandFailure | undefined {
  if (guard.expectedVersion === undefined || guard.expectedVersion === current) return undefined;
  const message = current === 0 ? `segment "${key}" does not exist` : `segment "${key}" is at version ${current}, not ${guard.expectedVersion}`;
  return failure("VERSION_CONFLICT", message, [{ path: "expectedVersion", message: `current version is ${current}` }]);
}
