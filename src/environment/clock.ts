/**
 * The environment's one clock. Every command, rollout transition, metric window, webhook and audit
 * `at` of an environment reads time here, never `Date.now()` directly.
 *
 * Time is the later of the wall clock and the latest cron `scheduledTime` (so operators and tests
 * can drive rollouts through time with `/cdn-cgi/handler/scheduled?time=…`), and it never goes
 * back: the high-water mark is kept in memory and persisted (meta `clock`) whenever it is advanced
 * or a change commits, so audit `at` never decreases as `seq` grows, across restarts too.
 *
 * Wall-clock durations that concern real I/O (KV's one write per second, alarm delays, request
 * timeouts) are not environment time and keep using real elapsed time.
 */
export interface ClockStore {
  /** The persisted high-water mark, epoch ms (0 when never set). */
  load(): number;
  save(ms: number): void;
}

export class EnvironmentClock {
  #floor: number;
  #saved: number;

  constructor(
    private readonly store: ClockStore,
    private readonly wall: () => number = Date.now,
  ) {
    this.#floor = store.load();
    this.#saved = this.#floor;
  }

  /** Now, epoch ms: never earlier than any time this clock returned or was advanced to. */
  now(): number {
    this.#floor = Math.max(this.#floor, this.wall());
    return this.#floor;
  }

  /** Moves the clock forward to `ms` (a cron tick's scheduled time); an earlier time changes nothing. */
  advanceTo(ms: number): number {
    if (ms > this.#floor) this.#floor = ms;
    this.persist();
    return this.now();
  }

  /** Persists the high-water mark; called inside each committing transaction. */
  persist(): void {
    if (this.#floor > this.#saved) {
      this.store.save(this.#floor);
      this.#saved = this.#floor;
    }
  }
}
